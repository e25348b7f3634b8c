/**
 * Time grows linearly with input size: each step of reading mail, fed the
 * shape that would make a careless implementation quadratic (long reply
 * chains and References lists, reference loops, long runs of digits, dots,
 * spaces, '<' or '@' in one header or trailer line), takes about 4× as long
 * on 4× the input (support/growth.ts). `npm test` times one shape of each
 * kind; `npm run fuzz` (EXECMEM_FUZZ_FULL=1) times them all. The steps that
 * were quadratic when the suite was written are kept at the end.
 *
 * Sizes are chosen past the sizes where V8 changes gear (more than some
 * 10,000 objects or typed-array views alive, strings past 64K characters):
 * crossing one makes linear work look 8–10× dearer from n to 4n once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { splitMbox } from '../../src/core/mail/mbox';
import { parseMessage, parseMsgIds } from '../../src/core/mail/message';
import { normalizeTitle, parseSubject } from '../../src/core/mail/subject';
import { followupTrailers, patchTrailers } from '../../src/core/mail/trailers';
import { compareVersions } from '../../src/core/series/compare';
import { groupSeries } from '../../src/core/series/group';
import type { SeriesVersion, SourcedMessage } from '../../src/core/series/model';
import { readSources } from '../../src/node/mail/read';
import { patchBody } from '../support/mail';
import { FUZZ_FULL } from './support/budget';
import { assertLinear } from './support/growth';

const enc = new TextEncoder();
const dir = mkdtempSync(path.join(tmpdir(), 'execmem-linear-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SEP = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';
const T0 = Date.UTC(2024, 0, 1);

/** Under `npm test`, only the shapes marked for it; all of them under `npm run fuzz`. */
const full = { skip: FUZZ_FULL ? false : 'timed under npm run fuzz (EXECMEM_FUZZ_FULL=1)' };
const unit = {};

/** A decoded message as the reader gives it, for the grouping steps. */
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
    origin: 'linear.mbox',
    sourceId: 'linear.mbox',
    ...o,
  };
}

const sync =
  <T>(f: (x: T) => unknown) =>
  (x: T): void => {
    f(x);
  };

describe('linear time: the mbox splitter and the decoder', () => {
  // [name, input of size n, n, largest n (for a size limit), which run]
  const cases: [string, (n: number) => Uint8Array, number, number, object][] = [
    // Each message is a view into the input; the reader splits 1 MiB at a time, so it never holds many.
    ['many empty messages', (n) => enc.encode(SEP.repeat(n)), 2000, 4000, full],
    ['one message of many ">From " lines', (n) => enc.encode(`${SEP}Subject: s\n\n${'>From here\n'.repeat(n)}`), 32_000, 64_000, unit],
    ['one line with no newline', (n) => enc.encode(`${SEP}Subject: s\n\n${'x'.repeat(n)}`), 250_000, 1_000_000, full],
    ['many "From " body lines that are not separators', (n) => enc.encode(`${SEP}Subject: s\n\n${'From the manual\n'.repeat(n)}`), 32_000, 64_000, full],
  ];
  for (const [name, make, n, maxN, which] of cases) {
    test(`splitMbox: ${name}`, which, async () => await assertLinear(name, make, sync(splitMbox), { n, maxN }));
  }

  // A header block is at most 256 KiB: 4n stays under it.
  const messages: [string, (n: number) => Uint8Array, number, number, object][] = [
    ['a References list of n ids', (n) => enc.encode(`From: a@b.c\nSubject: s\nReferences: ${Array.from({ length: n }, (_, i) => `<r${i}@x>`).join(' ')}\n\nbody\n`), 7000, 7000, full],
    ['n folded header lines', (n) => enc.encode(`From: a@b.c\nSubject: s\nX-Long: x\n${' y\n'.repeat(n)}\nbody\n`), 20_000, 20_000, full],
    ['a body of n trailer-like lines', (n) => enc.encode(`From: a@b.c\nSubject: s\n\n${'Reviewed-by: A <a@b.c>\n'.repeat(n)}`), 16_000, 32_000, unit],
  ];
  for (const [name, make, n, maxN, which] of messages) {
    test(`parseMessage: ${name}`, which, async () => await assertLinear(name, make, (b) => parseMessage(b, 'x'), { n, maxN }));
  }
  test('parseMsgIds: a References value of n ids', full, async () => {
    await assertLinear('References ids', (n) => Array.from({ length: n }, (_, i) => `<r${i}@x>`).join(' '), sync(parseMsgIds), { n: 32_000 });
  });
});

