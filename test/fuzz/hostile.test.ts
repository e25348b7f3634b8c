/**
 * Hostile shapes of mail, each built in a temporary folder at test time:
 * the reader returns (no throw, no hang, bounded time), a bad message is an
 * error whose origin names the file and the message number, and the other
 * messages are read; every message read is accounted for.
 *
 * Under `npm test` the largest fixture is cut down (100,000 "From " lines
 * instead of 1,000,000); `npm run fuzz` (EXECMEM_FUZZ_FULL=1) builds it whole.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { groupSeries } from '../../src/core/series/group';
import type { SeriesIndex } from '../../src/core/series/model';
import { readSources, type ReadResult } from '../../src/node/mail/read';
import { patchBody } from '../support/mail';
import { FUZZ_FULL } from './support/budget';
import { assertAccounted } from './support/pipeline';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SEP = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';
let senders = 0;

function mail(id: string, subject: string, extra: string[] = [], body = 'body\n'): string {
  return [`From: Mike Rapoport <rppt@kernel.org>`, `Subject: ${subject}`, 'Date: Mon, 22 Apr 2024 08:00:00 +0000', `Message-ID: <${id}>`, ...extra, '', body].join('\n');
}

/** An mbox of the given messages, written as mboxrd. */
function mboxOf(...messages: string[]): string {
  return messages.map((m) => `${SEP}${m.replace(/^(>*From )/gm, '>$1')}\n`).join('');
}

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** Reads, groups and checks the accounting; returns both. */
async function readAll(paths: string[]): Promise<{ read: ReadResult; index: SeriesIndex; ms: number }> {
  const t = performance.now();
  const read = await readSources(paths);
  const index = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
  const ms = performance.now() - t;
  assert.equal(read.messages.length + read.duplicates.length + read.errors.length, read.seen);
  assertAccounted(index, read.messages, read.seen);
  return { read, index, ms };
}

