/**
 * The patch-series explorer in a real VS Code: a corpus thread opened through
 * the command, walked down to one file of one patch, with the review that
 * quoted it shown as comment threads in the diff editor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { launchBrowser, openWorkbench, runCommand, screenshot, waitForExtension, webviewFrame } from './support/workbench';

const V1_MBOX = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');

describe('patch-series explorer in code-server', { timeout: 300_000, skip: corpusMissing }, () => {
  let workspace: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');
  const row = (text: string | RegExp) => sidebar().locator('.monaco-list-row', { hasText: text }).first();

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'execmem-lens-series-'));
    server = await startCodeServer({ workspace, vsix: vsixPath() });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'series-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('Open mbox… reads a corpus thread into the Patch Series view', async () => {
    await runCommand(page, 'Execmem Lens: Open mbox');
    // code-server's file dialog is a quick input that takes a path.
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    // The dialog fills its input with the workspace folder once it has listed it, which can
    // overwrite a path typed before that: type again until the dialog takes ours.
    for (let attempt = 1; ; attempt++) {
      await input.fill(V1_MBOX);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(V1_MBOX) }).first().waitFor({ timeout: 15_000 });
      if ((await input.inputValue()) !== V1_MBOX) {
        if (attempt === 6) throw new Error('the file dialog keeps replacing the typed path');
        continue;
      }
      await input.press('Enter');
      try {
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt === 4) {
          await screenshot(page, 'series-open-dialog-stuck');
          throw e;
        }
      }
    }
    try {
      await row(path.basename(V1_MBOX)).waitFor({ timeout: 60_000 });
      await row('mm: jit/text allocator').waitFor({ timeout: 30_000 });
    } catch (e) {
      await screenshot(page, 'series-open-failed');
      throw e;
    }
  });

  test('the v1 series expands to its cover and 13 patches', async () => {
    await row('mm: jit/text allocator').click();
    const v1 = row(/^v1: mm: jit\/text allocator/);
    await v1.waitFor();
    assert.match(await v1.innerText(), /13\/13/);
    await v1.click();
    await row('00/13 cover letter').waitFor();
    await row('04/13 ').waitFor();
    await screenshot(page, 'series-v1');
  });

  test('patch 04/13 → arch/arm64/kernel/module.c opens a diff with the review on its lines', async () => {
    const patch = row('04/13 ');
    assert.match((await patch.textContent()) ?? '', /jitalloc/);
    await patch.locator('.monaco-tl-twistie').click();
    const file = row('arch/arm64/kernel/module.c');
    await file.waitFor();
    await file.click();
    const diff = page.locator('.monaco-diff-editor');
    await diff.first().waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: 'module.c (04/13 v1)' }).first().waitFor({ timeout: 30_000 });
    // A comment thread from the mailing-list review, with its author.
    const thread = page.locator('.review-widget').first();
    await thread.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await thread.innerText(), /Song Liu/);
    await screenshot(page, 'series-review-comments');
  });

  test('Next Call Site walks the series: from the arm64 file to the next file of 04/13 with a site', async () => {
    await page.locator('.monaco-diff-editor .modified .view-lines').first().click();
    await runCommand(page, 'Execmem Lens: Next Call Site');
    const frame = webviewFrame(page, 'execmem-lens.execmem-lens');
    await frame.locator('#step-label', { hasText: /arch\/powerpc\/kernel\/module\.c/ }).waitFor({ timeout: 30_000 });
    // The cursor is on powerpc's module_alloc() of the same patch (its old side: the '-' lines hold the override).
    try {
      await page.locator('.editor-instance .view-line', { hasText: 'void *module_alloc(unsigned long size)' }).first().waitFor({ timeout: 15_000 });
      await page.locator('.statusbar-item', { hasText: /Ln 28,/ }).first().waitFor({ timeout: 5_000 });
    } catch (e) {
      await screenshot(page, 'series-next-call-site-failed');
      throw e;
    }
    await screenshot(page, 'series-next-call-site');
  });

  test('the patch itself opens read-only as a diff document', async () => {
    await row('04/13 ').click();
    await page.locator('.tab', { hasText: /0004-.*\.patch/ }).first().waitFor({ timeout: 30_000 });
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'Subject:' }).first().waitFor();
    // The overrides the patch removes carry lenses on their '-' lines, for their own arch;
    // Next Call Site steps onto the first one (lenses render only for lines in view).
    await editor.locator('.view-lines', { hasText: 'Subject:' }).first().click();
    await runCommand(page, 'Execmem Lens: Next Call Site');
    try {
      await page.locator('.codelens-decoration a', { hasText: /^EXECMEM_DEFAULT · arm → .*\(override\)/ }).first().waitFor({ timeout: 30_000 });
    } catch (e) {
      await screenshot(page, 'series-patch-lens-failed');
      throw e;
    }
  });

  test('Show Arch Map of This Series reads the v1 patches into the table', async () => {
    await row(/^v1: mm: jit\/text allocator/).click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Show Arch Map of This Series' });
    await item.waitFor({ timeout: 10_000 });
    await item.hover();
    await item.click();
    // A click that lands while the menu is still animating in is lost; the highlighted item takes Enter.
    if (await page.locator('.context-view .action-label', { hasText: 'Show Arch Map of This Series' }).isVisible()) await page.keyboard.press('Enter');
    const frame = page.frameLocator('iframe.webview[src*="extensionId=execmem-lens.execmem-lens"]:not([src*="purpose=webviewView"])').frameLocator('iframe#active-frame');
    try {
      await frame.locator('table th[scope="row"]', { hasText: 'x86' }).waitFor({ timeout: 60_000 });
    } catch (e) {
      await screenshot(page, 'series-archmap-failed');
      throw e;
    }
    assert.equal(await frame.locator('table th[scope="row"]').count(), 11);
    const text = await frame.locator('body').innerText();
    assert.match(text, /jit_alloc_params/);
    assert.match(text, /\.pgprot unset/);
    await screenshot(page, 'series-archmap');
  });
});
