// Takes the README's screenshots from a running demo (scripts/demo.sh):
//   docs/screenshot.png    the Patch Series view on the corpus threads, v1 of
//                          "mm: jit/text allocator" walked down to 04/13's
//                          arm64 file, with the review on its lines;
//   docs/archmap-table.png the arch map table: arches x execmem types, before
//                          and after, with findings;
//   docs/walkthrough.png   the Get Started walkthrough after the steps above;
//   docs/layout-panel.png  kernel/kprobes.c's call sites stepped through on
//                          x86, the Memory Layout panel comparing execmem
//                          (6.10-6.12) with execmem-rox (6.13+).
//   node --import tsx scripts/readme-screenshot.ts [URL]
import * as path from 'node:path';
import { ROOT } from './lib/codeServer';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, runCommand, webviewFrame } from '../test/e2e/support/workbench';

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
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
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
    console.log(await archMapShot(page));
    console.log(await walkthroughShot(page));
    console.log(await panelShot(page));
  } finally {
    await browser.close();
  }
}

async function archMapShot(page: Page): Promise<string> {
  // The Comments panel the review opened would cover half of the page.
  await runCommand(page, 'View: Hide Panel');
  await runCommand(page, 'Execmem Lens: Show Arch Map Table');
  const frame = page.frameLocator('iframe.webview[src*="extensionId=execmem-lens.execmem-lens"]:not([src*="purpose=webviewView"])').frameLocator('iframe#active-frame');
  await frame.locator('table th[scope="row"]', { hasText: 'x86' }).waitFor({ timeout: 90_000 });
  await page.waitForTimeout(1000);
  const file = path.join(ROOT, 'docs', 'archmap-table.png');
  await page.screenshot({ path: file });
  return file;
}

async function walkthroughShot(page: Page): Promise<string> {
  await runCommand(page, 'Welcome: Open Walkthrough');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Execmem Lens' }).first().click();
  await page.locator('.gettingStartedContainer .getting-started-step', { hasText: 'Add mail' }).first().click();
  await page.waitForTimeout(1500);
  const file = path.join(ROOT, 'docs', 'walkthrough.png');
  await page.screenshot({ path: file });
  return file;
}

async function panelShot(page: Page): Promise<string> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill('kernel/kprobes.c:121');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'kprobes.c' }).first().waitFor({ timeout: 30_000 });
  await input.press('Enter');
  await page.locator('.codelens-decoration a', { hasText: 'EXECMEM_KPROBES' }).first().waitFor({ timeout: 60_000 });
  await page.locator('.codelens-decoration', { hasText: 'EXECMEM_KPROBES · x86' }).locator('a', { hasText: 'Simulate' }).first().click();
  const frame = webviewFrame(page, 'execmem-lens.execmem-lens');
  await frame.locator('.layout-column h3', { hasText: 'x86 · execmem' }).waitFor({ timeout: 30_000 });
  // Two more steps: the free below it, then the optprobes page.
  for (const n of [2, 3]) {
    await runCommand(page, 'Execmem Lens: Next Call Site');
    await frame.locator('#step-label', { hasText: `Step ${n}/${n}` }).waitFor({ timeout: 15_000 });
  }
  await frame.locator('vscode-checkbox#compare-toggle').click();
  await frame.locator('.columns.compare .layout-column').nth(1).waitFor({ timeout: 15_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  // A taller panel shows the strips and the metrics.
  await runCommand(page, 'View: Toggle Maximized Panel');
  await page.waitForTimeout(1500);
  const file = path.join(ROOT, 'docs', 'layout-panel.png');
  await page.screenshot({ path: file });
  return file;
}

main().catch((e: unknown) => {
  console.error(`readme-screenshot: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
