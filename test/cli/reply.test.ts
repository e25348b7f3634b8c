/**
 * `execmem-lens reply`: on the corpus thread of v1, a comment on a line of
 * 04/13's arch/arm64/kernel/module.c and a Reviewed-by give a well-formed
 * mail (CRLF, 8bit UTF-8, encoded name, threaded under 04/13), which the
 * mail reader, given it as one more message of the thread, shows as a reply
 * to 04/13 with its comment on that line and its trailer counted. Errors
 * name the argument; the sender comes from git's configuration.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCommentArg } from '../../src/cli/commands/reply';
import { decodeMessage, mailboxesOf } from '../../src/core/mail/message';
import { splitReview } from '../../src/core/review/quotes';
import { groupSeries } from '../../src/core/series/group';
import { gitIdentity } from '../../src/node/review/identity';
import { readSources } from '../../src/node/mail/read';
import { runCaptured } from '../support/cli';
import { corpusMissing, THREADS_DIR } from '../support/corpus';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-reply-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = runCaptured;

const V1 = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');
const P04 = '20230601101257.530867-5-rppt@kernel.org';
const FROM = 'Rév Iewer <reviewer@example.org>';

describe('execmem-lens reply', { skip: corpusMissing }, () => {
  test('a comment on a line of 04/13 and a Reviewed-by: a well-formed mail, read back as a reply on that line with its trailer counted', async () => {
    const r = await run('reply', `<${P04}>`, V1, '--comment', 'arch/arm64/kernel/module.c:20:Why is jitalloc.h needed here?', '--trailer', 'Reviewed-by', '--from', FROM);
    assert.equal(r.code, 0, r.err);
    const raw = Buffer.from(r.out, 'utf8');
    // Every line ends in CRLF; the head and the body are split by an empty line; no line too long.
    assert.ok(!/[^\r]\n/.test(r.out) && r.out.endsWith('\r\n'), 'CRLF line endings');
    const [head] = r.out.split('\r\n\r\n');
    assert.match(head!, /^From: =\?UTF-8\?Q\?R=C3=A9v_Iewer\?= <reviewer@example\.org>$/m);
    assert.match(head!, /^Content-Type: text\/plain; charset=utf-8$/m);
    assert.match(head!, /^Content-Transfer-Encoding: 8bit$/m);
    assert.match(head!, /^MIME-Version: 1\.0$/m);
    assert.ok(r.out.split('\r\n').every((l) => Buffer.byteLength(l) <= 998));
    const m = decodeMessage(raw, 'x');
    assert.ok('ok' in m && m.ok);
    const mail = m.value;
    assert.equal(mail.subject, 'Re: [PATCH 04/13] mm/jitalloc, arch: convert remaining overrides of module_alloc to jitalloc');
    assert.deepEqual(mail.from, { name: 'Rév Iewer', address: 'reviewer@example.org' });
    assert.equal(mail.inReplyTo, P04);
    assert.deepEqual(mail.references, ['20230601101257.530867-1-rppt@kernel.org', P04]);
    assert.deepEqual(mailboxesOf(mail.to).map((x) => x.address), ['rppt@kernel.org']);
    const cc = mailboxesOf(mail.cc).map((x) => x.address.toLowerCase());
    assert.ok(cc.includes('linux-mm@kvack.org') && cc.includes('catalin.marinas@arm.com'));
    assert.ok(!cc.includes('rppt@kernel.org') && !cc.includes('reviewer@example.org'));
    assert.match(mail.body, /^> \+\+\+ b\/arch\/arm64\/kernel\/module\.c\n> @@ -17,56 \+17,49 @@/m);
    assert.match(mail.body, /^> \+#include <linux\/jitalloc\.h>\n\nWhy is jitalloc\.h needed here\?\n/m);
    assert.match(mail.body, /\n\nReviewed-by: Rév Iewer <reviewer@example\.org>\n$/);
    assert.ok(!/^> diff --git a\/arch\/(?!arm64\/kernel\/module\.c)/m.test(mail.body), 'only the commented file is quoted');

    // The round trip: the reply as one more message of the thread.
    const thread = path.join(dir, 'thread.mbox');
    copyFileSync(V1, thread);
    appendFileSync(thread, Buffer.concat([Buffer.from('\nFrom reviewer@example.org Tue Dec  1 09:00:00 2026\n'), Buffer.from(r.out.replace(/\r\n/g, '\n').replace(/^From /gm, '>From '))]));
    const read = await readSources([thread]);
    const index = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
    const v1 = index.series.find((v) => v.title === 'mm: jit/text allocator' && v.version === 1)!;
    const patch = v1.patches.find((p) => p.message.msgid === P04)!;
    const mine = patch.replies.find((x) => x.from.address === 'reviewer@example.org');
    assert.ok(mine, 'the reply is a reply to 04/13');
    const anchors = splitReview(mine.body, patch.files).anchors;
    assert.equal(anchors.length, 1);
    assert.equal(anchors[0]!.path, 'arch/arm64/kernel/module.c');
    assert.equal(anchors[0]!.side, 'new');
    assert.equal(anchors[0]!.line, 20);
    assert.match(anchors[0]!.text, /Why is jitalloc\.h needed here\?/);
    assert.ok(
      patch.trailers.some((t) => t.name === 'Reviewed-by' && t.from === 'followup' && t.by.address === 'reviewer@example.org' && t.msgid === mine.msgid),
      patch.trailers.map((t) => `${t.name} ${t.by.address}`).join('\n'),
    );
  });

  test('on the cover letter, a trailer alone is given for the series', async () => {
    const r = await run('reply', '20230601101257.530867-1-rppt@kernel.org', V1, '--trailer', 'Acked-by', '--from', 'A Cker <acker@example.org>');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out.replace(/\r\n/g, '\n'), /\n\[\.\.\.\]\n\nFor the series:\nAcked-by: A Cker <acker@example\.org>\n$/);
  });

  test('errors name what is wrong: an unknown Message-ID, a line outside every hunk, a trailer, a comment', async () => {
    const unknown = await run('reply', 'nope@x', V1, '--trailer', 'Reviewed-by', '--from', FROM);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no message <nope@x> in /);
    const outside = await run('reply', P04, V1, '--comment', 'arch/arm64/kernel/module.c:5:x', '--from', FROM);
    assert.equal(outside.code, 1);
    assert.match(outside.err, /--comment 'arch\/arm64\/kernel\/module\.c:5:x': arch\/arm64\/kernel\/module\.c:5: no hunk of the patch holds that line/);
    const other = await run('reply', P04, V1, '--comment', 'mm/nothing.c:5:x', '--from', FROM);
    assert.equal(other.code, 1);
    assert.match(other.err, /--comment 'mm\/nothing\.c:5:x': mm\/nothing\.c: the patch does not touch that file/);
    const trailer = await run('reply', P04, V1, '--trailer', 'Liked-by', '--from', FROM);
    assert.equal(trailer.code, 2);
    assert.match(trailer.err, /--trailer 'Liked-by': one of Reviewed-by, Acked-by, Tested-by, Reported-by/);
    const nothing = await run('reply', P04, V1, '--from', FROM);
    assert.equal(nothing.code, 1);
    assert.match(nothing.err, /nothing to send/);
    assert.equal((await run('reply', P04, V1, '--comment', 'a.c:x:y', '--from', FROM)).code, 2);
    assert.equal((await run('reply', P04, V1, '--from', 'nobody')).code, 2);
  });
});

describe('reply arguments and identity', () => {
  test('--comment forms: a line, a range, an old-side line, the whole message', () => {
    assert.deepEqual(parseCommentArg('mm/a.c:42:Why?'), { path: 'mm/a.c', side: 'new', line: 42, text: 'Why?' });
    assert.deepEqual(parseCommentArg('mm/a.c:10-12:A: block'), { path: 'mm/a.c', side: 'new', line: 12, startLine: 10, text: 'A: block' });
    assert.deepEqual(parseCommentArg('mm/a.c:-13:Was right'), { path: 'mm/a.c', side: 'old', line: 13, text: 'Was right' });
    assert.deepEqual(parseCommentArg(':Overall fine'), { path: '', side: 'new', line: 0, text: 'Overall fine' });
    assert.match(parseCommentArg('mm/a.c:12-10:x') as string, /no such line/);
    assert.match(parseCommentArg('mm/a.c:3:  ') as string, /says nothing/);
  });

  test('the sender from git: sendemail.from first, else user.name and user.email, else why not', async () => {
    const repo = path.join(dir, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    // Only this repository's configuration: no global or system one.
    const env = { ...process.env, GIT_CONFIG_GLOBAL: path.join(dir, 'no-global'), GIT_CONFIG_NOSYSTEM: '1', HOME: dir };
    writeFileSync(path.join(dir, 'no-global'), '');
    const none = await gitIdentity(repo, env);
    assert.ok(!none.ok);
    assert.match(none.error, /neither sendemail\.from nor user\.email/);
    execFileSync('git', ['-C', repo, 'config', 'user.name', 'Ana Lyst'], { env });
    execFileSync('git', ['-C', repo, 'config', 'user.email', 'ana@example.org'], { env });
    assert.deepEqual(await gitIdentity(repo, env), { ok: true, value: { name: 'Ana Lyst', address: 'ana@example.org' }, source: 'user.name and user.email' });
    execFileSync('git', ['-C', repo, 'config', 'sendemail.from', 'Ana L. <ana.l@example.org>'], { env });
    assert.deepEqual(await gitIdentity(repo, env), { ok: true, value: { name: 'Ana L.', address: 'ana.l@example.org' }, source: 'sendemail.from' });
  });
});
