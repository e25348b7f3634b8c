/**
 * The outbox: composed replies appended to an mbox as mboxrd writes them,
 * read back by the mail reader one message each, a body line starting
 * "From " intact; a file that did not end in a blank line still separates;
 * a write that fails says so and names the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { composeReply } from '../../../src/core/review/reply';
import { readSources } from '../../../src/node/mail/read';
import { replyMail } from '../../../src/node/review/mail';
import { appendToMbox, separatorLine } from '../../../src/node/review/outbox';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const me = { name: 'Rév Iewer', address: 'reviewer@example.org' };

function reply(id: string, text: string): Buffer {
  const r = composeReply(
    { msgid: 'orig@x', subject: '[PATCH] mm: x', from: { name: 'A', address: 'a@x.org' }, date: null, to: [], cc: [], inReplyTo: null, references: [], body: 'The change.\n' },
    { me, comments: [{ path: '', side: 'new', line: 0, text }], messageId: id, date: new Date(Date.UTC(2026, 11, 1, 9, 0, 0)) },
  );
  assert.ok(r.ok);
  return replyMail(r.value);
}

describe('the outbox', () => {
  test('two replies appended, read back as two messages; a body line "From …" comes back as written', async () => {
    const box = path.join(dir, 'ws', '.execmem-lens', 'outbox.mbox');
    const now = new Date(Date.UTC(2026, 11, 1, 9, 0, 0));
    assert.equal(separatorLine('reviewer@example.org', now), 'From reviewer@example.org Tue Dec  1 09:00:00 2026');
    appendToMbox(box, reply('one@example.org', 'First.\nFrom here on it is fine.'), me.address, now);
    const second = appendToMbox(box, reply('two@example.org', 'Second.'), me.address, now);
    assert.equal(second.to, readFileSync(box).length);
    assert.match(readFileSync(box, 'utf8'), /^>From here on it is fine\.$/m);
    const read = await readSources([box]);
    assert.equal(read.seen, 2);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['one@example.org', 'two@example.org']);
    assert.match(read.messages[0]!.body, /^From here on it is fine\.$/m);
    assert.equal(read.messages[0]!.from.name, 'Rév Iewer');
  });

  test('a file that does not end with a blank line still gets a separator of its own', async () => {
    const box = path.join(dir, 'cut.mbox');
    writeFileSync(box, 'From a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: s\nMessage-ID: <first@x>\n\nno newline at the end');
    appendToMbox(box, reply('three@example.org', 'Third.'), me.address, new Date());
    const read = await readSources([box]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['first@x', 'three@example.org']);
    assert.match(read.messages[0]!.body, /no newline at the end\s*$/);
  });

  test('a write that cannot be done names the file', () => {
    assert.throws(() => appendToMbox('/dev/full', reply('four@example.org', 'Fourth.'), me.address, new Date()), /\/dev\/full: the reply could not be saved: .*ENOSPC/);
  });
});
