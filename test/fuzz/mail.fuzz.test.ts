/**
 * Fuzz properties of the mail layer on bad input: the mbox splitter, the
 * message decoder (headers, MIME, charsets), subject parsing and trailers.
 * Budget and seed: test/fuzz/support/budget.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { entryAt, splitMbox, splitMboxPart, type MboxEntry } from '../../src/core/mail/mbox';
import { parseMessage } from '../../src/core/mail/message';
import { MAX_VERSION, normalizeTitle, parseSubject } from '../../src/core/mail/subject';
import { followupTrailers, patchTrailers } from '../../src/core/mail/trailers';
import type { SourcedMessage } from '../../src/core/series/model';
import { concat, genMbox, genMessage, mboxText, messageText, randomBytes, soup, subject } from './support/arbitraries';
import { fuzzParams } from './support/budget';
import { readInProcess } from './support/pipeline';
import { assertSaneMessage } from './support/pipeline';

const enc = new TextEncoder();
const anyBytes = fc.oneof(randomBytes, soup, genMbox.map((g) => enc.encode(mboxText(g))));

/** What the reader does with a file read piece by piece: split what is held, keep the rest for the next piece. */
function splitInPieces(whole: Uint8Array, sizes: readonly number[]): MboxEntry[] {
  const out: MboxEntry[] = [];
  let held: Uint8Array = new Uint8Array(0);
  let base = 0;
  let pos = 0;
  let k = 0;
  for (;;) {
    const size = Math.max(1, sizes.length ? sizes[k++ % sizes.length]! : whole.length);
    const piece = whole.subarray(pos, Math.min(whole.length, pos + size));
    pos += piece.length;
    // As readMboxFile: the end is known when a read gives nothing more.
    const atEnd = piece.length === 0;
    held = concat([held, piece]);
    const part = splitMboxPart(held, atEnd, base);
    for (const e of part.entries) out.push({ ...e, bytes: e.bytes.slice() });
    held = held.slice(part.rest);
    base += part.rest;
    if (atEnd) return out;
  }
}

describe('fuzz: mbox splitter', () => {
  test('any bytes split without throwing, into messages in order, each after its "From " line', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const entries = splitMbox(bytes);
        let last = -1;
        for (const e of entries) {
          assert.ok(e.offset > last, 'offsets go forward');
          // After its "From " line; a "From " line that ends the file without a newline gives an empty message there.
          assert.ok(e.offset === 0 || e.offset === bytes.length || bytes[e.offset - 1] === 0x0a, 'a message starts on a new line');
          assert.ok(e.bytes.length <= bytes.length - e.offset);
          last = e.offset;
        }
        if (bytes.length > 0) assert.ok(entries.length > 0, 'non-empty input gives at least one message');
      }),
      fuzzParams('split: any bytes', 800),
    );
  });

  test('splitting a file piece by piece gives what splitting it whole gives', () => {
    fc.assert(
      fc.property(anyBytes, fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 4 }), (bytes, sizes) => {
        const whole = splitMbox(bytes).map((e) => ({ offset: e.offset, bytes: Buffer.from(e.bytes).toString('latin1') }));
        const pieces = splitInPieces(bytes, sizes).map((e) => ({ offset: e.offset, bytes: Buffer.from(e.bytes).toString('latin1') }));
        assert.deepEqual(pieces, whole);
      }),
      fuzzParams('split: in pieces', 500),
    );
  });

  test('each message read again from its raw range [offset, end) is the message split out (what a mail index relies on)', () => {
    fc.assert(
      fc.property(anyBytes, fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 4 }), (bytes, sizes) => {
        for (const e of splitInPieces(bytes, sizes)) {
          assert.ok(e.offset <= e.end && e.end <= bytes.length, 'the range lies in the file');
          assert.deepEqual(Buffer.from(entryAt(bytes.subarray(e.offset, e.end), e.whole)).toString('latin1'), Buffer.from(e.bytes).toString('latin1'));
        }
      }),
      fuzzParams('split: read again from its range', 500),
    );
  });
});

describe('fuzz: message decoding', () => {
  test('any bytes decode to a message or an error value, never a rejection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(randomBytes, soup, genMessage.map((m) => enc.encode(messageText(m)))), async (bytes) => {
        const r = await parseMessage(bytes, 'fuzz#1@execmem-lens.invalid');
        if (r.ok) assertSaneMessage({ ...r.value, origin: 'fuzz', sourceId: 'fuzz' });
        else assert.ok(typeof r.error === 'string' && r.error.length > 0);
      }),
      fuzzParams('decode: any bytes', 800),
    );
  });

  test('an mbox with CRLF line ends reads as the same messages as with LF', async () => {
    const lfOnly = genMbox.map((g) => ({ ...g, cut: 0 })).filter((g) => !mboxText({ ...g, crlf: false }).includes('\r'));
    await fc.assert(
      fc.asyncProperty(lfOnly, async (g) => {
        const lf = await readInProcess(enc.encode(mboxText({ ...g, crlf: false })));
        const crlf = await readInProcess(enc.encode(mboxText({ ...g, crlf: true })));
        const view = (m: SourcedMessage) => ({
          msgid: m.msgid,
          subject: m.subject,
          from: m.from,
          time: m.time,
          inReplyTo: m.inReplyTo,
          references: m.references,
          body: m.body,
          attachedPatches: m.attachedPatches.map((p) => p.replace(/\r\n/g, '\n')),
        });
        assert.equal(crlf.entries, lf.entries);
        assert.deepEqual(crlf.messages.map(view), lf.messages.map(view));
        // The same messages fail (the reason may be worded otherwise: "\r\n" alone is a header block of "\r").
        assert.deepEqual(
          crlf.errors.map((e) => e.origin),
          lf.errors.map((e) => e.origin),
        );
      }),
      fuzzParams('decode: crlf = lf', 200),
    );
  });
});

describe('fuzz: subjects and trailers', () => {
  test('any subject parses to numbers that are numbers, a version in range and a trimmed title', () => {
    fc.assert(
      fc.property(fc.oneof(subject, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), (s) => {
        const info = parseSubject(s);
        assert.ok(Number.isInteger(info.version) && info.version >= 1 && info.version <= MAX_VERSION);
        for (const n of [info.index, info.total]) assert.ok(n === undefined || Number.isFinite(n));
        // A counter has both numbers, or only an index when its total is a letter ("[PATCH 3/n]").
        assert.equal(info.index === undefined, info.total === undefined && !info.totalUnknown);
        if (info.index !== undefined) assert.ok(info.isPatch);
        assert.equal(info.title, info.title.trim());
        assert.equal(typeof normalizeTitle(info.title), 'string');
      }),
      fuzzParams('subject: any string', 1500),
    );
  });

  test('any body gives trailers with a name, a value, and an address for a person', () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), soup.map((b) => new TextDecoder().decode(b)));
    fc.assert(
      fc.property(text, (t) => {
        for (const tr of [...followupTrailers(t), ...patchTrailers(t)]) {
          assert.match(tr.name, /^[A-Z][a-z0-9]*(?:-[a-z0-9]+)*$/);
          assert.ok(tr.value.length > 0);
          if (tr.person) assert.match(tr.person.address, /@/);
        }
      }),
      fuzzParams('trailers: any body', 800),
    );
  });
});
