import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { groupHits, hitOf, hunkHeadersOf, searchEntries } from '../../../src/core/search/docs';
import { matchAll, matches, matchesWithoutBody, parseQuery, type SearchDoc } from '../../../src/core/search/query';
import { indexOf, seriesMail } from '../../support/mail';

const NOW = Date.UTC(2024, 0, 15, 12);

/** v1 04/13 of the series and a review reply, as the reader would give them. */
const patch: SearchDoc = {
  msgid: '20230601101257.530867-5-rppt@kernel.org',
  subject: '[PATCH 04/13] mm/jitalloc, arch: convert simple overrides of module_alloc to jitalloc',
  from: { name: 'Mike Rapoport', address: 'rppt@kernel.org' },
  to: ['linux-kernel@vger.kernel.org'],
  cc: ['Song Liu <song@kernel.org>', 'linux-mm@kvack.org'],
  time: Date.UTC(2023, 5, 1, 10, 12),
  body: 'Several architectures override module_alloc() only to define address\nrange for code allocations different than VMALLOC address space.',
  files: ['arch/arm/kernel/module.c', 'arch/arm64/kernel/module.c', 'mm/jitalloc.c'],
  hunkHeaders: ['void *module_alloc(unsigned long size)', 'static int __init module_init_limits(void)'],
};
const reply: SearchDoc = {
  msgid: 'CAPhsuW5f6r7cz@mail.gmail.com',
  subject: 'Re: [PATCH 04/13] mm/jitalloc, arch: convert simple overrides of module_alloc to jitalloc',
  from: { name: 'Song Liu', address: 'song@kernel.org' },
  time: Date.UTC(2023, 5, 1, 22, 35),
  body: '> +\tmodule_alloc_base\nmodule_alloc_base() is initialized in kaslr_init(), which is called after',
};

const hits = (q: string, docs: SearchDoc[] = [patch, reply]): string[] => {
  const parsed = parseQuery(q, NOW);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return docs.filter((d) => matches(d, parsed.value)).map((d) => d.msgid);
};

