/**
 * Fuzz properties on real mail, mutated: messages and whole threads of the
 * shared corpus (../shared/corpus/threads, read where it lies, never copied
 * here) with bytes flipped, lines dropped, doubled or cut, pieces of other
 * messages and hostile fragments spliced in, line ends changed. Nothing
 * throws, and every message read is accounted for.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { splitMbox } from '../../src/core/mail/mbox';
import { parseMessage } from '../../src/core/mail/message';
import { groupSeries } from '../../src/core/series/group';
import { readSources } from '../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { concat, FRAGMENTS } from './support/arbitraries';
import { fuzzParams } from './support/budget';
import { assertAccounted, assertIndexConsistent, assertSaneMessage, readInProcess } from './support/pipeline';

const enc = new TextEncoder();

/** The corpus threads, and every message in them, loaded once. */
const corpus = (() => {
  if (corpusMissing) return { threads: [] as Uint8Array[], messages: [] as Uint8Array[] };
  const threads = readdirSync(THREADS_DIR)
    .filter((n) => n.endsWith('.mbox'))
    .sort()
    .map((n) => new Uint8Array(readFileSync(path.join(THREADS_DIR, n))));
  return { threads, messages: threads.flatMap((t) => splitMbox(t).map((e) => e.bytes.slice())) };
})();

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'delete' | 'duplicate'; at: number; len: number }
  | { kind: 'insert'; at: number; fragment: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; from: number; len: number }
  | { kind: 'dropLine' | 'doubleLine'; at: number }
  | { kind: 'crlf' | 'cr' };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const), at: position, len: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, fragment: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('splice' as const), at: position, from: fc.nat(), len: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ kind: fc.constantFrom('dropLine' as const, 'doubleLine' as const), at: position }),
  fc.record({ kind: fc.constantFrom('crlf' as const, 'cr' as const) }),
);

/** The start of the line that holds byte `i`, and the start of the next one. */
function lineAround(b: Uint8Array, i: number): [number, number] {
  const start = b.lastIndexOf(0x0a, Math.max(0, i - 1)) + 1;
  const nl = b.indexOf(0x0a, i);
  return [start, nl < 0 ? b.length : nl + 1];
}

function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = bytes;
  for (const m of muts) {
    const at = 'at' in m ? Math.min(b.length, Math.floor(m.at * b.length)) : 0;
    switch (m.kind) {
      case 'flip':
        if (at < b.length) {
          b = b.slice();
          b[at] = m.byte;
        }
        break;
      case 'delete':
        b = concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + m.len))]);
        break;
      case 'duplicate':
        b = concat([b.subarray(0, at + m.len), b.subarray(at)]);
        break;
      case 'insert':
        b = concat([b.subarray(0, at), enc.encode(FRAGMENTS[m.fragment % FRAGMENTS.length]!), b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'splice': {
        const other = corpus.messages[m.from % corpus.messages.length]!;
        const from = Math.floor((m.from / 7) % Math.max(1, other.length));
        b = concat([b.subarray(0, at), other.subarray(from, from + m.len), b.subarray(at)]);
        break;
      }
      case 'dropLine':
      case 'doubleLine': {
        const [start, end] = lineAround(b, at);
        b = m.kind === 'dropLine' ? concat([b.subarray(0, start), b.subarray(end)]) : concat([b.subarray(0, end), b.subarray(start)]);
        break;
      }
      case 'crlf':
      case 'cr':
        b = enc.encode(Buffer.from(b).toString('latin1').replace(/\r?\n/g, m.kind === 'crlf' ? '\r\n' : '\r'));
        break;
    }
  }
  return b;
}

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-fuzz-corpus-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

describe('fuzz: mutated corpus mail', { skip: corpusMissing }, () => {
  test('a mutated message decodes to a message or an error value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (pick, muts) => {
        const bytes = mutate(corpus.messages[pick % corpus.messages.length]!, muts);
        const r = await parseMessage(bytes, 'corpus#1@execmem-lens.invalid');
        if (r.ok) assertSaneMessage({ ...r.value, origin: 'corpus', sourceId: 'corpus' });
      }),
      fuzzParams('corpus: message', 400),
    );
  });

  test('a mutated thread groups without throwing, every message accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 8 }), async (pick, muts) => {
        const bytes = mutate(corpus.threads[pick % corpus.threads.length]!, muts);
        const p = await readInProcess(bytes);
        assertAccounted(p.index, p.messages, p.entries);
        assertIndexConsistent(p.index);
      }),
      fuzzParams('corpus: thread', 60),
    );
  });

  test('several mutated threads through the reader: seen is what the splitter gives, the buckets add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.array(mutation, { maxLength: 4 })), { minLength: 1, maxLength: 3 }), async (picks) => {
        const files: string[] = [];
        let expected = 0;
        for (const [pick, muts] of picks) {
          const bytes = mutate(corpus.threads[pick % corpus.threads.length]!, muts);
          const file = path.join(dir, `t${serial++}.mbox`);
          writeFileSync(file, bytes);
          files.push(file);
          expected += splitMbox(bytes).length;
        }
        const read = await readSources(files);
        assert.equal(read.seen, expected);
        assertAccounted(groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates }), read.messages, read.seen);
        for (const f of files) rmSync(f);
      }),
      fuzzParams('corpus: reader', 12),
    );
  });
});
