/**
 * Call sites and the layout panel in a real VS Code on the extracted
 * linux-source-6.1 tree: the lens above module_alloc(PAGE_SIZE) in
 * kernel/kprobes.c, Simulate, the arch switch moving the page from the
 * module range (x86) to vmalloc (arm64), stepping, compare mode, and the
 * Call Sites view.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { kernelTree } from '../support/kernelSource';
import { launchBrowser, openWorkbench, runCommand, screenshot, waitForExtension, webviewFrame } from './support/workbench';

const EXTENSION_ID = 'execmem-lens.execmem-lens';

describe('call sites and the layout panel in code-server (linux-source-6.1)', { timeout: 300_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  const panel = () => webviewFrame(page, EXTENSION_ID);

  before(async () => {
    server = await startCodeServer({ workspace: kernelTree('6.1'), vsix: vsixPath(), userSettings: { 'execmemLens.mailSources': [], 'execmemLens.kernelSources': [] } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'callsites-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('kernel/kprobes.c shows a lens above module_alloc(PAGE_SIZE); Simulate puts one KPROBES page in the x86 module range', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill('kernel/kprobes.c:121');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'kprobes.c' }).first().waitFor({ timeout: 30_000 });
    await input.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: 'EXECMEM_KPROBES · x86 → module range' }).first();
    try {
      await lens.waitFor({ timeout: 60_000 });
    } catch (e) {
      await screenshot(page, 'callsites-no-lens');
      throw e;
    }
    await screenshot(page, 'callsites-lens');
    const simulate = page.locator('.codelens-decoration', { hasText: 'EXECMEM_KPROBES · x86 → module range' }).locator('a', { hasText: 'Simulate' }).first();
    await simulate.click();
    await panel().locator('.layout-column h3', { hasText: 'x86 · module_alloc' }).waitFor({ timeout: 30_000 });
    assert.match(await panel().locator('#step-label').innerText(), /^Step 1\/1: module_alloc\(PAGE_SIZE\) → EXECMEM_KPROBES/);
    const live = await panel().locator('.metrics tr', { hasText: 'Live areas' }).locator('td').first().innerText();
    assert.equal(live, '1');
    const strip = panel().locator('.strip', { hasText: 'EXECMEM_KPROBES' }).first();
    assert.match(await strip.locator('.strip-range').innerText(), /^\[0xffffffffc0000000, /);
    assert.match((await strip.locator('canvas').getAttribute('aria-label')) ?? '', /1 allocations in view/);
    await screenshot(page, 'layout-x86');
  });

  test('switching the arch to arm64 moves the page to vmalloc (ROX)', async () => {
    const select = panel().locator('vscode-single-select#arch-select');
    await select.click();
    await select.getByRole('option', { name: 'arm64', exact: true }).click();
    await panel().locator('.layout-column h3', { hasText: 'arm64 · module_alloc' }).waitFor({ timeout: 30_000 });
    const strip = panel().locator('.strip', { has: panel().locator('canvas[aria-label*="1 allocations in view"]') }).first();
    assert.match(await strip.locator('.strip-range').innerText(), /PAGE_KERNEL_ROX/);
    assert.match(await strip.locator('.strip-name').innerText(), /EXECMEM_KPROBES/);
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'arm64' }).waitFor();
    // The lenses follow the arch.
    await page.locator('.codelens-decoration a', { hasText: 'EXECMEM_KPROBES · arm64 → vmalloc, ROX' }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'layout-arm64');
  });

  test('Next Call Site twice moves the cursor and the panel shows three steps', async () => {
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.click({ position: { x: 200, y: 10 } }).catch(() => undefined);
    await page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'module_alloc(PAGE_SIZE)' }).first().click();
    await runCommand(page, 'Execmem Lens: Next Call Site');
    await page.locator('.statusbar-item', { hasText: /Ln 126,/ }).first().waitFor({ timeout: 15_000 });
    await runCommand(page, 'Execmem Lens: Next Call Site');
    await page.locator('.statusbar-item', { hasText: /Ln 338,/ }).first().waitFor({ timeout: 15_000 });
    await panel().locator('#step-label', { hasText: /^Step 3\/3: alloc_insn_page/ }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'layout-three-steps');
  });

  test('compare mode shows two layouts side by side', async () => {
    const cmp = panel().locator('vscode-checkbox#compare-toggle');
    await cmp.click();
    await panel().locator('.columns.compare .layout-column').nth(1).waitFor({ timeout: 15_000 });
    const heads = await panel().locator('.layout-column h3').allInnerTexts();
    assert.deepEqual(heads, ['arm64 · module_alloc', 'arm64 · execmem-rox']);
    await screenshot(page, 'layout-compare');
  });

  test('the Call Sites view lists the sites by subsystem, module_alloc era', async () => {
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    const row = (t: string | RegExp) => sidebar.locator('.monaco-list-row', { hasText: t }).first();
    // Room for the view: fold the two views above it.
    for (const name of ['Patch Series', 'Arch Map']) {
      const header = sidebar.locator('.pane-header', { hasText: name });
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
    }
    await row(/^kprobes/).waitFor({ timeout: 90_000 });
    for (const t of ['Modules', 'BPF', 'ftrace', 'Arch-specific']) await row(new RegExp(`^${t}`)).waitFor();
    assert.match(await row(/^kprobes/).innerText(), /module_alloc era/);
    // Each group holds its files' sites (one group open at a time: the list only renders what fits).
    for (const [group, where] of [
      ['kprobes', 'kernel/kprobes.c:121'],
      ['Modules', 'kernel/module/main.c'],
      ['BPF', 'kernel/bpf/core.c'],
      ['ftrace', 'arch/x86/kernel/ftrace.c'],
      ['Arch-specific', 'arch/x86/kernel/module.c'],
    ] as const) {
      await row(new RegExp(`^${group}`)).click();
      await row(where).waitFor({ timeout: 10_000 });
      await row(new RegExp(`^${group}`)).click();
    }
    await screenshot(page, 'callsites-view');
  });
});