describe('hostile mail: one bad message among good ones', () => {
  test(`${FUZZ_FULL ? '1,000,000' : '100,000'} "From " lines: each empty message is an error, the two real ones are read, in bounded time and memory`, async () => {
    const n = FUZZ_FULL ? 1_000_000 : 100_000;
    const file = write('from-lines.mbox', `${SEP}${mail('first@x', 'first')}\n${SEP.repeat(n)}${SEP}${mail('last@x', 'last')}\n`);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    let result;
    try {
      result = await readAll([file]);
    } finally {
      clearInterval(sample);
    }
    const { read, ms } = result;
    assert.deepEqual(read.messages.map((m) => m.msgid), ['first@x', 'last@x']);
    assert.equal(read.errors.length, n);
    assert.equal(read.seen, n + 2);
    const { loc, ...first } = read.errors[0]!;
    assert.deepEqual(first, { msgid: null, origin: 'from-lines.mbox, message 2', sourceId: path.resolve(file), message: 'message has no headers' });
    // Where it lies, as an index keeps it: an empty byte range between two "From " lines.
    assert.match(loc ?? '', /^(\d+)-\1$/);
    assert.equal(read.errors[n - 1]!.origin, `from-lines.mbox, message ${n + 1}`);
    // Figures on the 2-core machine (2026-11-30): 1,000,000 lines read in ~11 s, ~590 MB peak RSS.
    const perMessageUs = (ms * 1000) / n;
    const peakMb = (peak - rss0) / 1048576;
    console.log(`# ${n} empty messages: ${Math.round(ms)} ms (${perMessageUs.toFixed(1)} µs each), RSS +${Math.round(peakMb)} MB`);
    assert.ok(perMessageUs < 100, `${perMessageUs.toFixed(1)} µs per empty message`);
    assert.ok(peakMb < (n * 2000) / 1048576 + 200, `RSS grew ${Math.round(peakMb)} MB for ${n} empty messages`);
  });

  test('a 10 MB header is an error naming its message; the messages around it are read', async () => {
    const folded = `${mail('huge@x', 'huge', [`X-Junk: ${'x'.repeat(76)}`, ...Array.from({ length: 10 * 1024 * 1024 / 80 }, () => ` ${'y'.repeat(78)}`)])}`;
    const oneLine = mail('oneline@x', 'one line', [`X-Junk: ${'z'.repeat(10 * 1024 * 1024)}`]);
    const file = write('big-header.mbox', mboxOf(mail('a@x', 'before'), folded, oneLine, mail('b@x', 'after')));
    const { read, ms } = await readAll([file]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['a@x', 'b@x']);
    assert.deepEqual(
      read.errors.map((e) => [e.origin, e.msgid]),
      [
        ['big-header.mbox, message 2', 'huge@x'],
        ['big-header.mbox, message 3', 'oneline@x'],
      ],
    );
    for (const e of read.errors) assert.match(e.message, /^header block is \d+ bytes, over the 262144-byte limit$/);
    assert.ok(ms < 10_000, `${Math.round(ms)} ms`);
  });

  test('1,000-level MIME nesting is an error naming its message, however it nests', async () => {
    const depth = 1000;
    let multipart = 'Content-Type: text/plain\n\nleaf\n';
    for (let d = depth; d > 0; d--) multipart = `Content-Type: multipart/mixed; boundary="b${d}"\n\n--b${d}\n${multipart}\n--b${d}--\n`;
    let viaMessages = 'Content-Type: text/plain\n\nleaf\n';
    for (let d = depth; d > 0; d--) viaMessages = `Content-Type: multipart/mixed; boundary="m${d}"\n\n--m${d}\nContent-Type: message/rfc822\n\nSubject: level ${d}\n${viaMessages}\n--m${d}--\n`;
    let chain = 'Subject: leaf\n\nleaf\n';
    for (let d = 0; d < depth; d++) chain = `Subject: level ${d}\nContent-Type: message/rfc822\n\n${chain}`;
    const nested = (id: string, mime: string) => `From: A <a@x.org>\nMessage-ID: <${id}>\n${mime}`;
    const file = write('nesting.mbox', mboxOf(mail('a@x', 'before'), nested('multipart@x', multipart), nested('via-messages@x', viaMessages), nested('chain@x', chain), mail('b@x', 'after')));
    const { read, ms } = await readAll([file]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['a@x', 'b@x']);
    assert.deepEqual(
      read.errors.map((e) => [e.origin, e.msgid]),
      [
        ['nesting.mbox, message 2', 'multipart@x'],
        ['nesting.mbox, message 3', 'via-messages@x'],
        ['nesting.mbox, message 4', 'chain@x'],
      ],
    );
    for (const e of read.errors) assert.match(e.message, /nesting depth|multipart or message parts, over the limit/);
    assert.ok(ms < 10_000, `${Math.round(ms)} ms`);
  });

  test('a [PATCH 99999999999/1] subject is kept, as an extra with a finding; nothing is allocated per number', async () => {
    const file = write(
      'numbers.mbox',
      mboxOf(
        mail('big-index@x', '[PATCH 99999999999/1] mm: a', [], patchBody('mm/a.c')),
        mail('big-total@x', '[PATCH 1/99999999999] mm: b', [], patchBody('mm/b.c')),
        mail('digits@x', `[PATCH ${'9'.repeat(400)}/${'9'.repeat(400)}] mm: d`, [], patchBody('mm/d.c')),
      ).replace(/^From: Mike Rapoport <rppt@kernel.org>$/gm, () => `From: Sender ${++senders} <s${senders}@x.org>`),
    );
    const { read, index, ms } = await readAll([file]);
    assert.equal(read.messages.length, 3);
    const versionOf = (id: string) => index.series.find((v) => [...v.patches, ...v.extras].some((p) => p.message.msgid === id))!;
    const a = versionOf('big-index@x');
    assert.deepEqual(a.extras.map((p) => p.index), [99999999999]);
    assert.match(a.extras[0]!.findings.join(), /beyond the series' total/);
    const b = versionOf('big-total@x');
    assert.equal(b.total, 99999999999);
    assert.deepEqual(b.missing, []);
    assert.match(b.findings.join(), /missing numbers are not listed/);
    // 400 digits are no number (Infinity, which JSON writes as null): read as an unnumbered patch.
    const d = versionOf('digits@x');
    assert.equal(d.total, 1);
    assert.deepEqual(d.patches.map((p) => p.index), [1]);
    assert.match(d.patches[0]!.findings.join(), /is not a number; read as unnumbered/);
    for (const v of index.series) assert.ok(v.missing.length <= 9999 && Number.isFinite(v.total));
    assert.ok(ms < 5000, `${Math.round(ms)} ms`);
  });
});

describe('hostile mail: threads', () => {
  test('10,000 References (all read, and all dangling): threading follows the last one known, in bounded time', async () => {
    const n = 10_000;
    const chain = [mail('m0@x', '[PATCH] mm: execmem', [], patchBody('mm/execmem.c'))];
    for (let i = 1; i < 50; i++) chain.push(mail(`m${i}@x`, 'Re: [PATCH] mm: execmem', [`In-Reply-To: <m${i - 1}@x>`]));
    const refs = Array.from({ length: n }, (_, i) => (i < 50 ? `<m${i}@x>` : `<gone${i}@x>`));
    // The last known id is early in the list; everything after it never arrived.
    refs.push(...refs.splice(1, 49));
    const all = mail('all-refs@x', 'Re: [PATCH] mm: execmem', [`References: ${refs.join('\n ')}`]);
    const dangling = mail('dangling@x', 'Re: something else', [`References: ${Array.from({ length: n }, (_, i) => `<lost${i}@x>`).join(' ')}`]);
    const file = write('references.mbox', mboxOf(...chain, all, dangling));
    const { read, index, ms } = await readAll([file]);
    assert.deepEqual(read.errors, []);
    assert.equal(read.messages.find((m) => m.msgid === 'all-refs@x')!.references.length, n);
    assert.equal(index.parentOf.get('all-refs@x'), 'm49@x');
    assert.equal(index.parentOf.get('dangling@x'), undefined);
    assert.equal(index.series[0]!.patches[0]!.replies.length, 50);
    assert.ok(ms < 5000, `${Math.round(ms)} ms`);
  });

  test('a References loop (A→B→A, a message answering itself): read, grouped, no parent loop left', async () => {
    const file = write(
      'loop.mbox',
      mboxOf(
        mail('A@x', '[PATCH] loop a', ['In-Reply-To: <B@x>', 'References: <B@x>'], patchBody('mm/a.c')),
        mail('B@x', 'Re: [PATCH] loop a', ['In-Reply-To: <A@x>', 'References: <A@x>']),
        mail('C@x', 'Re: [PATCH] loop a', ['In-Reply-To: <C@x>', 'References: <C@x> <A@x> <C@x>']),
        mail('D@x', '[PATCH 1/2] loop d', ['In-Reply-To: <E@x>'], patchBody('mm/d.c')),
        mail('E@x', '[PATCH 2/2] loop d', ['In-Reply-To: <D@x>'], patchBody('mm/e.c')),
      ),
    );
    const { read, index } = await readAll([file]);
    assert.equal(read.messages.length, 5);
    for (const id of index.byId.keys()) {
      const seen = new Set<string>();
      for (let at: string | undefined = id; at !== undefined; at = index.parentOf.get(at)) {
        assert.ok(!seen.has(at), `parent loop through ${at}`);
        seen.add(at);
      }
    }
    // C answers itself in In-Reply-To; it is still filed under the patch it is about.
    assert.equal(index.series[0]!.patches[0]!.replies.map((m) => m.msgid).sort().join(), 'B@x,C@x');
  });
});

describe('hostile mail: encodings and mbox dialects', () => {
  test('invalid UTF-8 and mixed charsets are read (with replacement characters), not errors', async () => {
    const bytes = (s: string) => Buffer.from(s, 'latin1');
    const parts = [
      bytes(`${SEP}From: =?iso-8859-1?q?J=F6rg?= <j@x.org>\nSubject: =?utf-8?q?caf=C3=A9?= =?iso-8859-1?b?6Q==?= =?koi8-r?b?9MXT1Ao=?= \xff\xfe\nMessage-ID: <mixed@x>\nContent-Type: text/plain; charset=iso-8859-1\n\nd\xe9j\xe0 vu \xff\n\n`),
      bytes(`${SEP}From: a@x.org\nSubject: broken \xc3\x28 \xed\xa0\x80 \xf0\x28\x8c\x28\nMessage-ID: <bad-utf8@x>\n\nbody \xc0\x80 \xe2\x82\n\n`),
      bytes(`${SEP}From: a@x.org\nSubject: unknown charset\nMessage-ID: <unknown@x>\nContent-Type: text/plain; charset="x-no-such-charset"\n\nplain \xe9\n\n`),
      bytes(`${SEP}From: a@x.org\nSubject: =?utf-16?b?//5hAGIA?= =?bogus?q?x?= =?utf-8?q?unterminated\nMessage-ID: <words@x>\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n=80 euro =XY bad escape =\n\n`),
      bytes(`${SEP}From: a@x.org\nSubject: base64\nMessage-ID: <b64@x>\nContent-Transfer-Encoding: base64\n\n!!!not base64 at all***\n\n`),
    ];
    const file = write('charsets.mbox', Buffer.concat(parts));
    const { read } = await readAll([file]);
    assert.deepEqual(read.errors, []);
    const by = new Map(read.messages.map((m) => [m.msgid, m]));
    assert.equal(by.get('mixed@x')!.from.name, 'Jörg');
    // Adjacent encoded words join without the space between them (RFC 2047); the raw \xff\xfe are no UTF-8.
    assert.match(by.get('mixed@x')!.subject, /^caféé.*\uFFFD/s);
    assert.equal(by.get('mixed@x')!.body, 'déjà vu ÿ\n');
    assert.match(by.get('bad-utf8@x')!.subject, /\uFFFD/);
    assert.equal(by.get('unknown@x')!.body, 'plain \uFFFD\n');
    assert.match(by.get('words@x')!.body, /euro =XY bad escape/);
    assert.equal(by.size, 5);
  });

  test(
    'windows-1252 (and iso-8859-1, which the Encoding Standard reads as windows-1252) decodes 0x80–0x9F as €, ’, …',
    async () => {
      const file = write('cp1252.mbox', Buffer.from(`${SEP}From: a@x.org\nSubject: =?windows-1252?q?=93quoted=94?=\nMessage-ID: <cp1252@x>\nContent-Type: text/plain; charset=windows-1252\n\n\x80 \x92 \x96\n\n`, 'latin1'));
      const { read } = await readAll([file]);
      assert.equal(read.messages[0]!.body, '€ ’ –\n');
      assert.equal(read.messages[0]!.subject, '“quoted”');
    },
  );

  test('a CRLF-only mbox reads as the same messages as its LF copy', async () => {
    const text = mboxOf(
      mail('c0@x', '[PATCH 0/1] crlf', [], 'Cover.\n'),
      mail('c1@x', '[PATCH 1/1] crlf', ['In-Reply-To: <c0@x>', 'References:\n <c0@x>'], patchBody('mm/crlf.c')),
      mail('c2@x', 'Re: [PATCH 1/1] crlf', ['In-Reply-To: <c1@x>'], '> quoted\n\nReviewed-by: R <r@x.org>\n'),
    );
    const lf = await readAll([write('lf.mbox', text)]);
    const crlf = await readAll([write('crlf.mbox', text.replace(/\n/g, '\r\n'))]);
    const view = (r: ReadResult) => r.messages.map((m) => [m.msgid, m.subject, m.inReplyTo, m.references, m.body]);
    assert.deepEqual(view(crlf.read), view(lf.read));
    assert.deepEqual(crlf.read.errors, []);
    assert.equal(crlf.index.series[0]!.patches[0]!.trailers.filter((t) => t.from === 'followup').length, 1);
  });

  test('mboxrd ">From " escaping is undone one level, and an unescaped "From " body line does not split a message', async () => {
    const body = 'From the manual: modules load here.\n>From one quote\n>>From two quotes\n> From not escaped\nFrom x Mon Jan  1 00:00:00 2024 is a date\n';
    const escaped = `${SEP}${mail('esc@x', 'escaped', [], body.replace(/^(>*From )/gm, '>$1'))}\n`;
    const mboxo = `${SEP}${mail('mboxo@x', 'not escaped', [], 'From the manual, not escaped.\n')}\n`;
    const file = write('mboxrd.mbox', escaped + mboxo);
    const { read } = await readAll([file]);
    assert.deepEqual(read.errors, []);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['esc@x', 'mboxo@x']);
    assert.equal(read.messages[0]!.body, `${body}`);
    assert.equal(read.messages[1]!.body, 'From the manual, not escaped.\n');
  });
});

