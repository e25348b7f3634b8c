/**
 * The search plan (posting lists per field) finds exactly what matching
 * every message finds: random lore queries over the corpus threads, built
 * from the words, senders, files, functions and Message-IDs really in them.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { searchEntries } from '../../../src/core/search/docs';
import { SearchPlan } from '../../../src/core/search/plan';
import { matchAll, parseQuery, wordsOf } from '../../../src/core/search/query';
import { groupSeries } from '../../../src/core/series/group';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';
import { fuzzParams } from '../../fuzz/support/budget';

describe('search plan', { skip: corpusMissing }, () => {
  test('the plan finds what matching every message finds', async () => {
    const files = readdirSync(THREADS_DIR).filter((f) => f.endsWith('.mbox')).map((f) => path.join(THREADS_DIR, f));
    const read = await readSources(files);
    const entries = searchEntries(groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates }));
    const plan = new SearchPlan(entries);
    const pick = <T>(xs: T[]) => fc.constantFrom(...xs.slice(0, 400));
    const subjectWords = [...new Set(entries.flatMap((e) => wordsOf(e.doc.subject)))];
    const senders = [...new Set(entries.map((e) => e.doc.from.address))];
    const paths = [...new Set(entries.flatMap((e) => e.doc.files ?? []))];
    const fns = [...new Set(entries.flatMap((e) => (e.doc.hunkHeaders ?? []).flatMap(wordsOf)))];
    const ids = entries.map((e) => e.doc.msgid);
    const term = fc.oneof(
      pick(subjectWords).map((w) => `s:${w}`),
      pick(subjectWords).map((w) => `s:${w.slice(0, 3)}*`),
      pick(subjectWords).map((w) => w),
      pick(senders).map((a) => `f:${a}`),
      pick(paths).map((p) => `dfn:${p.split('/').slice(-2).join('/')}`),
      pick(fns).map((f) => `dfhh:${f}`),
      pick(ids).map((i) => `m:${i}`),
      pick(subjectWords).map((w) => `b:${w}`),
      fc.constantFrom('d:2023-06-01..2023-07-01', 'd:..2023-01-01', 's:"jit/text allocator"'),
    );
    const query = fc.letrec((tie) => ({
      q: fc.oneof({ depthSize: 'small' }, term, tie('and'), tie('or'), tie('not')),
      and: fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) AND (${b})`),
      or: fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) OR (${b})`),
      not: tie('q').map((a) => `NOT (${a})`),
    })).q as fc.Arbitrary<string>;
    const noBodies = async () => new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const parsed = parseQuery(q);
        if (!parsed.ok) return;
        const all = (await matchAll(entries, parsed.value, noBodies)).hits.map((e) => e.doc.msgid).sort();
        const planned = (await plan.run(parsed.value, noBodies)).hits.map((e) => e.doc.msgid).sort();
        assert.deepEqual(planned, all, q);
      }),
      fuzzParams('search plan: same hits', 300),
    );
    // And it narrows: a subject word looks at few messages.
    const narrow = parseQuery('s:execmem AND f:rppt@kernel.org');
    assert.ok(narrow.ok);
    const r = await plan.run(narrow.value, noBodies);
    assert.ok(r.candidates < entries.length / 4, `${r.candidates} of ${entries.length} looked at`);
    assert.ok(r.hits.length > 0);
  });
});