describe('lore query language', () => {
  test('s: subject words, a phrase, a prefix', () => {
    assert.deepEqual(hits('s:jitalloc'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('s:"simple overrides"'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('s:"overrides simple"'), []);
    assert.deepEqual(hits('s:jital*'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('s:jital'), [], 'a word is matched whole unless it ends in *');
    assert.deepEqual(hits('s:JITALLOC'), [patch.msgid, reply.msgid], 'case-folded');
  });

  test('f: name or address', () => {
    assert.deepEqual(hits('f:rppt@kernel.org'), [patch.msgid]);
    assert.deepEqual(hits('f:song'), [reply.msgid]);
    assert.deepEqual(hits('f:"Mike Rapoport"'), [patch.msgid]);
  });

  test('t: and c: search the To and Cc addresses and names', () => {
    assert.deepEqual(hits('t:linux-kernel@vger.kernel.org'), [patch.msgid]);
    assert.deepEqual(hits('t:linux-mm'), [], 'linux-mm is in Cc, not To');
    assert.deepEqual(hits('c:linux-mm'), [patch.msgid]);
    assert.deepEqual(hits('c:song@kernel.org'), [patch.msgid]);
    assert.deepEqual(hits('c:"Song Liu"'), [patch.msgid]);
    assert.deepEqual(hits('NOT c:song'), [reply.msgid], 'a message without Cc is not in any Cc');
  });

  test('an unknown prefix is text, as in Xapian: a kernel-style subject needs no s:', () => {
    assert.deepEqual(hits('mm/jitalloc, arch: convert'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('arch: convert simple'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('nosuch: jitalloc'), []);
  });

  test('-term is NOT term, +term is term', () => {
    assert.deepEqual(hits('s:jitalloc -f:song'), [patch.msgid]);
    assert.deepEqual(hits('+f:song'), [reply.msgid]);
  });

  test('m: the whole Message-ID, with or without <>', () => {
    assert.deepEqual(hits(`m:${patch.msgid}`), [patch.msgid]);
    assert.deepEqual(hits(`m:<${reply.msgid}>`), [reply.msgid]);
    assert.deepEqual(hits('m:20230601101257'), [], 'not a part of one');
  });

  test('b: body words; an unprefixed word looks in subject and body', () => {
    assert.deepEqual(hits('b:kaslr_init'), [reply.msgid]);
    assert.deepEqual(hits('b:"VMALLOC address space"'), [patch.msgid]);
    assert.deepEqual(hits('kaslr_init'), [reply.msgid]);
    assert.deepEqual(hits('overrides'), [patch.msgid, reply.msgid]);
  });

  test('dfn: a file a patch touches, by its whole path or its last components', () => {
    assert.deepEqual(hits('dfn:arch/arm64/kernel/module.c'), [patch.msgid]);
    assert.deepEqual(hits('dfn:jitalloc.c'), [patch.msgid]);
    assert.deepEqual(hits('dfn:kernel/module.c'), [patch.msgid]);
    assert.deepEqual(hits('dfn:odule.c'), [], 'not a part of a name');
    assert.deepEqual(hits('dfn:arch/arm64/*'), [patch.msgid]);
    assert.deepEqual(hits('dfn:mm/execmem.c'), []);
  });

  test('dfhh: a function named in a hunk header', () => {
    assert.deepEqual(hits('dfhh:module_init_limits'), [patch.msgid]);
    assert.deepEqual(hits('dfhh:module_alloc'), [patch.msgid]);
    assert.deepEqual(hits('dfhh:kaslr_init'), []);
  });

  test('d: a day, a range, open ends, relative dates', () => {
    assert.deepEqual(hits('d:2023-06-01'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('d:20230601'), [patch.msgid, reply.msgid]);
    assert.deepEqual(hits('d:2023-06-02..'), []);
    assert.deepEqual(hits('d:..2023-06-01'), [patch.msgid, reply.msgid], 'the end day is taken whole');
    assert.deepEqual(hits('d:2023-05-01..2023-05-31'), []);
    const recent: SearchDoc = { ...reply, msgid: 'recent', time: NOW - 3 * 86_400_000 };
    assert.deepEqual(hits('d:2.weeks.ago..', [patch, recent]), ['recent']);
    assert.deepEqual(hits('d:6.months.ago..', [patch, recent]), ['recent']);
    assert.deepEqual(hits('d:1.year.ago..', [patch, recent]), [patch.msgid, 'recent']);
    assert.deepEqual(hits('d:yesterday..', [patch, recent]), []);
    const undated: SearchDoc = { ...reply, msgid: 'undated', time: null };
    assert.deepEqual(hits('d:2000-01-01..', [undated]), [], 'a message with no date is in no range');
  });

  test('AND, OR, NOT, juxtaposition and parentheses, with NOT > AND > OR', () => {
    assert.deepEqual(hits('s:jitalloc f:song'), [reply.msgid]);
    assert.deepEqual(hits('s:jitalloc AND NOT f:song'), [patch.msgid]);
    assert.deepEqual(hits('f:song OR dfn:mm/jitalloc.c'), [patch.msgid, reply.msgid]);
    // AND binds tighter than OR: read left to right this would be (song OR rppt) AND architectures, the patch alone.
    assert.deepEqual(hits('f:song OR f:rppt AND b:architectures'), [patch.msgid, reply.msgid]);
    // NOT binds tighter than AND: NOT (song AND jitalloc) would keep the patch too.
    assert.deepEqual(hits('NOT f:rppt AND s:jitalloc'), [reply.msgid]);
    assert.deepEqual(hits('(f:song OR f:rppt) AND b:architectures'), [patch.msgid]);
    assert.deepEqual(hits('NOT (f:song OR f:rppt)'), []);
  });

  test('what cannot be read is an error that says what', () => {
    const error = (q: string) => {
      const r = parseQuery(q, NOW);
      assert.ok(!r.ok, `${q} parsed`);
      return r.error;
    };
    assert.match(error(''), /empty/);
    assert.match(error('s:"open'), /unclosed quote at character 3/);
    assert.match(error('(s:a OR s:b'), /no '\)' for the '\(' at character 1/);
    assert.match(error('s:a )'), /unexpected '\)' at character 5/);
    assert.match(error('s:a AND'), /ends where a term was expected/);
    assert.match(error('d:2023-02-30'), /cannot read the date '2023-02-30'/);
    assert.match(error('d:..'), /at least one end/);
    assert.match(error('s:'), /nothing to search for/);
    assert.match(error('s:!!'), /no word/);
  });

  test('no input makes the parser or the matcher throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (q) => {
        const r = parseQuery(q, NOW);
        if (r.ok) {
          matches(patch, r.value);
          matches(reply, r.value);
        } else assert.equal(typeof r.error, 'string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('search entries of a grouped read', () => {
  test('roles and series come from the grouping; hits group by series, newest first', async () => {
    const index = await indexOf([
      ...seriesMail({ prefix: 'PATCH', title: 'mm: execmem', total: 2, stem: 'a' }),
      ...seriesMail({ prefix: 'PATCH v2', title: 'mm: execmem', total: 2, stem: 'b' }),
    ]);
    const entries = searchEntries(index);
    assert.deepEqual(entries.map((e) => e.role).sort(), ['cover', 'cover', 'patch', 'patch', 'patch', 'patch']);
    const groups = groupHits(entries.filter((e) => e.role === 'patch').map(hitOf));
    assert.deepEqual(groups.map((g) => g.series?.label), ['v2', 'v1'], 'the newer version first');
    for (const g of groups) {
      assert.equal(g.hits.length, 2);
      for (const h of g.hits) assert.deepEqual(h.series, g.series);
    }
    assert.deepEqual(hunkHeadersOf('@@ -1,3 +1,4 @@ void *module_alloc(unsigned long size)\n-x\n+y\n@@ -10 +11 @@\n'), ['void *module_alloc(unsigned long size)']);
  });
});

describe('matching without the body (an indexed message)', () => {
  const indexed: SearchDoc = {
    ...patch,
    bodyAtHand: false,
    get body(): string {
      throw new Error('the body was read');
    },
  };
  const decide = (q: string) => {
    const parsed = parseQuery(q, NOW);
    assert.ok(parsed.ok);
    return matchesWithoutBody(indexed, parsed.value);
  };
  test('what the other fields decide is decided without reading the body', () => {
    assert.equal(decide('s:jitalloc'), true);
    assert.equal(decide('f:song'), false);
    assert.equal(decide('b:architectures AND f:song'), false, 'AND is false when a part is');
    assert.equal(decide('b:architectures OR s:jitalloc'), true, 'OR is true when a part is');
    assert.equal(decide('jitalloc'), true, 'an unprefixed word found in the subject');
  });
  test('what only the body can decide is left open', () => {
    assert.equal(decide('b:architectures'), undefined);
    assert.equal(decide('NOT b:architectures'), undefined);
    assert.equal(decide('architectures'), undefined, 'an unprefixed word not in the subject');
    assert.equal(decide('b:architectures AND s:jitalloc'), undefined);
  });
  test('matchAll reads the bodies of the undecided only, and then decides', async () => {
    const entries = [{ doc: indexed }, { doc: { ...reply, bodyAtHand: true } }];
    const parsed = parseQuery('b:architectures OR f:song', NOW);
    assert.ok(parsed.ok);
    let asked: string[] = [];
    const r = await matchAll(entries, parsed.value, async (docs) => {
      asked = docs.map((d) => d.msgid);
      return new Map([[patch.msgid, patch.body!]]);
    });
    assert.deepEqual(asked, [patch.msgid]);
    assert.deepEqual(r.hits.map((h) => h.doc.msgid).sort(), [patch.msgid, reply.msgid].sort());
  });
});
