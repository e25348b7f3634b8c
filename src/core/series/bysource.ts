/**
 * Mail from several sources, each accounted for on its own. A message read
 * again from a later source is a duplicate of that source (listed there, not
 * dropped), and each source's messages add up over the same buckets as the
 * whole index:
 *
 *   read from the source = covers + patches + replies + others + duplicates + errors
 */
import { dedupe, type Accounting } from './accounting';
import { extendSeries } from './group';
import type { DuplicateMessage, ReadError, SeriesIndex, SourcedMessage } from './model';

/** What reading one source gave (duplicates within it already filed). */
export interface SourceRead {
  sourceId: string;
  messages: SourcedMessage[];
  duplicates: DuplicateMessage[];
  errors: ReadError[];
  /** Raw messages read: messages + duplicates + errors. */
  seen: number;
}

/** The sources merged in order: the first copy of a Message-ID counts, later copies are duplicates where they were read. */
export function mergeSources(reads: readonly SourceRead[]): { messages: SourcedMessage[]; duplicates: DuplicateMessage[]; errors: ReadError[] } {
  const first = new Map<string, SourcedMessage>();
  const messages: SourcedMessage[] = [];
  const duplicates: DuplicateMessage[] = [];
  const errors: ReadError[] = [];
  for (const r of reads) {
    // The source's own duplicates go through again so that they compare with the copy that counts.
    const d = dedupe([...r.messages, ...r.duplicates.map((x) => x.message)], first);
    messages.push(...d.messages);
    duplicates.push(...d.duplicates);
    noteAlsoOn(d.duplicates, first);
    errors.push(...r.errors.map((e) => (e.sourceId ? e : { ...e, sourceId: r.sourceId })));
  }
  return { messages, duplicates, errors };
}

/**
 * `index`, grouped from reads whose last was `before`, with what `after` (the
 * same source read again, mail added at its end) added: as mergeSources and
 * groupSeries would give them all, or null where only grouping all again
 * can (see extendSeries). The index is changed in place.
 */
export function extendWithRead(index: SeriesIndex, before: SourceRead, after: SourceRead): SeriesIndex | null {
  const added = after.messages.slice(before.messages.length);
  const copies = after.duplicates.slice(before.duplicates.length).map((d) => d.message);
  // A copy of mail read before, filed against the copy that counts, as mergeSources files it.
  let first: Map<string, SourcedMessage> | undefined;
  let duplicates: DuplicateMessage[] = [];
  if (copies.length > 0) {
    first = new Map(index.byId);
    for (const m of added) first.set(m.msgid, m);
    if (copies.some((m) => !first!.has(m.msgid))) return null;
    duplicates = dedupe(copies, first).duplicates;
  }
  const errors = after.errors.slice(before.errors.length).map((e) => (e.sourceId ? e : { ...e, sourceId: after.sourceId }));
  const out = extendSeries(index, added, { duplicates, errors });
  if (out && first) noteAlsoOn(duplicates, first);
  return out;
}

/**
 * A copy read from another list (its `list` known, as an index knows it) makes
 * the copy that counts "also on" that list: lore shows one message, on every
 * list it went to.
 */
export function noteAlsoOn(duplicates: readonly DuplicateMessage[], first: ReadonlyMap<string, SourcedMessage>): void {
  for (const d of duplicates) {
    const kept = first.get(d.msgid);
    const list = d.message.list;
    if (!kept || !list || list === kept.list || (kept.alsoOn ?? []).includes(list)) continue;
    (kept.alsoOn ??= []).push(list);
  }
}

export type SourceAccounting = Omit<Accounting, 'doubleCounted'>;

function empty(messages: number): SourceAccounting {
  return { messages, covers: 0, patches: 0, replies: 0, others: 0, duplicates: 0, errors: 0, unaccounted: 0 };
}

/**
 * Each source's buckets, counted from where its messages are in the index
 * (by sourceId); `read` is how many messages each source gave.
 */
export function accountBySource(index: SeriesIndex, read: ReadonlyMap<string, number>): Map<string, SourceAccounting> {
  const out = new Map<string, SourceAccounting>();
  const of = (id: string | undefined): SourceAccounting => {
    const key = id ?? '';
    let a = out.get(key);
    if (!a) out.set(key, (a = empty(read.get(key) ?? 0)));
    return a;
  };
  for (const id of read.keys()) of(id);
  // The walk of filed(), written out: this runs after every change of the mail (new replies
  // included), and the generator's steps cost more than the counting. Replies mostly come from
  // the source of the message before them: its counts are looked up again only when it changes.
  const replies = (ms: readonly SourcedMessage[]) => {
    let id: string | undefined;
    let a: SourceAccounting | undefined;
    for (const m of ms) {
      if (a === undefined || m.sourceId !== id) a = of((id = m.sourceId));
      a.replies++;
    }
  };
  for (const v of index.series) {
    if (v.cover) of(v.cover.sourceId).covers++;
    replies(v.coverReplies);
    for (const list of [v.patches, v.extras]) {
      for (const p of list) {
        of(p.message.sourceId).patches++;
        replies(p.replies);
      }
    }
  }
  {
    let id: string | undefined;
    let a: SourceAccounting | undefined;
    for (const m of index.others) {
      if (a === undefined || m.sourceId !== id) a = of((id = m.sourceId));
      a.others++;
    }
  }
  for (const d of index.duplicates) of(d.sourceId).duplicates++;
  for (const e of index.errors) of(e.sourceId).errors++;
  for (const a of out.values()) a.unaccounted = a.messages - (a.covers + a.patches + a.replies + a.others + a.duplicates + a.errors);
  return out;
}

/**
 * Why a source that was read gave no mail, or null when it gave some: a file
 * that is not mail (a Makefile) reads as one message that cannot be decoded.
 */
export function sourceFailure(a: SourceAccounting, errors: readonly ReadError[]): string | null {
  if (a.messages === 0) return 'no mail: nothing in it reads as a message';
  if (a.errors < a.messages) return null;
  if (errors.length === 1) return `not mail: ${errors[0]!.message}`;
  return `not mail: none of its ${a.messages} messages could be read (the first: ${errors[0]?.message ?? 'no reason given'})`;
}
