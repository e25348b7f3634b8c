/**
 * The reply a reviewer sends: threaded under the original (one "Re:", the
 * References continued), To the author and Cc the rest but the sender, the
 * quote trimmed to the commented hunks with their headers and a few lines of
 * context, each comment under its lines, the trailer at the end ("for the
 * series" on a cover), nothing of the original's signature; and a clear
 * error for a line no hunk holds.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { splitMbox } from '../../../src/core/mail/mbox';
import { decodeMessage, mailboxesOf } from '../../../src/core/mail/message';
import { composeReply, type Original, originalOf, recipients, replyReferences, replySubject } from '../../../src/core/review/reply';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

const me = { name: 'Rév Iewer', address: 'reviewer@example.org' };
const opts = { me, messageId: '20261201.1@example.org', date: new Date(Date.UTC(2026, 11, 1, 9, 0, 0)) };

/** Two files, the first with two hunks; a signature. */
const BODY = [
  'mm: add the thing',
  '',
  'Longer explanation of the thing,',
  'over two lines.',
  '',
  'Signed-off-by: Mike Rapoport <rppt@kernel.org>',
  '---',
  ' mm/a.c | 4 ++--',
  ' mm/b.c | 1 +',
  '',
  'diff --git a/mm/a.c b/mm/a.c',
  'index 1111111..2222222 100644',
  '--- a/mm/a.c',
  '+++ b/mm/a.c',
  '@@ -10,7 +10,7 @@ static int first(void)',
  ' 	int a;',
  ' 	int b;',
  ' 	int c;',
  '-	a = 1;',
  '+	a = 2;',
  ' 	b = 1;',
  ' 	c = 1;',
  ' 	return 0;',
  '@@ -40,6 +40,6 @@ static int second(void)',
  ' 	int x;',
  ' 	int y;',
  '-	x = 1;',
  '+	x = 3;',
  ' 	y = 1;',
  ' 	return x;',
  'diff --git a/mm/b.c b/mm/b.c',
  'index 3333333..4444444 100644',
  '--- a/mm/b.c',
  '+++ b/mm/b.c',
  '@@ -1,2 +1,3 @@',
  ' #include <linux/mm.h>',
  '+#include <linux/vmalloc.h>',
  ' ',
  '-- ',
  '2.43.0',
  '',
].join('\n');

const original: Original = {
  msgid: '20240422080100.1-2-rppt@kernel.org',
  subject: '[PATCH v1 02/13] mm: add the thing',
  from: { name: 'Mike Rapoport', address: 'rppt@kernel.org' },
  date: '2024-04-22T08:01:00.000Z',
  to: [{ name: 'Andrew Morton', address: 'akpm@linux-foundation.org' }],
  cc: [
    { name: 'Mike Rapoport', address: 'RPPT@kernel.org' },
    { name: '', address: 'linux-mm@kvack.org' },
    { name: 'Rév Iewer', address: 'reviewer@example.org' },
    { name: 'Andrew Morton', address: 'akpm@linux-foundation.org' },
  ],
  inReplyTo: '20240422080100.1-0-rppt@kernel.org',
  references: ['20240422080100.1-0-rppt@kernel.org'],
  body: BODY,
};

