/**
 * The arch map in a real VS Code, on the extracted linux-source-6.12 tree
 * with linux-source-6.1 configured as the other side: the view lists the
 * eleven arches, a hover on arm64's EXECMEM_KPROBES initializer shows the 6.1
 * alloc_insn_page() it replaced, and the table opens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { kernelTree } from '../support/kernelSource';
import { launchBrowser, openWorkbench, runCommand, screenshot, waitForExtension } from './support/workbench';

const ARCHES = ['arm', 'arm64', 'loongarch', 'mips', 'nios2', 'parisc', 'powerpc', 'riscv', 's390', 'sparc', 'x86'];

describe('arch map in code-server (linux-source-6.12 with 6.1 beside it)', { timeout: 300_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');

  before(async () => {
    server = await startCodeServer({
      workspace: kernelTree('6.12'),
      vsix: vsixPath(),
      userSettings: { 'execmemLens.kernelSources': [kernelTree('6.1')], 'execmemLens.mailSources': [] },
    });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'archmap-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('the Arch Map view lists the eleven arches', async () => {
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    const header = sidebar().locator('.pane-header', { hasText: 'Arch Map' });
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
    const row = (text: string) => sidebar().locator('.monaco-list-row', { hasText: text }).first();
    try {
      await row('x86').waitFor({ timeout: 90_000 });
    } catch (e) {
      await screenshot(page, 'archmap-view-empty');
      throw e;
    }
    const labels = (await sidebar().locator('.monaco-list-row .label-name').allInnerTexts()).map((l) => l.trim());
    assert.deepEqual(labels.filter((l) => ARCHES.includes(l)).sort(), ARCHES);
    // arm64 expands into its types, with verdicts.
    await row('arm64').click();
    await row('EXECMEM_KPROBES').waitFor();
    await screenshot(page, 'archmap-view');
  });

  test('hovering arm64 EXECMEM_KPROBES in arch/arm64/mm/init.c shows the 6.1 alloc_insn_page counterpart', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('arch/arm64/mm/init.c:561:7');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'init.c' }).first().waitFor({ timeout: 30_000 });
    await input.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line', { hasText: '[EXECMEM_KPROBES]' }).first().waitFor({ timeout: 30_000 });
    const word = editor.locator('.view-line span', { hasText: 'EXECMEM_KPROBES' }).first();
    // Only our hover says "Before the series" (tooltips are .monaco-hover too).
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Before the series' }).first();
    await page.mouse.move(700, 600);
    for (let attempt = 1; ; attempt++) {
      await word.hover();
      try {
        await hover.waitFor({ state: 'visible', timeout: 20_000 });
        break;
      } catch (e) {
        await page.mouse.move(5, 5);
        if (attempt === 3) {
          await screenshot(page, 'archmap-hover-missing');
          throw e;
        }
      }
    }
    const text = await hover.innerText();
    // appendText keeps its spaces as non-breaking ones.
    assert.match(text, /arm64\s·\sEXECMEM_KPROBES\s·\ssame/);
    assert.match(text, /Before the series/);
    assert.match(text, /origin\s+alloc_insn_page/);
    assert.match(text, /arch\/arm64\/kernel\/probes\/kprobes\.c:134/);
    assert.match(text, /PAGE_KERNEL_ROX/);
    await screenshot(page, 'archmap-hover');
    // The other side's file:line is a link that opens it.
    await hover.locator('a', { hasText: 'arch/arm64/kernel/probes/kprobes.c:134' }).click();
    await page.locator('.tab', { hasText: 'kprobes.c' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: /Ln 134,/ }).first().waitFor({ timeout: 10_000 });
  });

  test('Show Arch Map Table opens the arches × types table', async () => {
    await page.mouse.move(5, 5);
    await runCommand(page, 'Execmem Lens: Show Arch Map Table');
    const frame = page.frameLocator('iframe.webview[src*="extensionId=execmem-lens.execmem-lens"]:not([src*="purpose=webviewView"])').frameLocator('iframe#active-frame');
    await frame.locator('table th[scope="row"]', { hasText: 'powerpc' }).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('table th[scope="row"]').count(), 11);
    assert.match(await frame.locator('body').innerText(), /Findings \(\d+\)/);
    await screenshot(page, 'archmap-table');
    // A location in the table opens the source at its line.
    const link = frame.locator('a.loc', { hasText: /^arch\/powerpc\/kernel\/module\.c:\d+$/ }).first();
    const where = (await link.innerText()).trim();
    await link.click();
    await page.locator('.tab', { hasText: 'module.c' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${where.split(':')[1]},`) }).first().waitFor({ timeout: 10_000 });
  });

  test('on 6.12 with 6.1 beside it, the Call Sites view reads both trees: each group converted in one, module_alloc era in the other', async () => {
    // The container is open already from the first test; clicking it again would close it.
    if (!(await sidebar().locator('.pane-header', { hasText: 'Call Sites' }).isVisible())) await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    for (const name of ['Patch Series', 'Arch Map']) {
      const header = sidebar().locator('.pane-header', { hasText: name });
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
    }
    const header = sidebar().locator('.pane-header', { hasText: 'Call Sites' });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
    const row = (t: string | RegExp) => sidebar().locator('.monaco-list-row', { hasText: t }).first();
    await row(/^kprobes/).waitFor({ timeout: 90_000 });
    // execmemLens.kernelSources is read by the scan too: 6.12's converted sites beside 6.1's.
    for (const group of ['kprobes', 'Modules', 'BPF', 'ftrace']) {
      const text = await row(new RegExp(`^${group}`)).innerText();
      assert.doesNotMatch(text, / 0 module_alloc era/, `${group}: ${text}`);
      assert.doesNotMatch(text, / 0 execmem/, `${group}: ${text}`);
    }
    await row(/^kprobes/).click();
    await row('linux-source-6.12 · kernel/kprobes.c:121').waitFor();
    await row('linux-source-6.1 · kernel/kprobes.c:121').waitFor();
    await screenshot(page, 'callsites-view-6.12');
  });
});
