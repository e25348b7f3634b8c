import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { accountFor } from '../../../src/core/series/accounting';
import { accountBySource, mergeSources, sourceFailure, type SourceRead } from '../../../src/core/series/bysource';
import { groupSeries } from '../../../src/core/series/group';
import { readSources } from '../../../src/node/mail/read';
import { mbox, type MailSpec, seriesMail } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-bysource-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Each source read alone, as the extension's store reads (and caches) them. */
async function readEach(paths: string[]): Promise<SourceRead[]> {
  const reads: SourceRead[] = [];
  for (const p of paths) {
    const r = await readSources([p]);
    reads.push({ sourceId: path.resolve(p), messages: r.messages, duplicates: r.duplicates, errors: r.errors, seen: r.seen });
  }
  return reads;
}

describe('mail from several sources, each accounted for', () => {
  const series = seriesMail({ prefix: 'PATCH v2', title: 'execmem: tidy up', total: 2, stem: 'bs' });
  const reply: MailSpec = { id: 'bs-r@example.org', subject: 'Re: [PATCH v2 1/2] part 1', inReplyTo: 'bs-1@example.org', date: 'Mon, 22 Apr 2024 09:00:00 +0000', body: 'Reviewed-by: Song Liu <song@kernel.org>\n' };
  const chat: MailSpec = { id: 'chat@example.org', subject: 'lunch?', date: 'Mon, 22 Apr 2024 10:00:00 +0000', body: 'Who comes?\n' };
  const a = write('a.mbox', mbox(...series, reply));
  // b: the reply again (read from a first), the same reply with other text, a chat message twice.
  const b = write('b.mbox', mbox(reply, { ...chat }, { ...chat, body: 'Who comes? (edited)\n' }));
  const makefile = write('Makefile', 'all:\n\tgcc -o foo foo.c\n\nclean:\n\trm -f foo\n');
  const empty = write('empty.mbox', '');

  test('a message read again from a later source is a duplicate of that source, compared with the copy that counts', async () => {
    const reads = await readEach([a, b]);
    const merged = mergeSources(reads);
    assert.deepEqual(merged.messages.map((m) => m.msgid).sort(), ['bs-0@example.org', 'bs-1@example.org', 'bs-2@example.org', 'bs-r@example.org', 'chat@example.org'].sort());
    assert.deepEqual(
      merged.duplicates.map((d) => [d.msgid, path.basename(d.sourceId), d.identical, d.firstOrigin]),
      [
        ['bs-r@example.org', 'b.mbox', true, 'a.mbox, message 4'],
        ['chat@example.org', 'b.mbox', false, 'b.mbox, message 2'],
      ],
    );
  });

  test('each source adds up: read = covers + patches + replies + others + duplicates + errors', async () => {
    const reads = await readEach([a, b, makefile, empty]);
    const merged = mergeSources(reads);
    const index = groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
    const counts = accountBySource(index, new Map(reads.map((r) => [r.sourceId, r.seen])));
    const of = (p: string) => counts.get(path.resolve(p))!;
    assert.deepEqual(of(a), { messages: 4, covers: 1, patches: 2, replies: 1, others: 0, duplicates: 0, errors: 0, unaccounted: 0 });
    assert.deepEqual(of(b), { messages: 3, covers: 0, patches: 0, replies: 0, others: 1, duplicates: 2, errors: 0, unaccounted: 0 });
    assert.deepEqual(of(makefile), { messages: 1, covers: 0, patches: 0, replies: 0, others: 0, duplicates: 0, errors: 1, unaccounted: 0 });
    assert.deepEqual(of(empty), { messages: 0, covers: 0, patches: 0, replies: 0, others: 0, duplicates: 0, errors: 0, unaccounted: 0 });
    // The sources together are the whole index.
    const whole = accountFor(index);
    assert.equal(whole.unaccounted, 0);
    assert.equal([...counts.values()].reduce((n, c) => n + c.messages, 0), whole.messages);
  });

  test('a source that gives no mail says why; one that gives some does not fail', async () => {
    const reads = await readEach([a, makefile, empty]);
    const merged = mergeSources(reads);
    const index = groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
    const counts = accountBySource(index, new Map(reads.map((r) => [r.sourceId, r.seen])));
    const errorsOf = (p: string) => index.errors.filter((e) => e.sourceId === path.resolve(p));
    assert.equal(sourceFailure(counts.get(path.resolve(a))!, errorsOf(a)), null);
    const [makeError] = errorsOf(makefile);
    assert.ok(makeError);
    assert.equal(sourceFailure(counts.get(path.resolve(makefile))!, errorsOf(makefile)), `not mail: ${makeError.message}`);
    assert.match(sourceFailure(counts.get(path.resolve(empty))!, [])!, /^no mail/);
    const many = { messages: 2, covers: 0, patches: 0, replies: 0, others: 0, duplicates: 0, errors: 2, unaccounted: 0 };
    assert.match(sourceFailure(many, [{ msgid: null, origin: 'x, message 1', message: 'too large' }, { msgid: null, origin: 'x, message 2', message: 'no header' }])!, /^not mail: none of its 2 messages could be read \(the first: too large\)$/);
  });

  test('an error without its source is given the source it was read from', () => {
    const merged = mergeSources([{ sourceId: '/x/y.mbox', messages: [], duplicates: [], errors: [{ msgid: null, origin: 'y.mbox', message: 'bad' }], seen: 1 }]);
    assert.equal(merged.errors[0]!.sourceId, '/x/y.mbox');
  });
});
