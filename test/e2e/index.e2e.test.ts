/**
 * The mail index in a real VS Code: the first read of a source builds its
 * index in the extension's storage; mail appended to the mbox is picked up
 * by the file watcher and only it is read; a window opened again shows the
 * tree from the model kept beside the index, reading nothing. Checked in the tree and in the
 * extension's log, which says how many messages each read took from the mail.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { mbox, patchBody } from '../support/mail';
import { launchBrowser, openWorkbench, runCommand, screenshot, waitForExtension } from './support/workbench';

const V1 = 'PATCH-00-13-mm-jit-text-allocator.mbox';

describe('mail index in code-server', { timeout: 400_000, skip: corpusMissing }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let list: string;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');

  /** The extension's log lines that report a read through the index of the list, as [messages, read now]. */
  const indexReads = (): [number, number][] =>
    server
      .readLogs(/Execmem Lens/)
      .flatMap(({ text }) => [...text.matchAll(/mail index of \S*linux-mm\.mbox: (\d+) messages \((\d+) read now\)/g)])
      .map((m) => [Number(m[1]), Number(m[2])]);

  const waitForRead = async (count: number): Promise<[number, number][]> => {
    for (let i = 0; i < 120; i++) {
      const reads = indexReads();
      if (reads.length >= count) return reads;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the log never reported read ${count} through the index (saw ${JSON.stringify(indexReads())})`);
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'execmem-e2e-index-'));
    mkdirSync(path.join(dir, 'lists'));
    list = path.join(dir, 'lists', 'linux-mm.mbox');
    copyFileSync(path.join(THREADS_DIR, V1), list);
    server = await startCodeServer({ workspace: dir, vsix: vsixPath(), userSettings: { 'execmemLens.mailSources': [list], 'execmemLens.kernelSources': [] } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'index-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the first read builds the index in global storage', async () => {
    await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    await sidebar().locator('.monaco-list-row', { hasText: 'mm: jit/text allocator' }).first().waitFor({ timeout: 120_000 });
    const [first] = await waitForRead(1);
    assert.ok(first![0] > 50, `the thread's messages are in the index (${first![0]})`);
    assert.equal(first![1], first![0], 'the first read took every message from the mail');
    const storage = path.join(server.userDataDir, 'User', 'globalStorage');
    const files = existsSync(storage) ? readdirSync(storage, { recursive: true }).map(String) : [];
    assert.ok(files.some((f) => /mail-index\/linux-mm\.mbox-[0-9a-f]{12}\.sqlite$/.test(f)), `an index file in ${storage}: ${files.join(', ')}`);
  });

  test('mail appended to the mbox appears in the tree, and only it was read', async () => {
    const before_ = indexReads().length;
    appendFileSync(
      list,
      mbox(
        { id: 'e2e-0@example.org', subject: '[PATCH 0/1] execmem: appended while the window was open', body: 'Cover.\n' },
        { id: 'e2e-1@example.org', subject: '[PATCH 1/1] execmem: appended while the window was open', inReplyTo: 'e2e-0@example.org', references: ['e2e-0@example.org'], body: patchBody('mm/execmem.c') },
      ),
    );
    // No command: the file watcher sees the change.
    await sidebar().locator('.monaco-list-row', { hasText: 'appended while the window was open' }).first().waitFor({ timeout: 60_000 });
    const reads = await waitForRead(before_ + 1);
    const [messages, fresh] = reads[reads.length - 1]!;
    assert.equal(fresh, 3, 'the two appended messages were read from the mail, and the last one before them again (a delivery may have cut it short)');
    assert.equal(messages, reads[0]![0] + 2);
    await screenshot(page, 'index-appended');
  });

  test('a reply appended is put into the loaded series, its trailer counted, without grouping all the mail again', async () => {
    const before_ = indexReads().length;
    appendFileSync(
      list,
      mbox({
        id: 'e2e-2@example.org',
        subject: 'Re: [PATCH 1/1] execmem: appended while the window was open',
        inReplyTo: 'e2e-1@example.org',
        references: ['e2e-0@example.org', 'e2e-1@example.org'],
        from: 'Rev Iewer <reviewer@example.org>',
        body: 'Looks right.\n\nReviewed-by: Rev Iewer <reviewer@example.org>\n',
      }),
    );
    const reads = await waitForRead(before_ + 1);
    const [messages, fresh] = reads[reads.length - 1]!;
    assert.equal(fresh, 2, 'the reply was read, and the message before it again');
    assert.equal(messages, reads[0]![0] + 3);
    const put = server.readLogs(/Execmem Lens/).some(({ text }) => /new mail put into the model already made in \d+ ms/.test(text));
    assert.ok(put, 'the log says the reply was put into the loaded series');
    // The family opened: its version counts the trailer the reply gave.
    const family = sidebar().locator('.monaco-list-row', { hasText: 'appended while the window was open' }).first();
    if ((await family.getAttribute('aria-expanded')) !== 'true') await family.click();
    await sidebar().locator('.monaco-list-row', { hasText: 'R/A 1' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'index-reply-appended');
  });

  test('a window opened again shows the tree from the model kept, reading nothing', async () => {
    const before_ = indexReads().length;
    await runCommand(page, 'Developer: Reload Window');
    await waitForExtension(page);
    // The window may come back with the view open already, a moment after the workbench: a click on
    // its icon then would close it. Give it that moment before opening it.
    const header = sidebar().locator('.pane-header', { hasText: 'Patch Series' });
    await header.waitFor({ timeout: 15_000 }).catch(() => undefined);
    if (!(await header.isVisible())) await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    await sidebar().locator('.monaco-list-row', { hasText: 'appended while the window was open' }).first().waitFor({ timeout: 120_000 });
    // The sources had not changed: the model image kept at the last read was opened, and no index read at all.
    const opened = server
      .readLogs(/Execmem Lens/)
      .some(({ text }) => /the model kept for these sources opened in \d+ ms: \d+ messages, \d+ series versions/.test(text));
    assert.ok(opened, 'the log says the kept model was opened');
    assert.equal(indexReads().length, before_, 'no index was read again');
    // A family opened reads its slice: its version still counts the trailer the reply gave.
    const family = sidebar().locator('.monaco-list-row', { hasText: 'appended while the window was open' }).first();
    if ((await family.getAttribute('aria-expanded')) !== 'true') await family.click();
    await sidebar().locator('.monaco-list-row', { hasText: 'R/A 1' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'index-reopened');
  });
});
