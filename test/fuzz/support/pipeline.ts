/**
 * The reader's pipeline run in-process on bytes (split → decode → dedupe →
 * group → account), and the checks every fuzz property shares: nothing
 * throws, every message lands in exactly one bucket, the buckets add up.
 */
import assert from 'node:assert/strict';
import { splitMbox } from '../../../src/core/mail/mbox';
import { parseMessage } from '../../../src/core/mail/message';
import { accountFor, filed } from '../../../src/core/series/accounting';
import { dedupe } from '../../../src/core/series/accounting';
import { groupSeries } from '../../../src/core/series/group';
import { seriesJson } from '../../../src/core/series/json';
import type { DuplicateMessage, ReadError, SeriesIndex, SourcedMessage } from '../../../src/core/series/model';

export interface Pipeline {
  entries: number;
  messages: SourcedMessage[];
  duplicates: DuplicateMessage[];
  errors: ReadError[];
  index: SeriesIndex;
}

/** Decodes every message of an mbox the way a source reader does, then groups them. */
export async function readInProcess(bytes: Uint8Array, name = 'fuzz.mbox'): Promise<Pipeline> {
  const entries = splitMbox(bytes);
  const decoded: SourcedMessage[] = [];
  const errors: ReadError[] = [];
  for (let i = 0; i < entries.length; i++) {
    const origin = entries.length === 1 ? name : `${name}, message ${i + 1}`;
    // parseMessage must never reject: a message that cannot be read is an error value.
    const r = await parseMessage(entries[i]!.bytes, `${name}#${i + 1}@execmem-lens.invalid`);
    if (r.ok) decoded.push({ ...r.value, origin, sourceId: name });
    else errors.push({ msgid: null, origin, sourceId: name, message: r.error });
  }
  const { messages, duplicates } = dedupe(decoded);
  const index = groupSeries(messages, { errors, duplicates });
  return { entries: entries.length, messages, duplicates, errors, index };
}

/** The accounting rule: each message read is in exactly one bucket, and the buckets add up to what was read. */
export function assertAccounted(index: SeriesIndex, messages: readonly SourcedMessage[], read: number): void {
  const a = accountFor(index);
  assert.equal(a.unaccounted, 0, `unaccounted: ${JSON.stringify(a)}`);
  assert.deepEqual(a.doubleCounted, [], 'messages filed twice');
  assert.equal(a.messages, read, 'messageCount is not the number of messages read');
  assert.equal(a.covers + a.patches + a.replies + a.others + a.duplicates + a.errors, read);
  // Filed are exactly the messages given, not some other object with the same id.
  const given = new Set(messages);
  let n = 0;
  for (const [m] of filed(index)) {
    assert.ok(given.has(m), `filed a message that was not given: ${m.msgid}`);
    n++;
  }
  assert.equal(n, messages.length);
}

/** Invariants of a decoded message, whatever the input was. */
export function assertSaneMessage(m: SourcedMessage): void {
  assert.equal(typeof m.msgid, 'string');
  assert.ok(m.msgid.length > 0, 'empty Message-ID');
  assert.equal(typeof m.subject, 'string');
  assert.equal(typeof m.body, 'string');
  assert.ok(Number.isFinite(m.time), `time ${m.time}`);
  assert.ok(m.date === null || !Number.isNaN(Date.parse(m.date)), `date ${m.date}`);
  assert.ok(Array.isArray(m.references) && m.references.every((r) => typeof r === 'string' && r.length > 0));
  assert.ok(m.inReplyTo === null || (typeof m.inReplyTo === 'string' && m.inReplyTo.length > 0));
  assert.ok(m.attachedPatches.every((p) => typeof p === 'string'));
}

/** The index agrees with itself: ids, families, numbers and counts, and its JSON has no holes. */
export function assertIndexConsistent(index: SeriesIndex): void {
  const ids = new Set(index.series.map((v) => v.id));
  assert.equal(ids.size, index.series.length, 'two versions share an id');
  const inFamilies = index.families.flatMap((f) => f.versions);
  assert.equal(new Set(inFamilies).size, inFamilies.length, 'a version in two families');
  assert.deepEqual(new Set(inFamilies), new Set(index.series), 'families do not hold exactly the versions');
  assert.equal(new Set(index.families.map((f) => f.id)).size, index.families.length, 'two families share an id');
  for (const f of index.families) for (const v of f.versions) assert.equal(v.family, f.id);
  let replies = 0;
  for (const v of index.series) {
    const numbers = v.patches.map((p) => p.index);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), `patches of ${v.id} out of order`);
    assert.equal(new Set(numbers).size, numbers.length, `a number twice among the patches of ${v.id}`);
    for (const n of v.missing) assert.ok(!numbers.includes(n), `${n} both missing and present in ${v.id}`);
    if (v.complete) assert.deepEqual(v.missing, []);
    for (const ref of [v.supersededBy, v.resendOf]) if (ref !== null) assert.ok(ids.has(ref) && ref !== v.id, `${v.id} points at ${ref}`);
    for (const n of [v.version, v.total, v.time]) assert.ok(Number.isFinite(n), `${v.id}: ${n}`);
    const own = v.coverReplies.length + [...v.patches, ...v.extras].reduce((k, p) => k + p.replies.length, 0);
    assert.equal(v.replyCount, own, `replyCount of ${v.id}`);
    replies += own;
  }
  assert.equal(index.replyCount, replies);
  const json = JSON.stringify(seriesJson(index));
  assert.ok(!/:null[,}]/.test(json.replace(/"(date|cover|msgid)":null/g, '')), 'a number printed as null (NaN or Infinity)');
}
