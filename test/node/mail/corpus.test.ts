/** The series reader on real mail: the shared corpus's threads and its public-inbox epoch. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { accountFor } from '../../../src/core/series/accounting';
import { groupSeries } from '../../../src/core/series/group';
import type { SeriesIndex, SeriesVersion } from '../../../src/core/series/model';
import { readSources, type ReadResult } from '../../../src/node/mail/read';
import { corpusMissing, EXPECTED_SERIES, epochRepo, THREADS_DIR } from '../../support/corpus';

const label = (v: SeriesVersion) => `${v.rfc ? 'RFC ' : ''}${v.resend ? 'RESEND ' : ''}v${v.version}`;

function checkReadme(idx: SeriesIndex): void {
  const families = new Set<string>();
  for (const [title, versions] of Object.entries(EXPECTED_SERIES)) {
    for (const [want, patches] of versions) {
      const found = idx.series.filter((s) => s.title === title && label(s) === want && !s.superseded);
      assert.equal(found.length, 1, `${title} ${want}: found ${found.length}`);
      const s = found[0]!;
      assert.equal(s.total, patches, `${title} ${want} total`);
      assert.equal(s.patches.length, patches, `${title} ${want} patches`);
      assert.deepEqual(s.missing, [], `${title} ${want} missing`);
      assert.ok(s.cover, `${title} ${want} has a cover letter`);
      families.add(s.family);
    }
  }
  assert.equal(families.size, 4, `the four series are four families: ${[...families].join(' | ')}`);
  // v5 of the jit/text allocator went out broken first, then whole.
  const v5 = idx.series.filter((s) => s.title === 'mm: jit/text allocator' && s.version === 5);
  assert.equal(v5.length, 2);
  const [broken, whole] = v5.sort((a, b) => a.time - b.time);
  assert.equal(broken!.superseded, true);
  assert.equal(broken!.supersededBy, whole!.id);
  assert.equal(broken!.threaded, false);
  assert.equal(whole!.superseded, false);
  assert.equal(whole!.threaded, true);
  // Each version is dated and the list is in date order.
  for (let i = 1; i < idx.series.length; i++) assert.ok(idx.series[i - 1]!.time <= idx.series[i]!.time);
}

/** Every message read is in exactly one bucket, and the buckets add up to what was read. */
function checkAccounting(read: ReadResult, what: string): SeriesIndex {
  const idx = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
  const a = accountFor(idx);
  assert.equal(a.messages, read.seen, `${what}: every message read is counted`);
  assert.equal(a.covers + a.patches + a.replies + a.others + a.duplicates + a.errors, a.messages, `${what}: ${JSON.stringify(a)}`);
  assert.equal(a.unaccounted, 0, what);
  assert.deepEqual(a.doubleCounted, [], `${what}: no message in two buckets`);
  return idx;
}

describe('corpus: real linux-modules mail', { skip: corpusMissing }, () => {
  test('the accounting equation holds on every corpus file, one by one', async () => {
    const files = corpusMissing ? [] : readdirSync(THREADS_DIR).filter((f) => f.endsWith('.mbox'));
    assert.equal(files.length, 25);
    for (const f of files) {
      const read = await readSources([path.join(THREADS_DIR, f)]);
      const idx = checkAccounting(read, f);
      assert.ok(idx.series.length > 0, `${f} holds a series`);
    }
  });

  test('threads/: every series version of the corpus README, complete, with cover, in four families', async () => {
    const read = await readSources([THREADS_DIR]);
    assert.deepEqual(read.errors, []);
    const idx = groupSeries(read.messages, read.errors);
    checkReadme(idx);
    // v1 was reviewed at length: 41 replies, many quoting hunks.
    const v1 = idx.series.find((s) => s.title === 'mm: jit/text allocator' && s.version === 1)!;
    assert.equal(v1.replyCount, 41);
    const p4 = v1.patches[3]!;
    assert.match(p4.message.subject, /\[PATCH 04\/13\]/);
    assert.ok(p4.files.some((f) => f.path === 'arch/arm64/kernel/module.c'));
  });

  test('threads/: subjects folded and encoded in the mbox are decoded', async () => {
    const read = await readSources([THREADS_DIR]);
    assert.ok(read.messages.every((m) => !/=\?[^?]+\?[bq]\?/i.test(m.subject)), 'an RFC 2047 word was left encoded');
    assert.ok(read.messages.every((m) => !/\n/.test(m.subject)));
  });

  test('the public-inbox epoch: the same series found among ten thousand messages', async () => {
    const read = await readSources([epochRepo()]);
    assert.equal(read.seen, 10570);
    assert.equal(read.messages.length, 10565, 'duplicated Message-IDs are kept once');
    assert.equal(read.duplicates.length, 5, 'and the later copies are listed as duplicates');
    assert.deepEqual(read.errors, []);
    const idx = checkAccounting(read, 'the linux-modules epoch');
    checkReadme(idx);
    assert.ok(idx.others.length > 0, 'a list carries mail that is not a series');
  });

  test('several sources at once are merged, duplicates kept once', async () => {
    const one = await readSources([THREADS_DIR]);
    const both = await readSources([THREADS_DIR, `${THREADS_DIR}/PATCH-00-13-mm-jit-text-allocator.mbox`]);
    assert.equal(both.messages.length, one.messages.length);
    assert.ok(both.seen > one.seen);
    assert.equal(both.duplicates.length, both.seen - one.seen, 'the second reading of the v1 thread is all duplicates');
    assert.ok(both.duplicates.every((d) => d.identical));
    checkAccounting(both, 'threads/ and the v1 thread again');
  });
});
