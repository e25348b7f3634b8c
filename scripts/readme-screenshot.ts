// Takes the README's screenshot from a running demo (scripts/demo.sh): the
// Patch Series view on the corpus threads, v1 of "mm: jit/text allocator"
// walked down to 04/13's arm64 file, with the review on its lines.
//   node --import tsx scripts/readme-screenshot.ts [URL]
import * as path from 'node:path';
import { ROOT } from './lib/codeServer';
import { launchBrowser, openWorkbench } from '../test/e2e/support/workbench';

async function main(): Promise<void> {
  const url = process.argv[2] ?? `http://127.0.0.1:${process.env.EXECMEM_LENS_PORT ?? 8080}/`;
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, url);
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    const row = (text: string | RegExp) => sidebar.locator('.monaco-list-row', { hasText: text }).first();
    // Give the Patch Series view the room of the sidebar.
    for (const name of ['Arch Map', 'Call Sites']) {
      const header = sidebar.locator('.pane-header', { hasText: name }).first();
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await row('mm: jit/text allocator').click({ timeout: 60_000 });
    await row(/^v1: mm: jit\/text allocator/).click();
    await row('04/13 ').locator('.monaco-tl-twistie').click();
    await row('arch/arm64/kernel/module.c').click();
    await page.locator('.review-widget').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
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
