/**
 * The messages of a grouped read as search documents, each with its role
 * (the accounting's bucket) and the series version it belongs to. Patches
 * carry the files they touch and their hunk headers' function names, for
 * dfn: and dfhh:.
 */
import type { SeriesIndex, SeriesVersion, SourcedMessage } from '../series/model';
import { addressesOf } from '../mail/message';
import { versionLabel } from '../series/summary';
import { hunkHeadersOf } from '../series/facts';
import type { SearchDoc } from './query';

export type Role = 'cover' | 'patch' | 'reply' | 'other';

export interface SearchEntry {
  doc: SearchDoc;
  role: Role;
  series: SeriesVersion | null;
  message: SourcedMessage;
}

export { hunkHeadersOf };

/** The body is read when a query asks for it: an indexed message's body is not at hand, and most queries never need it. */
function docOf(m: SourcedMessage, extra: Partial<SearchDoc> = {}): SearchDoc {
  return {
    msgid: m.msgid,
    subject: m.subject,
    from: m.from,
    time: m.date === null ? null : m.time,
    bodyAtHand: m.facts === undefined,
    get body() {
      return m.body;
    },
    get to() {
      return addressesOf(m.to);
    },
    get cc() {
      return addressesOf(m.cc);
    },
    ...extra,
  };
}

export function searchEntries(index: Pick<SeriesIndex, 'series' | 'others'>): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const v of index.series) {
    if (v.cover) out.push({ doc: docOf(v.cover), role: 'cover', series: v, message: v.cover });
    for (const m of v.coverReplies) out.push({ doc: docOf(m), role: 'reply', series: v, message: m });
    for (const p of [...v.patches, ...v.extras]) {
      const files = p.files.flatMap((f) => (f.oldPath && f.oldPath !== f.path ? [f.path, f.oldPath] : [f.path]));
      out.push({ doc: docOf(p.message, { files, hunkHeaders: p.message.facts?.hunkHeaders ?? hunkHeadersOf(p.diff) }), role: 'patch', series: v, message: p.message });
      for (const m of p.replies) out.push({ doc: docOf(m), role: 'reply', series: v, message: m });
    }
  }
  for (const m of index.others) out.push({ doc: docOf(m), role: 'other', series: null, message: m });
  return out;
}

/** A hit as a reader is shown it (and as a worker sends it): the message's headers and the series version it is in. */
export interface SearchHit {
  msgid: string;
  subject: string;
  from: SearchDoc['from'];
  /** Milliseconds, or null when the message has no date. */
  time: number | null;
  role: Role;
  series: { id: string; title: string; label: string } | null;
}

export function hitOf(e: SearchEntry): SearchHit {
  return { msgid: e.doc.msgid, subject: e.doc.subject, from: e.doc.from, time: e.doc.time, role: e.role, series: e.series ? { id: e.series.id, title: e.series.title, label: versionLabel(e.series) } : null };
}

/** Hits newest first, then grouped by series in the order of each group's newest hit ("other" mail as one group, series null). */
export function groupHits(hits: readonly SearchHit[]): { series: SearchHit['series']; hits: SearchHit[] }[] {
  const sorted = [...hits].sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || (a.msgid < b.msgid ? -1 : 1));
  const groups = new Map<string, { series: SearchHit['series']; hits: SearchHit[] }>();
  for (const h of sorted) {
    const key = h.series ? h.series.id : '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { series: h.series, hits: [] }));
    g.hits.push(h);
  }
  return [...groups.values()];
}
