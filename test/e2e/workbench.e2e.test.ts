/**
 * End to end in a real VS Code: the packaged VSIX installed into code-server,
 * the workbench driven through Chromium as a person would use it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { launchBrowser, openWorkbench, runCommand, screenshot, webviewFrame } from './support/workbench';

const EXTENSION_ID = 'execmem-lens.execmem-lens';

describe('Execmem Lens in code-server', { timeout: 300_000 }, () => {
  let workspace: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'execmem-lens-ws-'));
    mkdirSync(path.join(workspace, 'mail'));
    mkdirSync(path.join(workspace, '.vscode'));
    // A small mbox of our own and a path that does not exist, as a user might configure.
    writeFileSync(
      path.join(workspace, 'mail', 'sample.mbox'),
      'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: [PATCH] sample\nMessage-ID: <sample@example.org>\n\nbody\n',
    );
    writeFileSync(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'execmemLens.mailSources': ['mail/sample.mbox', 'mail/missing.mbox'], 'execmemLens.kernelSources': ['no-such-tree'] }),
    );
    writeFileSync(path.join(workspace, 'kprobes.c'), 'void *alloc_insn_page(void)\n{\n\treturn module_alloc(PAGE_SIZE);\n}\n');
    server = await startCodeServer({ workspace, vsix: vsixPath() });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
  });

  after(async () => {
    if (page) await screenshot(page, 'workbench-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('the workbench loads with the Execmem Lens container in the activity bar', async () => {
    const item = page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]');
    await item.waitFor({ state: 'visible', timeout: 30_000 });
  });

  test('the container opens with its three views and their welcome content', async () => {
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    for (const name of ['Patch Series', 'Arch Map', 'Call Sites']) {
      await sidebar.locator('.pane-header', { hasText: name }).first().waitFor({ state: 'visible', timeout: 30_000 });
    }
    // Empty views say what they will hold.
    await sidebar.getByText("module_alloc() override paired with its execmem table", { exact: false }).waitFor({ timeout: 30_000 });
    await sidebar.getByText('grouped by subsystem', { exact: false }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'container');
  });

  test('the Patch Series view lists the configured mail sources with their kind', async () => {
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    const sample = sidebar.locator('.monaco-list-row', { hasText: 'sample.mbox' });
    await sample.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await sample.innerText()).replace(/\s+/g, ' '), /mbox file/);
    const missing = sidebar.locator('.monaco-list-row', { hasText: 'missing.mbox' });
    assert.match((await missing.innerText()).replace(/\s+/g, ' '), /not found/);
  });

  test('a wrong path in a setting is a warning naming it, with a button that opens the setting', async () => {
    const toast = (text: RegExp) => page.locator('.notification-toast', { hasText: text }).first();
    const kernel = toast(/execmemLens\.kernelSources: .*no-such-tree: no such folder/);
    await kernel.waitFor({ timeout: 30_000 });
    const mail = toast(/execmemLens\.mailSources: .*missing\.mbox: .*no such file or folder/);
    await mail.waitFor({ timeout: 30_000 });
    assert.ok(await mail.locator('.monaco-button', { hasText: 'Remove Source' }).isVisible());
    await screenshot(page, 'settings-warnings');
    await kernel.locator('.monaco-button', { hasText: 'Open Settings' }).click();
    // The Settings editor opens on that setting.
    await page.locator('.settings-editor .setting-item', { hasText: 'Kernel Sources' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+W');
  });

  test('a command from the palette opens the Memory Layout panel and its page talks to the extension', async () => {
    await runCommand(page, 'Execmem Lens: Show Memory Layout Panel');
    const panel = page.locator('#workbench\\.parts\\.panel');
    await panel.locator('.pane-header, .composite.title', { hasText: /Memory Layout|Execmem Layout/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(page, EXTENSION_ID);
    // The page shows what only the host's init message carries: version and current arch.
    await frame.getByText('No simulation yet').waitFor({ timeout: 30_000 });
    await frame.getByText(/Execmem Lens \d+\.\d+\.\d+ · panel protocol 2/).waitFor({ timeout: 10_000 });
    assert.equal(await frame.locator('.arch-name').innerText(), 'x86');
    await screenshot(page, 'layout-panel');
  });

  test('Select Architecture from the palette updates the status bar and the panel', async () => {
    await runCommand(page, 'Execmem Lens: Select Architecture');
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('arm64');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'arch/arm64/mm/init.c' }).first().waitFor();
    await input.press('Enter');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'arm64' }).waitFor({ timeout: 10_000 });
    const frame = webviewFrame(page, EXTENSION_ID);
    await frame.locator('.arch-name', { hasText: 'arm64' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'arch-arm64');
  });

  test('choosing an arch in the panel reaches the extension (status bar follows)', async () => {
    const frame = webviewFrame(page, EXTENSION_ID);
    const select = frame.locator('vscode-single-select#arch-select');
    await select.click();
    await select.getByRole('option', { name: 'riscv', exact: true }).click();
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'riscv' }).waitFor({ timeout: 10_000 });
    await frame.locator('.arch-name', { hasText: 'riscv' }).waitFor({ timeout: 10_000 });
  });

  test('the extension host activated Execmem Lens without errors', async () => {
    const ours = server.readLogs(/Execmem Lens\.log$/);
    assert.ok(ours.length > 0, 'the extension wrote no log: was it activated?');
    assert.ok(ours.some((l) => /Execmem Lens \d+\.\d+\.\d+ activated/.test(l.text)), 'no activation line in the extension log');
    const host = server.readLogs(/exthost\d*[\\/]remoteexthost\.log$|exthost\.log$/);
    assert.ok(host.length > 0, 'no extension host log found');
    const errors = host.flatMap((l) => l.text.split('\n')).filter((line) => /\[error\]/i.test(line) && /execmem/i.test(line));
    assert.deepEqual(errors, [], 'the extension host logged errors for Execmem Lens');
    assert.ok(host.some((l) => /execmem-lens/.test(l.text)), 'the extension host log never mentions execmem-lens');
  });
});
