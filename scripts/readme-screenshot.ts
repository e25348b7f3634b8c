// Takes the README's screenshot from a running demo (npm run demo / scripts/demo.sh):
// the Execmem Lens container open on the 6.12 tree with the Memory Layout panel.
//   node --import tsx scripts/readme-screenshot.ts [URL]
import * as path from 'node:path';
import { ROOT } from './lib/codeServer';
import { launchBrowser, openWorkbench, runCommand } from '../test/e2e/support/workbench';

async function main(): Promise<void> {
  const url = process.argv[2] ?? `http://127.0.0.1:${process.env.EXECMEM_LENS_PORT ?? 8080}/`;
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, url);
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    await page.locator('#workbench\\.parts\\.sidebar .pane-header', { hasText: 'Patch Series' }).waitFor();
    // A file of the execmem era open in the editor, as a reviewer would have it.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input.input').fill('mm/execmem.c');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'execmem.c' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .monaco-editor').first().waitFor();
    await runCommand(page, 'Execmem Lens: Show Memory Layout Panel');
    await page.waitForTimeout(3000);
    const file = path.join(ROOT, 'docs', 'screenshot.png');
    await page.screenshot({ path: file });
    console.log(file);
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(`readme-screenshot: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
