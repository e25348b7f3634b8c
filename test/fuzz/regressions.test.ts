/**
 * What fuzzing found, kept as small inputs written out here (none copied from
 * the corpus). Fixed bugs are plain tests; bugs in files this work does not
 * change (src/core/series/group.ts) were `todo` tests until fixed,
 * each saying input, expected and actual.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitMbox } from '../../src/core/mail/mbox';
import { parseMessage } from '../../src/core/mail/message';
import { normalizeTitle, parseSubject } from '../../src/core/mail/subject';
import { followupTrailers, parsePerson, patchTrailers } from '../../src/core/mail/trailers';
import { groupSeries } from '../../src/core/series/group';
import type { SourcedMessage } from '../../src/core/series/model';
import { patchBody } from '../support/mail';
import { FUZZ_FULL } from './support/budget';

const enc = new TextEncoder();
const dec = new TextDecoder();
const T0 = Date.UTC(2024, 0, 1);

function msg(id: string, subject: string, o: Partial<SourcedMessage> = {}): SourcedMessage {
  return {
    msgid: id,
    syntheticId: false,
    subject,
    from: { name: 'Mike Rapoport', address: 'rppt@kernel.org' },
    date: null,
    time: T0,
    inReplyTo: null,
    references: [],
    body: 'text\n',
    attachedPatches: [],
    size: 100,
    origin: 'regression.mbox',
    sourceId: 'regression.mbox',
    ...o,
  };
}

describe('fuzz regressions: fixed', () => {
  test('a CRLF mbox: the blank line after each message belongs to the separator, as in LF', () => {
    const lf = 'From x Mon Jan  1 00:00:00 2024\nSubject: a\n\nbody\n\nFrom x Mon Jan  1 00:00:00 2024\nSubject: b\n\nbody\n\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    assert.deepEqual(
      splitMbox(enc.encode(crlf)).map((e) => dec.decode(e.bytes).replace(/\r\n/g, '\n')),
      splitMbox(enc.encode(lf)).map((e) => dec.decode(e.bytes)),
    );
  });

  test('a counter of hundreds of digits is not read as Infinity (JSON would print null)', () => {
    const s = parseSubject(`[PATCH ${'9'.repeat(400)}/3] mm: x`);
    assert.equal(s.index, undefined);
    assert.equal(s.total, undefined);
    assert.ok(s.isPatch);
    assert.match(s.counterFinding ?? '', /is not a number; read as unnumbered/);
    assert.equal(parseSubject(`[PATCH ${'9'.repeat(400)}/n] mm: x`).index, undefined);
    // Large but finite numbers are still read as written.
    assert.equal(parseSubject('[PATCH 99999999999/1] x').index, 99999999999);
  });

  test('quadratic shapes of subjects and trailers give what they gave before, quickly', () => {
    const t = performance.now();
    assert.equal(parseSubject(`[PATCH ${'1'.repeat(200_000)}] t`).title, 't');
    assert.equal(parseSubject(`[1]${'[]'.repeat(100_000)}[x] t`).title, 't');
    assert.equal(normalizeTitle(`a${'.'.repeat(200_000)}b.`), `a${'.'.repeat(200_000)}b`);
    assert.deepEqual(followupTrailers(`Reviewed-by: a${' '.repeat(200_000)}b <a@b.c>\n`)[0]?.person, { name: 'a b', address: 'a@b.c' });
    assert.deepEqual(followupTrailers(`Reviewed-by: ${'a@'.repeat(100_000)}\n`), []);
    assert.equal(patchTrailers(`Signed-off-by: ${'a'.repeat(200_000)}\n`).length, 1);
    assert.equal(parsePerson(`<${'a@'.repeat(100_000)}`), null);
    // Every "<mailto:" up to the '>' of the address is Outlook junk, the address with it: no trailer, as before.
    assert.deepEqual(followupTrailers(`Reviewed-by: ${'<mailto:'.repeat(50_000)} <r@x.org>\n`), []);
    assert.deepEqual(followupTrailers(`Reviewed-by: ${'<@'.repeat(100_000)}\n<a@b.c>\n`)[0]?.person?.address, 'a@b.c');
    // Each of these took from seconds to minutes before (quadratic or worse in the line length).
    assert.ok(performance.now() - t < 5000, `${Math.round(performance.now() - t)} ms`);
  });

  test('Outlook\'s "a@b<mailto:a@b>" and an unclosed "<mailto:" before it are cleaned as before', () => {
    assert.deepEqual(followupTrailers('Reviewed-by: Jane Doe <jane@x.org<mailto:jane@x.org>>\n')[0]?.person, { name: 'Jane Doe', address: 'jane@x.org' });
    assert.equal(followupTrailers('Acked-by: <mailto:<br> j@x.org\n')[0]?.value, 'j@x.org');
  });

  test('a message of 1,000 message/rfc822 levels is an error, not minutes of MIME parsing', async () => {
    let chain = 'Subject: leaf\n\nleaf\n';
    for (let d = 0; d < 1000; d++) chain = `Subject: level ${d}\nContent-Type: message/rfc822\n\n${chain}`;
    const t = performance.now();
    const r = await parseMessage(enc.encode(`From: a@x.org\nMessage-ID: <chain@x>\n${chain}`), 'x');
    assert.ok(!r.ok);
    assert.match(r.error, /^MIME structure has \d+ multipart or message parts, over the limit of 64$/);
    assert.ok(performance.now() - t < 1000);
  });
});

describe('fuzz regressions: grouping (src/core/series/group.ts)', () => {
  test(
    'a fragment of 150,000 patches joined to another: groupSeries throws RangeError',
    {
    },
    () => {
      const n = 150_000;
      const ms = [msg('one', '[PATCH 1/3] t'), msg('two', '[PATCH 2/3] t', { time: T0 + 1000 })];
      for (let i = 3; i < n; i++) ms.push(msg(`p${i}`, `[PATCH ${i}/3] t`, { inReplyTo: 'two', time: T0 + 2000 }));
      const index = groupSeries(ms);
      // 1/3 alone, and 2/3 with its 149,997 extras: numbers outside 1..total make a sending no fragment of another.
      assert.equal(index.series.length, 2);
      assert.equal(index.series.reduce((k, v) => k + v.patches.length + v.extras.length, 0), n - 1);
    },
  );

  test(
    'a family of 140,000 versions: groupSeries throws RangeError',
    {
      skip: FUZZ_FULL ? false : 'takes ~30 s: runs under npm run fuzz (EXECMEM_FUZZ_FULL=1)',
    },
    () => {
      const n = 140_000;
      const body = `${patchBody('a.c')}\nchange-id: 20240101-same\n`;
      const ms = Array.from({ length: n }, (_, i) => msg(`p${i}`, `[PATCH 1/1] t${i}`, { from: { name: `A${i}`, address: `a${i}@x.org` }, body, time: T0 + i }));
      assert.equal(groupSeries(ms).families.length, 1);
    },
  );

  test(
    'an unrelated patch with an absurd number is joined into another series of the same author',
    {
    },
    () => {
      const index = groupSeries([
        msg('c@x', '[PATCH] mm: c', { body: patchBody('mm/c.c') }),
        msg('a@x', '[PATCH 99999999999/1] mm: a', { body: patchBody('mm/a.c'), time: T0 + 60_000 }),
      ]);
      assert.equal(index.series.length, 2);
    },
  );

  test(
    'a message whose In-Reply-To is its own Message-ID loses the parent its References give',
    {
    },
    () => {
      const index = groupSeries([
        msg('A@x', '[PATCH] a', { body: patchBody('mm/a.c') }),
        msg('C@x', 'Re: [PATCH] a', { inReplyTo: 'C@x', references: ['A@x', 'C@x'], time: T0 + 1 }),
      ]);
      assert.equal(index.parentOf.get('C@x'), 'A@x');
    },
  );
});
