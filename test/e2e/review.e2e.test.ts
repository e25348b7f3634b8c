/**
 * Reviewing from the editor, in a real VS Code: on the corpus thread of v1, a
 * comment on a line of 04/13's arch/arm64/kernel/module.c is kept as a draft
 * (the tree says so); Compose Reply with Reviewed-by makes the mail in an
 * editor; Send Reply with git send-email sends it, after a confirmation, to
 * a mail server the test runs on 127.0.0.1 (smtp-server from npm), through
 * the workspace's own git configuration. The mail received threads under
 * 04/13, quotes only the commented hunk, carries the comment and the
 * trailer; the state of 04/13 is then "reviewed"; the received mail added as
 * a mail source shows the comment on that line. Save Reply to Outbox keeps a
 * second reply in the workspace's outbox.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, startCodeServer, vsixPath } from '../../scripts/lib/codeServer';
import { decodeMessage } from '../../src/core/mail/message';
import { splitReview } from '../../src/core/review/quotes';
import { groupSeries } from '../../src/core/series/group';
import { readSources } from '../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { smtpGitConfig, startSmtp, type TestSmtp } from '../support/smtp';
import { answerFileDialog, launchBrowser, openWorkbench, pickQuickInputRow, runCommand, screenshot, waitForExtension } from './support/workbench';

const V1_MBOX = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');
const P04 = '20230601101257.530867-5-rppt@kernel.org';
const COMMENT = 'Why is jitalloc.h needed in this file?';
const noSendEmail = spawnSync('git', ['send-email', '--help'], { encoding: 'utf8' }).status !== 0 ? 'git send-email is not installed (Debian: git-email)' : false;

describe('review from the editor in code-server', { timeout: 400_000, skip: corpusMissing || noSendEmail }, () => {
  let workspace: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let smtp: TestSmtp;
  const sidebar = () => page.locator('#workbench\\.parts\\.sidebar');
  const row = (text: string | RegExp) => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const outbox = () => path.join(workspace, '.execmem-lens', 'outbox.mbox');
  const received = () => path.join(workspace, 'received.mbox');
  /** Compose Reply… from the context menu of a tree row, with the trailer picked; the mail's editor open. */
  const composeReply = async (rowText: string, trailer: RegExp): Promise<void> => {
    await row(rowText).click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Compose Reply…' }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.click();
    await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible' });
    await pickQuickInputRow(page, trailer);
    await page.locator('.editor-instance .view-lines', { hasText: 'In-Reply-To:' }).first().waitFor({ timeout: 30_000 });
  };

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'execmem-lens-review-'));
    // The reviewer's identity, as git gives it in the workspace.
    execFileSync('git', ['init', '-q', workspace]);
    execFileSync('git', ['-C', workspace, 'config', 'user.name', 'Ana Lyst']);
    execFileSync('git', ['-C', workspace, 'config', 'user.email', 'ana@example.org']);
    // git send-email sends through a server of the test's own.
    smtp = await startSmtp();
    for (const [k, v] of smtpGitConfig(smtp.port)) execFileSync('git', ['-C', workspace, 'config', k, v]);
    server = await startCodeServer({ workspace, vsix: vsixPath() });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await waitForExtension(page);
  });

  after(async () => {
    if (page) await screenshot(page, 'review-final').catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('a comment on line 20 of 04/13 arch/arm64/kernel/module.c is kept as a draft', async () => {
    await runCommand(page, 'Execmem Lens: Open mbox');
    await answerFileDialog(page, V1_MBOX);
    await row('mm: jit/text allocator').waitFor({ timeout: 60_000 });
    await row('mm: jit/text allocator').click();
    await row(/^v1: mm: jit\/text allocator/).click();
    const patch = row('04/13 mm/jitalloc');
    await patch.waitFor();
    await patch.locator('.monaco-tl-twistie').click();
    await row('arch/arm64/kernel/module.c').click();
    await page.locator('.tab', { hasText: 'module.c (04/13 v1)' }).first().waitFor({ timeout: 30_000 });
    // The cursor on line 20 of the new side (the sides are numbered as the file), then Add Comment there.
    await page.locator('.monaco-diff-editor .modified .view-lines').first().click();
    await runCommand(page, 'Go to Line/Column');
    await page.keyboard.type('20');
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: /Ln 20,/ }).first().waitFor({ timeout: 10_000 });
    await runCommand(page, 'Comments: Add Comment on Current Selection');
    const widget = page.locator('.review-widget', { has: page.locator('.monaco-button', { hasText: 'Add Comment' }) }).first();
    try {
      await widget.waitFor({ state: 'visible', timeout: 15_000 });
    } catch (e) {
      await screenshot(page, 'review-no-comment-widget');
      throw e;
    }
    await widget.locator('.monaco-editor textarea, textarea').first().focus();
    await page.keyboard.type(COMMENT);
    await widget.locator('.monaco-button', { hasText: 'Add Comment' }).first().click();
    const draft = page.locator('.review-widget', { hasText: 'Draft · not sent' }).first();
    await draft.waitFor({ state: 'visible', timeout: 15_000 });
    // Rendered as text (spaces may come back as no-break spaces).
    assert.ok((await draft.innerText()).replace(/\s+/g, ' ').includes(COMMENT), await draft.innerText());
    // The tree says it: a review begun, one draft, listed under My Review; the version counts what is reviewed.
    await row('04/13 mm/jitalloc').locator('.label-description', { hasText: 'in review, 1 draft' }).waitFor({ timeout: 15_000 });
    await row('My Review').waitFor({ timeout: 15_000 });
    await row('04/13 arch/arm64/kernel/module.c:20').locator('.label-description', { hasText: COMMENT }).waitFor({ timeout: 15_000 });
    await row(/^v1: mm: jit\/text allocator/).locator('.label-description', { hasText: '0/13 reviewed' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'review-draft');
  });

  test('the draft survives a reload of the window', async () => {
    await runCommand(page, 'Developer: Reload Window');
    await waitForExtension(page);
    // The window may come back with the view open already: a click on its icon then would close it.
    const header = sidebar().locator('.pane-header', { hasText: /Patch Series/i }).first();
    await header.waitFor({ timeout: 15_000 }).catch(() => undefined);
    if (!(await header.isVisible())) await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
    // Expanded until `child` shows: the tree is drawn again while the window's model is opened (and
    // once the reviewer's identity is known), and a row expanded in between can come back folded.
    const expanded = async (text: string | RegExp, child: string | RegExp, twistie = false) => {
      const r = row(text);
      await r.waitFor({ timeout: 120_000 });
      for (let attempt = 1; ; attempt++) {
        if ((await r.getAttribute('aria-expanded')) !== 'true') await (twistie ? r.locator('.monaco-tl-twistie') : r).click();
        const shown = await row(child).waitFor({ timeout: 20_000 }).then(() => true, () => false);
        if (shown) return;
        if (attempt === 4) throw new Error(`${String(text)} did not show ${String(child)} when expanded`);
      }
    };
    await expanded('mm: jit/text allocator', /^v1: mm: jit\/text allocator/);
    await expanded(/^v1: mm: jit\/text allocator/, '04/13 mm/jitalloc');
    await expanded('04/13 mm/jitalloc', 'arch/arm64/kernel/module.c', true);
    await row('04/13 mm/jitalloc').locator('.label-description', { hasText: 'in review, 1 draft' }).waitFor({ timeout: 30_000 });
    await row('arch/arm64/kernel/module.c').click();
    const draft = page.locator('.review-widget', { hasText: 'Draft · not sent' }).first();
    try {
      await draft.waitFor({ state: 'visible', timeout: 30_000 });
    } catch (e) {
      await screenshot(page, 'review-reload-no-draft');
      throw e;
    }
    assert.ok((await draft.innerText()).replace(/\s+/g, ' ').includes(COMMENT));
  });

  test('Compose Reply with Reviewed-by, sent with git send-email: the mail a reviewer sends', async () => {
    await composeReply('04/13 mm/jitalloc', /^Reviewed-by/);
    await screenshot(page, 'review-composed');
    await runCommand(page, 'Execmem Lens: Send Reply with git send-email');
    // The confirmation names who it goes to.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    const said = await dialog.innerText();
    assert.match(said, /To: Mike Rapoport <rppt@kernel\.org>/);
    assert.match(said, /Subject: Re: \[PATCH 04\/13\]/);
    await screenshot(page, 'review-send-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Send$/ }).click();
    for (let i = 0; i < 150 && smtp.received.length === 0; i++) await page.waitForTimeout(200);
    assert.equal(smtp.received.length, 1, 'the server received the reply');
    const got = smtp.received[0]!;
    assert.equal(got.from, 'ana@example.org');
    assert.ok(got.to.includes('rppt@kernel.org') && got.to.includes('linux-mm@kvack.org') && !got.to.includes('ana@example.org'), got.to.join(', '));
    const decoded = decodeMessage(got.raw, 'received');
    assert.ok('ok' in decoded && decoded.ok);
    const mail = decoded.value;
    assert.equal(mail.inReplyTo, P04);
    assert.deepEqual(mail.references, ['20230601101257.530867-1-rppt@kernel.org', P04]);
    assert.deepEqual(mail.from, { name: 'Ana Lyst', address: 'ana@example.org' });
    assert.match(mail.subject, /^Re: \[PATCH 04\/13\] /);
    assert.match(mail.body, /^> \+\+\+ b\/arch\/arm64\/kernel\/module\.c$/m);
    assert.ok(!/^> diff --git a\/(?!arch\/arm64\/kernel\/module\.c)/m.test(mail.body), 'only the commented file is quoted');
    assert.ok(mail.body.includes(`> +#include <linux/jitalloc.h>\n\n${COMMENT}\n`), mail.body);
    assert.match(mail.body, /\nReviewed-by: Ana Lyst <ana@example\.org>\n$/);
    // The drafts are done with; the patch is reviewed.
    await row('04/13 mm/jitalloc').locator('.label-description', { hasText: /^reviewed · / }).waitFor({ timeout: 15_000 });
    await row(/^v1: mm: jit\/text allocator/).locator('.label-description', { hasText: '1/13 reviewed' }).waitFor({ timeout: 15_000 });
    assert.equal(await row('My Review').count(), 0, 'no drafts left');
    await screenshot(page, 'review-sent');
    // The received mail as an mbox, read with the thread: a reply to 04/13, its comment on line 20, its trailer counted.
    writeFileSync(received(), Buffer.concat([Buffer.from('From ana@example.org Tue Dec  1 09:00:00 2026\n'), Buffer.from(got.raw.toString('utf8').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1')), Buffer.from('\n')]));
    const both = await readSources([V1_MBOX, received()]);
    const index = groupSeries(both.messages, { errors: both.errors, duplicates: both.duplicates });
    const p04 = index.series.flatMap((v) => v.patches).find((p) => p.message.msgid === P04)!;
    const mine = p04.replies.find((r) => r.from.address === 'ana@example.org')!;
    assert.ok(mine);
    const anchors = splitReview(mine.body, p04.files).anchors;
    assert.deepEqual(anchors.map((a) => [a.path, a.side, a.line]), [['arch/arm64/kernel/module.c', 'new', 20]]);
    assert.ok(p04.trailers.some((t) => t.name === 'Reviewed-by' && t.from === 'followup' && t.by.address === 'ana@example.org'));
  });

  test('the received mail added as a mail source: the comment shows on line 20 of the diff', async () => {
    await runCommand(page, 'Execmem Lens: Open mbox');
    await answerFileDialog(page, received());
    // The tree folded up to its sources: the received mail is the second.
    const header = sidebar().locator('.pane-header', { hasText: /Patch Series/i }).first();
    await header.hover();
    await header.locator('.action-label[aria-label="Collapse All"]').first().click();
    await row('received.mbox').waitFor({ timeout: 60_000 });
    await row(path.basename(V1_MBOX)).click();
    await row('mm: jit/text allocator').click();
    await row(/^v1: mm: jit\/text allocator/).click();
    await row('04/13 mm/jitalloc').locator('.monaco-tl-twistie').click();
    await row('arch/arm64/kernel/module.c').click();
    const mine = page.locator('.review-widget', { hasText: COMMENT }).filter({ hasText: 'Ana Lyst' }).first();
    try {
      await mine.waitFor({ state: 'visible', timeout: 30_000 });
    } catch (e) {
      await screenshot(page, 'review-round-trip-failed');
      throw e;
    }
    await screenshot(page, 'review-round-trip');
  });

  test('Save Reply to Outbox keeps a reply (a Tested-by on 04/13) in the workspace', async () => {
    await composeReply('04/13 mm/jitalloc', /^Tested-by/);
    await runCommand(page, 'Execmem Lens: Save Reply to Outbox');
    for (let i = 0; i < 50 && !existsSync(outbox()); i++) await page.waitForTimeout(200);
    const read = await readSources([outbox()]);
    assert.equal(read.messages.length, 1);
    assert.equal(read.messages[0]!.inReplyTo, P04);
    assert.match(read.messages[0]!.body, /\nTested-by: Ana Lyst <ana@example\.org>\n$/);
  });
});
