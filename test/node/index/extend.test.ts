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
});
