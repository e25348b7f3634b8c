/**
 * Grouping from facts (as an index keeps messages) gives the same series as
 * grouping from bodies, on every corpus file and the linux-modules epoch, and
 * never reads a body to do it.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { foldWhiteSpace } from '../../../src/node/index/indexer';
import { accountFor } from '../../../src/core/series/accounting';
import { decodeFacts, encodeFacts, indexedMessage, keeper, lighten } from '../../../src/core/series/facts';
import { groupSeries } from '../../../src/core/series/group';
import { seriesJson } from '../../../src/core/series/json';
import type { SourcedMessage } from '../../../src/core/series/model';
import { historyOf } from '../../../src/core/search/history';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, epochRepo, THREADS_DIR } from '../../support/corpus';

/** `encoded`: the facts also go through the index's encoding and back, decoded with one Keep for the whole read as an index read does. */
async function both(sources: string[], encoded = false): Promise<void> {
  const read = await readSources(sources);
  const full = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
  const byId = new Map(read.messages.map((m) => [m.msgid, m]));
  let loads = 0;
  const light = read.messages.map((m) =>
    lighten({ ...m }, {
      text: (x: SourcedMessage) => {
        loads++;
        return byId.get(x.msgid)!;
      },
    }),
  );
  if (encoded) {
    const keep = keeper();
    for (const m of light) Object.defineProperty(m, 'facts', { value: decodeFacts(encodeFacts(m.facts!), keep), enumerable: true });
    // One object for each trailer written the same way, one string for each path.
    const trailers = light.flatMap((m) => m.facts!.patchTrailers).filter((t) => t.note === undefined);
    const byText = new Map<string, object>();
    for (const t of trailers) {
      const key = `${t.name}: ${t.value}`;
      assert.ok((byText.get(key) ?? t) === t, `${key} decoded twice`);
      byText.set(key, t);
    }
    assert.ok(byText.size < trailers.length, 'some trailer recurs in the corpus');
  }
  const grouped = groupSeries(light, { errors: read.errors, duplicates: read.duplicates });
  assert.equal(loads, 0, 'grouping from facts read no body');
  // The whole JSON (titles, versions, patches, stats, trailers, findings) is the same.
  assert.deepEqual(seriesJson(grouped), seriesJson(full));
  assert.deepEqual(accountFor(grouped), accountFor(full));
  assert.equal(loads, 0, 'the JSON read no body');
  // The history of a file is the same, and found without reading bodies.
  const file = 'arch/arm64/kernel/module.c';
  const h1 = historyOf(full, file, 'module_alloc').map((h) => h.patch.message.msgid);
  const h2 = historyOf(grouped, file, 'module_alloc').map((h) => h.patch.message.msgid);
  assert.deepEqual(h2, h1);
  assert.equal(loads, 0, 'history read no body');
  // A patch's diff is read again on demand, the same as it was.
  const p1 = full.series.flatMap((v) => v.patches)[0];
  const p2 = grouped.series.flatMap((v) => v.patches)[0];
  if (p1 && p2) {
    assert.equal(p2.diff, p1.diff);
    assert.equal(p2.commitMessage, p1.commitMessage);
    assert.deepEqual(p2.files[0]?.structured.hunks.length, p1.files[0]?.structured.hunks.length);
    assert.ok(loads > 0);
  }
}

describe('grouping from facts', { skip: corpusMissing }, () => {
  for (const name of corpusMissing ? [] : readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox'))) {
    test(`the same series from facts as from bodies: threads/${name}`, () => both([path.join(THREADS_DIR, name)]));
  }
  test('the same series from facts as from bodies: all threads at once', () =>
    both(readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox')).map((n) => path.join(THREADS_DIR, n))));
  test('the same series from facts as from bodies: the linux-modules epoch', () => both([epochRepo()]));
  test('the same series from facts encoded and decoded as an index keeps them: all threads, the linux-modules epoch', async () => {
    await both(readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox')).map((n) => path.join(THREADS_DIR, n)), true);
    await both([epochRepo()], true);
  });
});

describe('an indexed message', () => {
  const head = (time: number, date: string | null) => ({
    msgid: 'a@b', syntheticId: false, subject: 's', from: { name: 'A', address: 'a@b' }, date, time,
    inReplyTo: null, references: [], size: 1, origin: 'o', sourceId: 'x', loc: '0-1',
    facts: decodeFacts(encodeFacts({ hasDiff: false, diffEmpty: true, files: [], diffKey: 'k', contentKey: 'c', patchTrailers: [], followupTrailers: [], baseCommit: null, changeId: null, hunkHeaders: [], touches: [] })),
  });
  const loader = { text: () => ({ body: '', attachedPatches: [] }) };
  test('gives its date as the mail reader gave it: its time written out, none for no time, and a date kept that its time does not say', () => {
    assert.equal(indexedMessage(head(1686182400000, '2023-06-08T00:00:00.000Z'), loader).date, '2023-06-08T00:00:00.000Z');
    assert.equal(indexedMessage(head(0, null), loader).date, null);
    // Mail dated the first second of 1970 has the time 0 and still a date.
    assert.equal(indexedMessage(head(0, '1970-01-01T00:00:00.000Z'), loader).date, '1970-01-01T00:00:00.000Z');
  });
  test('gives where it was read: an epoch and commit written out from its place, any other origin as it was given', () => {
    const commit = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
    const at = (origin: string, loc: string) => indexedMessage({ ...head(0, null), origin, loc }, loader).origin;
    assert.equal(at('0.git 1a2b3c4d5e6f', `0.git/${commit}`), '0.git 1a2b3c4d5e6f');
    assert.equal(at('threads/v1.mbox, message 3', '1200-3400'), 'threads/v1.mbox, message 3');
    assert.equal(at('something else', `0.git/${commit}`), 'something else');
  });
  test('decoded facts with no files, trailers or hunks share one frozen empty list', () => {
    const f = head(0, null).facts;
    assert.ok(Object.isFrozen(f.files) && f.files === (f.patchTrailers as unknown[]) && f.hunkHeaders === (f.touches as unknown[]));
  });
});

describe('white space folded for the diff hash', () => {
  test('foldWhiteSpace gives what replacing every run of white space by one space gives', () => {
    const pieces = ['a', 'int x;', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\u3000', '\ufeff', ' \n ', '+', '-'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const t = parts.join('');
        assert.equal(foldWhiteSpace(t), t.replace(/\s+/g, ' '));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