describe('linear time: subjects and trailers', () => {
  const subjects: [string, (n: number) => string, number, object][] = [
    ['n digits in the counter', (n) => `[PATCH ${'1'.repeat(n)}/2] t`, 256_000, unit],
    ['n empty brackets between numbers', (n) => `[1]${'[]'.repeat(n)}[x] t`, 64_000, unit],
    ['n brackets', (n) => `${'[a]'.repeat(n)} t`, 32_000, full],
    ['n reply prefixes', (n) => `${'Re: '.repeat(n)}t`, 64_000, full],
    ['n spaces after a number', (n) => `[PATCH 1${' '.repeat(n)}x] t`, 256_000, full],
  ];
  for (const [name, make, n, which] of subjects) {
    test(`parseSubject: ${name}`, which, async () => await assertLinear(name, make, sync(parseSubject), { n }));
  }
  test('normalizeTitle: a title of n dots before its last word', unit, async () => {
    await assertLinear('dots', (n) => `a${'.'.repeat(n)}b`, sync(normalizeTitle), { n: 256_000 });
  });

  const trailers: [string, (n: number) => string, object][] = [
    ['n spaces inside a trailer value', (n) => `Reviewed-by: a${' '.repeat(n)}b <a@b.c>\n`, unit],
    ['a value of n letters and no address', (n) => `Reviewed-by: ${'a'.repeat(n)}\n`, full],
    ['a value of n "a@"', (n) => `Reviewed-by: ${'a@'.repeat(n)}\n`, unit],
    ['an unclosed "<" before n "a@"', (n) => `Reviewed-by: <${'a@'.repeat(n)}\n`, full],
    ['n unclosed "<mailto:"', (n) => `Reviewed-by: ${'<mailto:'.repeat(n)}\n`, unit],
    ['n unclosed "[mailto:"', (n) => `Reviewed-by: ${'[mailto:'.repeat(n)}\n`, full],
    ['n unclosed "<a " tags', (n) => `Reviewed-by: ${'<a '.repeat(n)}\n`, full],
    ['a wrapped trailer after n "<@"', (n) => `Reviewed-by: ${'<@'.repeat(n)}\n<a@b.c>\n`, unit],
    ['an address line of n "a@" after a trailer', (n) => `Reviewed-by: x\n <${'a@'.repeat(n)}\n`, full],
    ['n trailer lines', (n) => 'Reviewed-by: A <a@b.c>\n'.repeat(n / 8), full],
  ];
  // Sizes stay under ~64K blank runs in one line: past that V8's global replace (/\s+/g, with
  // which every value is cleaned) costs several times more per match, linear again above.
  for (const [name, make, which] of trailers) {
    test(`trailers: ${name}`, which, async () => {
      await assertLinear(`followup, ${name}`, make, sync(followupTrailers), { n: 16_000, maxN: 16_000 });
      await assertLinear(`patch, ${name}`, make, sync(patchTrailers), { n: 16_000, maxN: 16_000 });
    });
  }
});

