/**
 * Every message read lands in exactly one bucket, and the buckets add up:
 *
 *   messages = covers + patches + replies + others + duplicates + errors
 *
 * The counts are taken from where the messages actually are (the series'
 * covers, patches and extras, the replies under them, the "other" list, the
 * duplicates and the errors), never from counters kept on the side, so a
 * message that vanishes or is filed twice shows up as a broken equation.
 */
import type { DuplicateMessage, SeriesIndex, SourcedMessage } from './model';
import { contentKeyOf } from './facts';

export type Bucket = 'cover' | 'patch' | 'reply' | 'other' | 'duplicate' | 'error';

export interface Accounting {
  messages: number;
  covers: number;
  patches: number;
  replies: number;
  others: number;
  duplicates: number;
  errors: number;
  /** messages − the sum of the buckets: 0 when every message is accounted for. */
  unaccounted: number;
  /** Message-IDs filed in more than one bucket (or twice in one): empty when nothing is counted twice. */
  doubleCounted: string[];
}

/** Each distinct message and the bucket it was filed in. */
export function* filed(index: SeriesIndex): Generator<[SourcedMessage, Bucket]> {
  for (const v of index.series) {
    if (v.cover) yield [v.cover, 'cover'];
    for (const m of v.coverReplies) yield [m, 'reply'];
    for (const p of [...v.patches, ...v.extras]) {
      yield [p.message, 'patch'];
      for (const m of p.replies) yield [m, 'reply'];
    }
  }
  for (const m of index.others) yield [m, 'other'];
}

export function accountFor(index: SeriesIndex): Accounting {
  const counts: Record<Bucket, number> = { cover: 0, patch: 0, reply: 0, other: 0, duplicate: index.duplicates.length, error: index.errors.length };
  const seen = new Set<string>();
  const doubleCounted: string[] = [];
  for (const [m, bucket] of filed(index)) {
    counts[bucket]++;
    if (seen.has(m.msgid)) doubleCounted.push(m.msgid);
    else seen.add(m.msgid);
  }
  const sum = counts.cover + counts.patch + counts.reply + counts.other + counts.duplicate + counts.error;
  return {
    messages: index.messageCount,
    covers: counts.cover,
    patches: counts.patch,
    replies: counts.reply,
    others: counts.other,
    duplicates: counts.duplicate,
    errors: counts.error,
    unaccounted: index.messageCount - sum,
    doubleCounted,
  };
}

/**
 * The same message as far as a reader can tell: sender, date, subject and
 * text (an indexed message's text by the hash in its facts: its body is not
 * at hand).
 */
function sameContent(a: SourcedMessage, b: SourcedMessage): boolean {
  if (a.subject !== b.subject || a.from.address !== b.from.address || a.time !== b.time) return false;
  if (a.facts || b.facts) {
    const ka = contentKeyOf(a);
    const kb = contentKeyOf(b);
    // Keys made by different hashes (see FactHashes) say nothing: the texts are compared.
    if (ka[0] === kb[0]) return ka === kb;
  }
  return (
    a.body === b.body &&
    a.attachedPatches.length === b.attachedPatches.length &&
    a.attachedPatches.every((p, i) => p === b.attachedPatches[i])
  );
}

/**
 * Keeps the first message of each Message-ID and files the later ones as
 * duplicates, saying whether their content was the same. `seen` carries what
 * earlier sources gave, so a message read from two sources counts once.
 */
export function dedupe(
  messages: Iterable<SourcedMessage>,
  seen: Map<string, SourcedMessage> = new Map(),
): { messages: SourcedMessage[]; duplicates: DuplicateMessage[] } {
  const kept: SourcedMessage[] = [];
  const duplicates: DuplicateMessage[] = [];
  for (const m of messages) {
    const first = seen.get(m.msgid);
    if (!first) {
      seen.set(m.msgid, m);
      kept.push(m);
      continue;
    }
    duplicates.push({
      msgid: m.msgid,
      subject: m.subject,
      origin: m.origin,
      sourceId: m.sourceId,
      firstOrigin: first.origin,
      identical: sameContent(first, m),
      message: m,
    });
  }
  return { messages: kept, duplicates };
}
