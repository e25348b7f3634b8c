/**
 * The Getting Started walkthrough in a real VS Code: on the linux-source-6.12
 * tree with 6.1 beside it, each step's button runs its command and the step
 * completes (open a kernel tree is done by the workspace itself).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { kernelTree } from '../support/kernelSource';
import { answerFileDialog, launchBrowser, openWorkbench, runCommand, screenshot, waitForExtension } from './support/workbench';

const V1_MBOX = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');

describe('the Getting Started walkthrough in code-server', { timeout: 400_000, skip: corpusMissing }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');
  const row = (text: string | RegExp) => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const walkthrough = () => page.locator('.gettingStartedContainer');
  const step = (title: string): Locator => walkthrough().locator('.getting-started-step', { hasText: title }).first();
  /** Shows the walkthrough again (a command may have put an editor in front) and opens a step. */
  const openStep = async (title: string): Promise<void> => {
    await page.locator('.tab', { hasText: 'Walkthrough: Execmem Lens' }).first().click();
    await step(title).click();
  };
  const button = (title: string, label: string) => step(title).locator('.monaco-button, a.button-link, a', { hasText: label }).first();
  const completed = async (title: string): Promise<void> => {
    await page.locator('.tab', { hasText: 'Walkthrough: Execmem Lens' }).first().click();
    try {
      await step(title).locator('.codicon-getting-started-step-checked').first().waitFor({ timeout: 30_000 });
    } catch (e) {
      await screenshot(page, `walkthrough-${title.replace(/\W+/g, '-')}-incomplete`);
      throw e;
    }
  };

  let tree: string;
  let settingsFolderWasThere = true;

  before(async () => {
    tree = kernelTree('6.12');
    // Open mbox keeps the source in the workspace's settings: in the shared kernel tree, which other tests open too.
    settingsFolderWasThere = existsSync(path.join(tree, '.vscode'));
    server = await startCodeServer({
      workspace: tree,
      vsix: vsixPath(),
      userSettings: { 'execmemLens.kernelSources': [kernelTree('6.1')], 'execmemLens.mailSources': [] },
    });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'walkthrough-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (tree && !settingsFolderWasThere) rmSync(path.join(tree, '.vscode'), { recursive: true, force: true });
  });

  test('the walkthrough opens from the palette with its five steps; the kernel tree step is done by the workspace', async () => {
    await runCommand(page, 'Welcome: Open Walkthrough');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Execmem Lens' }).first().click();
    await walkthrough().waitFor({ timeout: 30_000 });
    for (const title of ['Open a kernel tree', 'Add mail', "Open a series and a patch's diff", 'Simulate a call site', 'Open the arch map']) await step(title).waitFor();
    await completed('Open a kernel tree');
    await screenshot(page, 'walkthrough');
  });

  // The steps' order here is not the page's: the call-site pick was seen to close by itself a moment
  // after opening once a patch's diff with review comments was open (not understood yet), so the
  // steps that use a quick pick come first.
  test('Simulate a call site: the button offers the workspace\'s sites; one is simulated; the step completes', async () => {
    await openStep('Simulate a call site');
    // The pick lists every site of the workspace (about a hundred), filtered as a user would, by typing.
    // It closes when the workbench takes focus back (as it can while views refresh after the steps
    // before); then the button is pressed again, as a user would.
    const widget = page.locator('.quick-input-widget', { hasText: 'Simulate which call site?' });
    const input = page.locator('.quick-input-widget input.input');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'kernel/kprobes.c' }).first();
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await widget.isVisible())) {
          await openStep('Simulate a call site');
          await button('Simulate a call site', 'Simulate a Call Site').click();
          await widget.waitFor({ state: 'visible', timeout: 90_000 });
        }
        await input.focus();
        await page.keyboard.press('Control+A');
        await page.keyboard.type('kernel/kprobes.c');
        await pick.waitFor({ timeout: 15_000 });
        break;
      } catch (e) {
        if (attempt === 4) {
          await screenshot(page, 'walkthrough-simulate-pick');
          throw e;
        }
      }
    }
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'kprobes.c' }).first().waitFor({ timeout: 30_000 });
    await completed('Simulate a call site');
  });

  test('Open the arch map: the button opens the table; the step completes', async () => {
    await openStep('Open the arch map');
    await button('Open the arch map', 'Show Arch Map Table').click();
    const frame = page.frameLocator('iframe.webview[src*="extensionId=execmem-lens.execmem-lens"]:not([src*="purpose=webviewView"])').frameLocator('iframe#active-frame');
    await frame.locator('table th[scope="row"]', { hasText: 'x86' }).waitFor({ timeout: 90_000 });
    await completed('Open the arch map');
  });

  test('Add mail: Open mbox reads a corpus thread, and the step completes', async () => {
    await openStep('Add mail');
    await button('Add mail', 'Open mbox').click();
    await answerFileDialog(page, V1_MBOX);
    await row('mm: jit/text allocator').waitFor({ timeout: 60_000 });
    await completed('Add mail');
  });

  test("Open a series and a patch's diff: the button shows the Patch Series; a file of a patch opens its diff; the step completes", async () => {
    await openStep("Open a series and a patch's diff");
    await button("Open a series and a patch's diff", 'Show the Patch Series').click();
    await row('mm: jit/text allocator').click();
    await row(/^v1: mm: jit\/text allocator/).click();
    const patch = row('04/13 ');
    await patch.waitFor();
    await patch.locator('.monaco-tl-twistie').click();
    await row('arch/arm64/kernel/module.c').click();
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
    await completed("Open a series and a patch's diff");
    const done = await walkthrough().locator('.getting-started-step .codicon-getting-started-step-checked').count();
    assert.equal(done, 5, `${done} of the five steps show as done`);
    await screenshot(page, 'walkthrough-done');
  });
});
