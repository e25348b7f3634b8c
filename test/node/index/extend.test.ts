/**
 * New mail put into a grouped index (extendSeries) gives what grouping all
 * the mail again gives, with the new messages last: on the corpus threads and
 * the linux-modules epoch, for random sets of messages taken out and put back
 * (replies alone, and sets with patches in them, where it must decline and
 * change nothing).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { extendWithRead, mergeSources, type SourceRead } from '../../../src/core/series/bysource';
import { extendSeries, groupSeries } from '../../../src/core/series/group';
import type { SeriesIndex, SourcedMessage } from '../../../src/core/series/model';
import { parseSubject } from '../../../src/core/mail/subject';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, epochRepo, THREADS_DIR } from '../../support/corpus';

/** All that the tree, the accounting and the trailers show of an index, as plain data. */
function picture(index: SeriesIndex): unknown {
  const ids = (ms: readonly SourcedMessage[]) => ms.map((m) => m.msgid);
  return {
    messageCount: index.messageCount,
    replyCount: index.replyCount,
    families: index.families.map((f) => [f.id, f.title, f.versions.map((v) => v.id)]),
    series: index.series.map((v) => ({
      id: v.id,
      version: v.version,
      superseded: v.supersededBy,
      replyCount: v.replyCount,
      coverReplies: ids(v.coverReplies),
      coverTrailers: v.coverTrailers.map((t) => [t.name, t.value, t.from, t.msgid, t.via ?? '', t.mismatch ?? false]),
      patches: [...v.patches, ...v.extras].map((p) => ({
        msgid: p.message.msgid,
        replies: ids(p.replies),
        trailers: p.trailers.map((t) => [t.name, t.value, t.from, t.msgid, t.by.address, t.mismatch ?? false, t.note ?? '']),
      })),
    })),
    others: ids(index.others),
    byId: [...index.byId.keys()].sort(),
    parentOf: [...index.parentOf].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    duplicates: index.duplicates.map((d) => d.msgid),
    errors: index.errors.length,
  };
}

async function check(sources: string[], runs: number): Promise<void> {
  const read = await readSources(sources);
  const all = read.messages;
  const replies = all.map((m, i) => [m, i] as const).filter(([m]) => parseSubject(m.subject).isReply).map(([, i]) => i);
  assert.ok(replies.length > 10, 'the corpus has replies to put back');
  let extended = 0;
  let declined = 0;
  const put = (taken: ReadonlySet<number>) => {
    const before = all.filter((_, i) => !taken.has(i));
    const added = all.filter((_, i) => taken.has(i));
    const whole = groupSeries([...before, ...added], { errors: read.errors, duplicates: read.duplicates });
    const index = groupSeries(before, { errors: read.errors, duplicates: read.duplicates });
    const was = JSON.stringify(picture(index));
    const out = extendSeries(index, added);
    if (out === null) {
      declined++;
      assert.equal(JSON.stringify(picture(index)), was, 'declining changed nothing');
      return;
    }
    extended++;
    assert.equal(out, index);
    assert.deepEqual(picture(out), picture(whole));
  };
  // Replies alone (a list's usual new mail), with the replies to them (new mail is not answered by old).
  const namers = new Map<string, number[]>();
  all.forEach((m, i) => {
    for (const id of new Set([m.inReplyTo, ...m.references])) if (id !== null) namers.set(id, [...(namers.get(id) ?? []), i]);
  });
  const withAnswers = (picked: readonly number[]): Set<number> => {
    const out = new Set(picked);
    for (const i of out) for (const j of namers.get(all[i]!.msgid) ?? []) out.add(j);
    return out;
  };
  fc.assert(
    fc.property(fc.uniqueArray(fc.constantFrom(...replies), { minLength: 1, maxLength: 40 }), (picked) => put(withAnswers(picked))),
    { numRuns: runs, seed: 20261130 },
  );
  // Any messages, patches among them: taken whole, or declined with nothing changed.
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat({ max: all.length - 1 }), { minLength: 1, maxLength: 20 }), (picked) => put(new Set(picked))),
    { numRuns: runs, seed: 31 },
  );
  // The newest messages as they came.
  for (const n of [1, 10, 100]) put(new Set(all.map((_, i) => i).slice(-n)));
  assert.ok(extended > runs / 2, `new replies were put in without grouping again (${extended} of ${extended + declined})`);
  assert.ok(declined > 0, 'a new patch makes it decline');
}

describe('new mail put into a grouped index', { skip: corpusMissing }, () => {
  test('the corpus threads: the same as grouping everything again', () =>
    check(
      readdirSync(THREADS_DIR)
        .filter((n) => n.endsWith('.mbox'))
        .map((n) => path.join(THREADS_DIR, n)),
      60,
    ));
  test('the linux-modules epoch: the same as grouping everything again', () => check([epochRepo()], 12));

  test('a source read again with replies, a copy and an error at its end: the same as merging and grouping it all again', async () => {
    const read = await readSources(readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox')).map((n) => path.join(THREADS_DIR, n)));
    const named = new Set(read.messages.flatMap((m) => [m.inReplyTo, ...m.references]));
    const leaves = read.messages.filter((m) => parseSubject(m.subject).isReply && !named.has(m.msgid)).slice(-5);
    assert.equal(leaves.length, 5);
    const sourceId = read.messages[0]!.sourceId;
    const before: SourceRead = { sourceId, messages: read.messages.filter((m) => !leaves.includes(m)), duplicates: [], errors: [], seen: read.messages.length - 5 };
    // A second copy of a message read before, with other text: filed as a duplicate, not identical.
    const copy = { ...read.messages[3]!, origin: 'again', body: 'changed' } as SourcedMessage;
    delete (copy as { facts?: unknown }).facts;
    const after: SourceRead = {
      sourceId,
      messages: [...before.messages, ...leaves],
      duplicates: [{ msgid: copy.msgid, subject: copy.subject, origin: 'again', sourceId, firstOrigin: read.messages[3]!.origin, identical: false, message: copy }],
      errors: [{ msgid: null, origin: 'late', message: 'could not be read' }],
      seen: read.messages.length + 2,
    };
    const held = mergeSources([before]);
    const index = groupSeries(held.messages, { errors: held.errors, duplicates: held.duplicates });
    const out = extendWithRead(index, before, after);
    assert.ok(out, 'the read was put into the loaded series');
    const merged = mergeSources([after]);
    const whole = groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
    assert.deepEqual(picture(out), picture(whole));
    assert.deepEqual(out.duplicates.map((d) => [d.msgid, d.identical, d.firstOrigin]), whole.duplicates.map((d) => [d.msgid, d.identical, d.firstOrigin]));
    assert.deepEqual(out.errors.map((e) => [e.origin, e.sourceId]), [['late', sourceId]]);
  });
});