describe('linear time: threading and grouping', () => {
  const shapes: [string, (n: number) => SourcedMessage[], number, object][] = [
    [
      'a chain of n replies, each answering the one before',
      (n) => [
        msg('r0', '[PATCH] x', { body: patchBody('mm/execmem.c') }),
        ...Array.from({ length: n }, (_, i) => msg(`r${i + 1}`, 'Re: [PATCH] x', { inReplyTo: `r${i}`, references: [`r${i}`], time: T0 + i })),
      ],
      4000,
      unit,
    ],
    [
      'a chain of n replies, the last with a References list of all n',
      (n) => {
        const out = [msg('r0', '[PATCH] x', { body: patchBody('mm/execmem.c') })];
        for (let i = 1; i <= n; i++) out.push(msg(`r${i}`, 'Re: x', { references: i === n ? Array.from({ length: n }, (_, k) => `r${k}`) : [`r${i - 1}`] }));
        return out;
      },
      16_000,
      unit,
    ],
    [
      'a reference loop through n messages',
      (n) =>
        Array.from({ length: n }, (_, i) =>
          msg(`l${i}`, i % 3 ? 'Re: y' : `[PATCH ${i % 7}/5] y`, { inReplyTo: `l${(i + 1) % n}`, body: i % 2 ? patchBody('mm/execmem.c') : 'x', time: T0 + ((i * 7919) % n) }),
        ),
      1000,
      unit,
    ],
    ['one reply with n dangling References', (n) => [msg('top', '[PATCH] z', { body: patchBody('mm/execmem.c') }), msg('one', 'Re: z', { references: Array.from({ length: n }, (_, i) => `gone${i}`) })], 320_000, full],
    [
      'n one-patch series by n authors',
      (n) => Array.from({ length: n }, (_, i) => msg(`s${i}`, `[PATCH] change ${i}`, { from: { name: `A${i}`, address: `a${i}@x.org` }, body: patchBody(`f${i}.c`), time: T0 + i * 1000 })),
      800,
      full,
    ],
  ];
  for (const [name, make, n, which] of shapes) {
    test(`groupSeries: ${name}`, which, async () => await assertLinear(name, make, (ms) => groupSeries(ms), { n, reps: 2 }));
  }

  test('readSources: an mbox of n empty messages (each an error)', full, async () => {
    let k = 0;
    const make = (n: number): string => {
      const file = path.join(dir, `empty${k++}.mbox`);
      writeFileSync(file, SEP.repeat(n));
      return file;
    };
    await assertLinear('empty messages through the reader', make, (file) => readSources([file]), { n: 25_000, reps: 2 });
  });

  test('readSources and groupSeries: an mbox of a reply chain of n messages', full, async () => {
    let k = 0;
    const make = (n: number): string => {
      const file = path.join(dir, `chain${k++}.mbox`);
      const parts = [`${SEP}From: A <a@x.org>\nSubject: [PATCH] x\nMessage-ID: <c0@x>\n\n${patchBody('mm/execmem.c')}\n`];
      for (let i = 1; i <= n; i++) parts.push(`${SEP}From: B <b@x.org>\nSubject: Re: [PATCH] x\nMessage-ID: <c${i}@x>\nIn-Reply-To: <c${i - 1}@x>\nReferences: <c0@x> <c${i - 1}@x>\n\nReviewed-by: B <b@x.org>\n\n`);
      writeFileSync(file, parts.join(''));
      return file;
    };
    const run = async (file: string) => {
      const read = await readSources([file]);
      groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
    };
    await assertLinear('reply chain through the reader', make, run, { n: 4000, reps: 2 });
  });
});

/*
 * Steps of grouping and version compare that were quadratic when the suite
 * was written (each test's name says the shape): a sending compared with
 * every one before it, a free number searched part by part, every open
 * sending tried as a fragment partner, cover trailers copied with a per-patch
 * time map, trailing blanks cut by a backtracking expression, every missing
 * number of an absurd total listed. Inputs are kept small.
 */
