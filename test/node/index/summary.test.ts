/**
 * The tree's summary (kept in a model image's header): checked field by
 * field when read back, and counted as the tree counts.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { accountBySource, mergeSources } from '../../../src/core/series/bysource';
import { groupSeries } from '../../../src/core/series/group';
import { familiesOfSource, parseSummary, summarize, SUMMARY_VERSION, versionLabel, type SourceState, type TreeSummary } from '../../../src/core/series/summary';
import { threadsOf } from '../../../src/core/series/thread';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const summary: TreeSummary = {
  version: SUMMARY_VERSION,
  seriesVersions: 2,
  sources: [
    {
      state: { path: '/mail/linux-mm.mbox', sourceId: '/mail/linux-mm.mbox', counts: { messages: 9, covers: 2, patches: 4, replies: 1, others: 1, duplicates: 1, errors: 0, unaccounted: 0 } },
      families: [{ id: 'a@x', title: 'mm: jit/text allocator', versions: ['v1', 'RFC v2'] }],
      others: 1,
      otherThreads: 1,
      duplicates: 1,
      identical: 1,
      errors: 0,
    },
  ],
};

describe('tree summary file', () => {
  test('parseSummary checks each field', () => {
    assert.equal(parseSummary(null), undefined);
    assert.equal(parseSummary({ ...summary, seriesVersions: -1 }), undefined);
    const badCount = { ...summary, sources: [{ ...summary.sources[0]!, state: { ...summary.sources[0]!.state, counts: { ...summary.sources[0]!.state.counts, covers: '2' } } }] };
    assert.equal(parseSummary(badCount), undefined);
    assert.equal(parseSummary({ ...summary, sources: [{ ...summary.sources[0]!, otherThreads: 1.5 }] }), undefined);
    assert.deepEqual(parseSummary(summary), summary);
  });

  test('versionLabel names RFC, RESEND and an inferred version', () => {
    assert.equal(versionLabel({ rfc: true, resend: true, version: 2, versionInferred: true }), 'RFC RESEND v2 (inferred)');
    assert.equal(versionLabel({ rfc: false, resend: false, version: 1, versionInferred: false }), 'v1');
  });
});

describe('summarize', { skip: corpusMissing }, () => {
  test('each source of the corpus threads: its families, other mail, duplicates and errors, as the tree counts them', async () => {
    const files = readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox')).map((n) => path.join(THREADS_DIR, n));
    // Two sources, the second a copy of one of the first's files: every message of it is a duplicate.
    const copy = path.join(dir, 'copy.mbox');
    copyFileSync(files[0]!, copy);
    const reads = await Promise.all(
      [files, [copy]].map(async (list, i) => {
        const r = await readSources(list);
        // One source of several files: the messages say which.
        const sourceId = `source-${i}`;
        const own = <T extends { sourceId?: string }>(xs: T[]) => xs.map((x) => ({ ...x, sourceId }));
        return { sourceId, messages: own(r.messages), duplicates: own(r.duplicates), errors: own(r.errors), seen: r.seen };
      }),
    );
    const merged = mergeSources(reads);
    const index = groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
    const counts = accountBySource(index, new Map(reads.map((r) => [r.sourceId, r.seen])));
    const states: SourceState[] = reads.map((r) => ({ path: `/mail/${r.sourceId}`, sourceId: r.sourceId, counts: counts.get(r.sourceId)! }));
    const s = summarize(index, states);
    assert.equal(s.seriesVersions, index.series.length);
    assert.equal(s.sources.reduce((n, x) => n + x.families.length, 0), index.families.length, 'each family is listed under one source');
    assert.ok(s.sources[0]!.families.length > 0);
    assert.deepEqual(s.sources[1]!.families, [], 'the second source brought no family of its own');
    assert.equal(s.sources[1]!.duplicates, reads[1]!.seen - reads[1]!.errors.length, 'the second source is all duplicates');
    assert.equal(s.sources[1]!.identical, s.sources[1]!.duplicates, 'identical to the copies that count');
    const first = s.sources[0]!;
    const others = index.others.filter((m) => m.sourceId === 'source-0');
    assert.equal(first.others, others.length);
    assert.equal(first.otherThreads, threadsOf(others, index.parentOf).length);
    assert.deepEqual(
      first.families.map((f) => f.id),
      familiesOfSource(index, states, 'source-0').map((f) => f.id),
    );
    const jit = first.families.find((f) => f.title.includes('jit/text allocator'));
    assert.ok(jit, 'the execmem series is listed');
    assert.deepEqual(jit.versions, index.families.find((f) => f.id === jit.id)!.versions.map(versionLabel));
    assert.deepEqual(parseSummary(JSON.parse(JSON.stringify(s))), s, 'what is written is read back');
  });
});