describe('hostile mail: sources that are not what they seem', () => {
  test('a symlink loop inside a format-patch folder is one error naming the file; the good patch is read', async () => {
    const folder = path.join(dir, 'patches');
    mkdirSync(folder);
    const fp = `From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n${mail('good@x', '[PATCH] good', [], patchBody('mm/good.c'))}`;
    writeFileSync(path.join(folder, '0001-good.patch'), fp);
    symlinkSync('0002-loop.patch', path.join(folder, '0002-loop.patch'));
    symlinkSync('0003-b.patch', path.join(folder, '0003-a.patch'));
    symlinkSync('0003-a.patch', path.join(folder, '0003-b.patch'));
    symlinkSync('.', path.join(folder, '0004-here.mbox'));
    const { read } = await readAll([folder]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['good@x']);
    assert.deepEqual(
      read.errors.map((e) => e.origin),
      ['0002-loop.patch', '0003-a.patch', '0003-b.patch', '0004-here.mbox'],
    );
    for (const e of read.errors.slice(0, 3)) assert.match(e.message, /^could not be read: ELOOP/);
    assert.match(read.errors[3]!.message, /^could not be read: EISDIR/);
  });

  /** A bare git repository holding one public-inbox message per commit. */
  function publicInbox(repo: string, messages: string[]): void {
    execFileSync('git', ['init', '--quiet', '--bare', repo]);
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
    const git = (args: string[], input?: string) => execFileSync('git', ['--git-dir', repo, ...args], { input, encoding: 'utf8', env }).trim();
    let parent: string | undefined;
    for (const m of messages) {
      const blob = git(['hash-object', '-w', '--stdin'], m);
      const tree = git(['mktree'], `100644 blob ${blob}\tm\n`);
      parent = git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'm']);
    }
    git(['update-ref', 'refs/heads/master', parent!]);
  }

  test('a public-inbox epoch that is not a git repository is one error; the good epoch beside it is read', async () => {
    const inbox = path.join(dir, 'inbox');
    mkdirSync(path.join(inbox, 'git', '0.git', 'objects'), { recursive: true });
    writeFileSync(path.join(inbox, 'git', '0.git', 'HEAD'), 'not a ref\n');
    publicInbox(path.join(inbox, 'git', '1.git'), [mail('pi@x', '[PATCH] from the good epoch', [], patchBody('mm/pi.c'))]);
    const { read } = await readAll([inbox]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['pi@x']);
    assert.equal(read.errors.length, 1);
    assert.equal(read.errors[0]!.origin, '0.git');
    assert.match(read.errors[0]!.message, /^not a readable git repository: .*not a git repository/);
  });

  test('a folder with HEAD, objects and refs that is not a git repository, inside some git work tree, is one error (the work tree is not read)', async () => {
    // Regression: git -C looked upwards from the fake epoch and read the enclosing repository's
    // history, each commit an error "commit has no message blob m".
    const work = path.join(dir, 'worktree');
    execFileSync('git', ['init', '--quiet', work]);
    execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '--quiet', '--allow-empty', '-m', 'unrelated']);
    const fake = path.join(work, 'fake-inbox');
    for (const n of ['HEAD', 'objects', 'refs']) mkdirSync(path.join(fake, n), { recursive: true });
    const { read } = await readAll([fake]);
    assert.deepEqual(read.messages, []);
    assert.deepEqual(read.errors.map((e) => e.origin), ['fake-inbox']);
    assert.match(read.errors[0]!.message, /not a git repository/);
  });

  test('a public-inbox whose "git" is a file cannot be read at all: the error names the path', async () => {
    const inbox = path.join(dir, 'git-file');
    mkdirSync(inbox);
    writeFileSync(path.join(inbox, 'git'), 'not a folder');
    await assert.rejects(readSources([inbox]), (e: Error) => e.message.includes(path.join(inbox, 'git')));
  });
});