describe('linear time: steps that were superlinear', () => {
  // 8× the input: quadratic work shows as ~64× even where fixed costs blur it at these small sizes;
  // three attempts at growing sizes, as for the other steps (a first run at a size can pay for compilation).
  // Grouping a few hundred patches of one title grows faster than linearly from n to 8n (12–15× of
  // the 16× allowed at n=48 or 192, over under load) although from 500 to 16,000 it is 13× for 32×:
  // small sizes are timed where fixed costs and V8's gear changes dominate, so n starts at 500.
  const once = { attempts: 3, factor: 8, reps: 3 };
  test(
    'groupSeries: n patches "[PATCH] same" from one author, each a different diff',
    async () => {
      const make = (n: number) => Array.from({ length: n }, (_, i) => msg(`s${i}`, '[PATCH] same', { body: patchBody('f.c', { change: `c${i}` }), time: T0 + i * 1e7 }));
      await assertLinear('same title', make, (ms) => groupSeries(ms), { n: 500, ...once });
    },
  );

  test(
    'groupSeries: n copies of "[PATCH 1/1]" answering one cover',
    async () => {
      const make = (n: number) => [
        msg('cv', '[PATCH 0/1] q'),
        ...Array.from({ length: n }, (_, i) => msg(`q${i}`, '[PATCH 1/1] q', { inReplyTo: 'cv', body: patchBody('f.c', { change: `c${i}` }), time: T0 + i })),
      ];
      await assertLinear('same number under a cover', make, (ms) => groupSeries(ms), { n: 500, ...once });
    },
  );

  test(
    'groupSeries: n unthreaded "[PATCH 1/2]" of one author within two hours',
    async () => {
      const make = (n: number) => Array.from({ length: n }, (_, i) => msg(`u${i}`, `[PATCH 1/2] u${i}`, { body: 'x', time: T0 + i }));
      await assertLinear('unthreaded fragments', make, (ms) => groupSeries(ms), { n: 500, ...once });
    },
  );

  test(
    'groupSeries: a cover with n patches numbered past its total and n replies giving trailers',
    async () => {
      const make = (n: number) => [
        msg('cv', '[PATCH 0/3] e'),
        ...Array.from({ length: n }, (_, i) => msg(`e${i}`, `[PATCH ${i + 4}/3] e`, { inReplyTo: 'cv', body: 'x' })),
        ...Array.from({ length: n }, (_, i) => msg(`er${i}`, 'Re: [PATCH 0/3] e', { inReplyTo: 'cv', body: `Reviewed-by: R${i} <r${i}@x.org>\n` })),
      ];
      await assertLinear('cover trailers × extras', make, (ms) => groupSeries(ms), { n: 72, ...once });
    },
  );

  test(
    'compareVersions: a diff line with n spaces inside it',
    async () => {
      const make = (n: number) => {
        const p = { subject: parseSubject('[PATCH 1/1] t'), diff: `+a${' '.repeat(n)}b\n` };
        return [{ patches: [p] }, { patches: [{ ...p }] }] as unknown as [SeriesVersion, SeriesVersion];
      };
      await assertLinear('blank run in a diff line', make, ([a, b]) => compareVersions(a, b), { n: 500, ...once });
    },
  );

  test(
    'groupSeries: memory of n one-patch series "[PATCH 1/9999]"',
    () => {
      const n = FUZZ_FULL ? 4000 : 500;
      const ms = Array.from({ length: n }, (_, i) => msg(`t${i}`, `[PATCH 1/9999] t${i}`, { from: { name: `A${i}`, address: `a${i}@x.org` }, body: 'x' }));
      const index = groupSeries(ms);
      let numbers = 0;
      for (const v of index.series) numbers += v.missing.length;
      // What the index holds should grow with the input: a few numbers per message at most.
      assert.ok(numbers <= 16 * n, `${n} messages of [PATCH 1/9999] keep ${numbers} missing numbers (${Math.round(numbers / n)} per message)`);
    },
  );
});