describe('composing a reply', () => {
  test('headers: one Re:, To the author, Cc the rest but the sender (each once), the thread continued', () => {
    assert.equal(replySubject('[PATCH v1 02/13] mm: add the thing'), 'Re: [PATCH v1 02/13] mm: add the thing');
    assert.equal(replySubject('Re: RE: re[2]: [PATCH] x'), 'Re: [PATCH] x');
    const { to, cc } = recipients(original, me);
    assert.deepEqual(to, [original.from]);
    assert.deepEqual(cc, [
      { name: 'Andrew Morton', address: 'akpm@linux-foundation.org' },
      { name: '', address: 'linux-mm@kvack.org' },
    ]);
    assert.deepEqual(replyReferences(original), ['20240422080100.1-0-rppt@kernel.org', original.msgid]);
    assert.deepEqual(replyReferences({ ...original, references: [], inReplyTo: 'x@y' }), ['x@y', original.msgid]);
    assert.deepEqual(replyReferences({ ...original, references: [], inReplyTo: null }), [original.msgid]);
  });

  test('the quote is the commented hunk: its file header, its hunk header, three lines of context, the comment under its line', () => {
    const r = composeReply(original, { ...opts, comments: [{ path: 'mm/a.c', side: 'new', line: 42, text: 'Why 3?' }], trailer: 'Reviewed-by' });
    assert.ok(r.ok, !r.ok ? r.error : '');
    assert.equal(
      r.value.body,
      [
        'On Mon, 22 Apr 2024 08:01:00 +0000, Mike Rapoport wrote:',
        '[...]',
        '> diff --git a/mm/a.c b/mm/a.c',
        '> index 1111111..2222222 100644',
        '> --- a/mm/a.c',
        '> +++ b/mm/a.c',
        '',
        '[...]',
        '',
        '> @@ -40,6 +40,6 @@ static int second(void)',
        '>  	int x;',
        '>  	int y;',
        '> -	x = 1;',
        '> +	x = 3;',
        '',
        'Why 3?',
        '',
        'Reviewed-by: Rév Iewer <reviewer@example.org>',
        '',
      ].join('\n'),
    );
    assert.equal(r.value.subject, 'Re: [PATCH v1 02/13] mm: add the thing');
    assert.equal(r.value.inReplyTo, original.msgid);
    assert.ok(!r.value.body.includes('2.43.0'), 'nothing of the signature');
  });

  test('comments on two files and on the old side, in the order of the patch; a range keeps its first line', () => {
    const r = composeReply(original, {
      ...opts,
      comments: [
        { path: 'mm/b.c', side: 'new', line: 2, text: 'Needed?' },
        { path: 'mm/a.c', side: 'old', line: 13, text: 'The old value was right.' },
        { path: 'mm/a.c', side: 'new', line: 15, startLine: 10, text: 'This whole block\ncould go.' },
      ],
    });
    assert.ok(r.ok, !r.ok ? r.error : '');
    const body = r.value.body;
    const at = (s: string) => body.indexOf(s);
    // The a.c hunk from its first line (the range), the old line's comment under "-	a = 1;", the range's under "c = 1;".
    assert.ok(at('> @@ -10,7 +10,7 @@') > 0);
    assert.ok(at('>  	int a;') > at('> @@ -10,7 +10,7 @@'));
    assert.ok(at('> -	a = 1;\n\nThe old value was right.\n') > 0, body);
    assert.ok(at('>  	c = 1;\n\nThis whole block\ncould go.\n') > at('The old value was right.'), body);
    assert.ok(at('> diff --git a/mm/b.c b/mm/b.c') > at('could go.'));
    assert.ok(at('> +#include <linux/vmalloc.h>\n\nNeeded?\n') > at('> diff --git a/mm/b.c'), body);
    assert.ok(!body.includes('@@ -40,6'), 'the hunk with no comment is cut');
    assert.ok(!body.includes('Longer explanation'), 'the commit message is cut');
  });

  test('a trailer alone quotes the opening of the message and cuts the rest; on a cover it is for the series', () => {
    const r = composeReply({ ...original, subject: '[PATCH v1 00/13] mm: jit/text allocator', body: 'This series does X.\nAnd Y.\n\nMore text.\n' }, { ...opts, comments: [], trailer: 'Acked-by', cover: true });
    assert.ok(r.ok);
    assert.equal(
      r.value.body,
      ['On Mon, 22 Apr 2024 08:01:00 +0000, Mike Rapoport wrote:', '> This series does X.', '> And Y.', '', '[...]', '', 'For the series:', 'Acked-by: Rév Iewer <reviewer@example.org>', ''].join('\n'),
    );
  });

  test('a line no hunk holds, a file the patch does not touch, nothing to say: errors naming what is wrong', () => {
    const outside = composeReply(original, { ...opts, comments: [{ path: 'mm/a.c', side: 'new', line: 30, text: 'x' }] });
    assert.deepEqual(outside, { ok: false, error: 'mm/a.c:30: no hunk of the patch holds that line (of the new side)' });
    const removedOnly = composeReply(original, { ...opts, comments: [{ path: 'mm/a.c', side: 'new', line: 13, text: 'x' }] });
    assert.ok(removedOnly.ok, 'new line 13 is the added "a = 2;"');
    const other = composeReply(original, { ...opts, comments: [{ path: 'mm/c.c', side: 'new', line: 1, text: 'x' }] });
    assert.deepEqual(other, { ok: false, error: 'mm/c.c: the patch does not touch that file (it touches mm/a.c, mm/b.c)' });
    assert.deepEqual(composeReply(original, { ...opts, comments: [] }), { ok: false, error: 'nothing to send: no comment and no trailer' });
  });

  test('a removed line "- " is not a signature; a quoted path is the file; a cover letter loses its signature', () => {
    const body = [
      'x',
      '---',
      'diff --git "a/mm/a b.c" "b/mm/a b.c"',
      '--- "a/mm/a b.c"',
      '+++ "b/mm/a b.c"',
      '@@ -1,3 +1,3 @@',
      ' one',
      '-- ',
      '+two',
      ' three',
      '-- ',
      '2.43.0',
    ].join('\n');
    const r = composeReply({ ...original, body }, { ...opts, comments: [{ path: 'mm/a b.c', side: 'new', line: 3, text: 'Three?' }] });
    assert.ok(r.ok, !r.ok ? r.error : '');
    assert.match(r.value.body, /^> -- \n> \+two\n>  three\n\nThree\?\n$/m);
    assert.ok(!r.value.body.includes('2.43.0'));
    const cover = composeReply({ ...original, body: 'The series.\n\n-- \nMike, who signs\n' }, { ...opts, comments: [], trailer: 'Acked-by', cover: true });
    assert.ok(cover.ok);
    assert.ok(!cover.value.body.includes('who signs'), cover.value.body);
  });

  test('the mailboxes of a header: a name with a comma is one mailbox; an encoded line break never reaches a name', () => {
    assert.deepEqual(mailboxesOf('"Edgecombe, Rick P" <rick.p.edgecombe@intel.com>, linux-mm@kvack.org'), [
      { name: 'Edgecombe, Rick P', address: 'rick.p.edgecombe@intel.com' },
      { name: '', address: 'linux-mm@kvack.org' },
    ]);
    const [m] = mailboxesOf('=?UTF-8?Q?Foo=0D=0ACc:_evil@x?= <foo@example.org>');
    assert.equal(m!.address, 'foo@example.org');
    assert.ok(!/[\r\n]/.test(m!.name), JSON.stringify(m!.name));
  });

  test('a general comment goes after the quotes, before the trailer', () => {
    const r = composeReply(original, { ...opts, comments: [{ path: '', side: 'new', line: 0, text: 'Nice cleanup overall.' }], trailer: 'Tested-by' });
    assert.ok(r.ok);
    assert.match(r.value.body, /\[\.\.\.\]\n\nNice cleanup overall\.\n\nTested-by: Rév Iewer <reviewer@example.org>\n$/);
  });

  test('on the corpus: v1 04/13 answered on a line of arch/arm64/kernel/module.c', { skip: corpusMissing }, () => {
    const file = readdirSync(THREADS_DIR).find((n) => n.startsWith('PATCH-00-13-'))!;
    const entries = splitMbox(readFileSync(path.join(THREADS_DIR, file)));
    const messages = entries.flatMap((e) => {
      const d = decodeMessage(e.bytes, 'x');
      return 'ok' in d && d.ok ? [d.value] : [];
    });
    const patch = messages.find((m) => /^\[PATCH 04\/13\]/.test(m.subject) || /^\[PATCH v1 04\/13\]/.test(m.subject) || /\b04\/13\]/.test(m.subject) && !/^Re:/i.test(m.subject));
    assert.ok(patch, 'patch 04/13 is in the thread');
    const hunk = /@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(patch.body.slice(patch.body.indexOf('+++ b/arch/arm64/kernel/module.c')))!;
    const line = Number(hunk[1]) + 3;
    const r = composeReply(
      originalOf(patch),
      { ...opts, comments: [{ path: 'arch/arm64/kernel/module.c', side: 'new', line, text: 'A question about this line.' }], trailer: 'Reviewed-by' },
    );
    assert.ok(r.ok, !r.ok ? r.error : '');
    assert.match(r.value.body, /^> \+\+\+ b\/arch\/arm64\/kernel\/module\.c$/m);
    assert.ok(!/^> diff --git a\/(?!arch\/arm64\/kernel\/module\.c)/m.test(r.value.body), 'no other file quoted');
    assert.ok(r.value.cc.length > 0 && r.value.cc.every((m) => m.address.toLowerCase() !== patch.from.address.toLowerCase()));
    assert.equal(r.value.references[r.value.references.length - 1], patch.msgid);
  });
});
