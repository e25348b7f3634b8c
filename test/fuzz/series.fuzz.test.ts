/**
 * Fuzz properties of threading and grouping, in-process and through the
 * reader on files: generated mboxes of series (covers, patches, replies,
 * References loops and dangling ids, duplicate Message-IDs, MIME, CRLF) and
 * byte soup. Nothing throws, every message read is in exactly one bucket,
 * and `seen` is what the splitter gives.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { splitMbox } from '../../src/core/mail/mbox';
import { groupSeries } from '../../src/core/series/group';
import { readSources } from '../../src/node/mail/read';
import { genMbox, genMessage, mboxBytes, messageText, soup } from './support/arbitraries';
import { fuzzParams } from './support/budget';
import { assertAccounted, assertIndexConsistent, assertSaneMessage, readInProcess } from './support/pipeline';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-fuzz-series-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;
const SLOW_MS = 5000;

describe('fuzz: threading and grouping', () => {
  test('generated mboxes and byte soup: nothing throws and every message is accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: genMbox.map(mboxBytes) }, { weight: 1, arbitrary: soup }), async (bytes) => {
        const t = performance.now();
        const p = await readInProcess(bytes);
        // A dozen small messages: anything near this bound is a pathological slow path, not noise.
        assert.ok(performance.now() - t < SLOW_MS, `${Math.round(performance.now() - t)} ms for ${bytes.length} bytes`);
        for (const m of p.messages) assertSaneMessage(m);
        assertAccounted(p.index, p.messages, p.entries);
        assertIndexConsistent(p.index);
        // Every parent link points at a message that was read, and following them ends (loops are cut).
        for (const [child, parent] of p.index.parentOf) {
          assert.ok(p.index.byId.has(child) && p.index.byId.has(parent));
        }
        for (const id of p.index.byId.keys()) {
          let hops = 0;
          for (let at: string | undefined = id; at !== undefined; at = p.index.parentOf.get(at)) assert.ok(hops++ <= p.index.byId.size, `parent loop through ${id}`);
        }
      }),
      fuzzParams('group: generated mbox', 400),
    );
  });

  test('messages in any order group without throwing and stay accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(genMbox.map(mboxBytes), fc.integer(), async (bytes, salt) => {
        const p = await readInProcess(bytes);
        // Same messages, another order: the index may differ, the accounting may not.
        const shuffled = [...p.messages].sort((a, b) => hash(a.msgid, salt) - hash(b.msgid, salt));
        const index = groupSeries(shuffled, { errors: p.errors, duplicates: p.duplicates });
        assertAccounted(index, shuffled, p.entries);
        assertIndexConsistent(index);
      }),
      fuzzParams('group: any order', 200),
    );
  });
});

function hash(s: string, salt: number): number {
  let h = salt | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

describe('fuzz: the reader on files', () => {
  test('an mbox file: readSources sees what the splitter gives and reads what decoding in-process reads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: genMbox.map(mboxBytes) }, { weight: 1, arbitrary: soup }), async (bytes) => {
        const file = path.join(dir, `m${serial++}.mbox`);
        writeFileSync(file, bytes);
        const read = await readSources([file]);
        const expected = splitMbox(bytes).length;
        assert.equal(read.seen, expected, 'seen is the number of messages the splitter gives');
        assert.equal(read.messages.length + read.duplicates.length + read.errors.length, read.seen);
        for (const e of read.errors) assert.match(e.origin, new RegExp(`^${path.basename(file).replace('.', '\\.')}(, message \\d+)?$`));
        assertAccounted(groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates }), read.messages, read.seen);
        const mine = await readInProcess(bytes, path.basename(file));
        assert.deepEqual(
          read.messages.map((m) => [m.msgid, m.origin, m.subject, m.body]),
          mine.messages.map((m) => [m.msgid, m.origin, m.subject, m.body]),
        );
        assert.deepEqual(
          read.errors.map((e) => [e.origin, e.message]),
          mine.errors.map((e) => [e.origin, e.message]),
        );
        rmSync(file);
      }),
      fuzzParams('read: mbox file', 150),
    );
  });

  test('a large mbox (hundreds of messages, megabytes): read piece by piece and in batches, it reads as in-process decoding does', async () => {
    // Past 256 messages the reader hands batches to its worker, and past 1 MiB it splits the file in pieces.
    const large = fc.record({ base: genMbox, copies: fc.integer({ min: 40, max: 160 }), filler: fc.integer({ min: 0, max: 4000 }) }).map(({ base, copies, filler }) => {
      const messages = [];
      for (let c = 0; c < copies; c++) {
        for (const m of base.messages) {
          // Most copies get ids of their own; every seventh keeps the original (a duplicate).
          const id = m.id === undefined || c % 7 === 0 ? m.id : `${c}.${m.id}`;
          messages.push({ ...m, id, body: c % 5 === 0 ? `${m.body}${'filler line\n'.repeat(filler)}` : m.body });
        }
      }
      return mboxBytes({ ...base, messages, cut: 0 });
    });
    await fc.assert(
      fc.asyncProperty(large, async (bytes) => {
        const file = path.join(dir, `large${serial++}.mbox`);
        writeFileSync(file, bytes);
        const read = await readSources([file]);
        const mine = await readInProcess(bytes, path.basename(file));
        assert.equal(read.seen, mine.entries);
        assert.deepEqual(
          read.messages.map((m) => [m.msgid, m.origin, m.subject, m.body.length]),
          mine.messages.map((m) => [m.msgid, m.origin, m.subject, m.body.length]),
        );
        assert.deepEqual(
          read.errors.map((e) => [e.origin, e.message]),
          mine.errors.map((e) => [e.origin, e.message]),
        );
        assert.equal(read.duplicates.length, mine.duplicates.length);
        assertAccounted(groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates }), read.messages, read.seen);
        rmSync(file);
      }),
      fuzzParams('read: large mbox', 1),
    );
  });

  test('several sources at once (mboxes, a format-patch folder, the same mail twice): the buckets add up', async () => {
    const source = fc.oneof(
      genMbox.map((g) => ({ kind: 'mbox' as const, bytes: mboxBytes(g) })),
      fc.array(genMessage, { minLength: 1, maxLength: 5 }).map((ms) => ({ kind: 'folder' as const, files: ms.map((m) => messageText(m)) })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(source, { minLength: 1, maxLength: 3 }), fc.boolean(), async (sources, twice) => {
        const paths: string[] = [];
        const counts: number[] = [];
        for (const s of sources) {
          const p = path.join(dir, `s${serial++}`);
          if (s.kind === 'mbox') {
            writeFileSync(`${p}.mbox`, s.bytes);
            paths.push(`${p}.mbox`);
            counts.push(splitMbox(s.bytes).length);
          } else {
            mkdirSync(p);
            s.files.forEach((text, i) => writeFileSync(path.join(p, `${String(i).padStart(4, '0')}-x.patch`), text));
            paths.push(p);
            counts.push(s.files.reduce((n, text) => n + splitMbox(new TextEncoder().encode(text)).length, 0));
          }
        }
        // The first source again: every message of it is seen twice, once as a duplicate or the same error.
        if (twice) {
          paths.push(paths[0]!);
          counts.push(counts[0]!);
        }
        const read = await readSources(paths);
        assert.equal(read.seen, counts.reduce((a, b) => a + b, 0));
        assert.equal(read.messages.length + read.duplicates.length + read.errors.length, read.seen);
        assertAccounted(groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates }), read.messages, read.seen);
        for (const p of new Set(paths)) rmSync(p, { recursive: true, force: true });
      }),
      fuzzParams('read: several sources', 60),
    );
  });
});
