/**
 * The mailing-list history of the code in front of you, in a real VS Code:
 * the 6.1 tree as the workspace and the corpus threads as mail; in
 * arch/arm64/kernel/module.c the lens above module_alloc() counts the series
 * versions that touched it; the lens lists their patches, naming "mm:
 * jit/text allocator", and opens one in the diff editor. Search Mail… with
 * the issue's own query opens a hit.
 */
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { kernelTree } from '../support/kernelSource';
import { launchBrowser, openWorkbench, pickQuickInputRow, runCommand, screenshot, waitForExtension } from './support/workbench';

describe('mailing-list history in code-server (linux-source-6.1, corpus threads)', { timeout: 400_000, skip: corpusMissing }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');

  before(async () => {
    server = await startCodeServer({ workspace: kernelTree('6.1'), vsix: vsixPath(), userSettings: { 'execmemLens.mailSources': [THREADS_DIR], 'execmemLens.kernelSources': [] } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'history-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('the lens above arm64 module_alloc() counts the series versions that touched it and opens one', async () => {
    // The Patch Series view reads the mail; the lens uses what it has read.
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    await sidebar().locator('.monaco-list-row', { hasText: 'mm: jit/text allocator' }).first().waitFor({ timeout: 120_000 });
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('arch/arm64/kernel/module.c');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'module.c' }).first().waitFor({ timeout: 30_000 });
    await input.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: /\d+ series versions? on the list/ }).first();
    try {
      await lens.waitFor({ timeout: 60_000 });
    } catch (e) {
      await screenshot(page, 'history-no-lens');
      throw e;
    }
    await screenshot(page, 'history-lens');
    await lens.click();
    const pick = page.locator('.quick-input-widget');
    await pick.locator('.quick-input-title', { hasText: /On the list: module_alloc\(\) in arch\/arm64\/kernel\/module\.c/ }).waitFor({ timeout: 30_000 });
    // Newest first: the series' later versions, and the ROX work after it, lead the list.
    await pick.locator('.quick-input-list .monaco-list-row', { hasText: 'mm: jit/text allocator' }).first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'history-pick');
    // v1 is far down a long list (rows out of view are not in the page): narrowed as a user would.
    await page.locator('.quick-input-widget input.input').fill('v1 04/13');
    const v1 = pick.locator('.quick-input-list .monaco-list-row', { hasText: /v1 04\/13/ }).filter({ hasText: 'mm: jit/text allocator' }).first();
    await v1.waitFor({ timeout: 10_000 });
    await v1.click();
    await page.locator('.tab', { hasText: 'module.c (04/13 v1)' }).first().waitFor({ timeout: 30_000 });
    // Opened at module_alloc(), not at the top of the file (line 23 in 6.1's arch/arm64/kernel/module.c).
    await page.locator('.statusbar-item', { hasText: /Ln (?!1,)\d+, Col 1/ }).first().waitFor({ timeout: 15_000 });
  });

  test('the Mailing-List History view follows the editor: module.c\'s patches, newest first, untracked by git', async () => {
    // module.c is made the active editor again; the view lists what touched that file.
    await page.locator('.tab', { hasText: 'module.c' }).filter({ hasNotText: '04/13' }).first().click();
    await runCommand(page, 'Execmem Lens: Focus on Mailing-List History View');
    const pane = sidebar().locator('.pane', { has: page.locator('.pane-header', { hasText: 'Mailing-List History' }) });
    try {
      // Newest first: the series' last version (v8, and its resend) leads; v1's 04/13 is far below.
      await pane.locator('.monaco-list-row', { hasText: /v8 \d+\/\d+ .*arm64/ }).first().waitFor({ timeout: 30_000 });
    } catch (e) {
      await screenshot(page, 'history-view-missing');
      throw e;
    }
    // The 6.1 tree from Debian's tarball is not tracked by git: applied or not is not claimed.
    await pane.locator('.pane-header', { hasText: /not tracked by git/ }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'history-view');
  });

  test("Search Mail… with the issue's query dfn:mm/execmem.c s:ROX opens a hit", async () => {
    await runCommand(page, 'Execmem Lens: Search Mail');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('dfn:mm/execmem.c s:ROX');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: /Search Mail: \d+ hits?/ }).waitFor({ timeout: 30_000 });
    const hit = widget.locator('.quick-input-list .monaco-list-row', { hasText: 'ROX' }).first();
    await hit.waitFor({ timeout: 10_000 });
    await screenshot(page, 'history-search');
    await pickQuickInputRow(page, 'ROX');
    await page.locator('.tab', { hasText: /\.patch/ }).first().waitFor({ timeout: 30_000 });
  });
});
