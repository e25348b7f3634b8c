/**
 * The JSON the CLI prints for `execmem-lens series`. The shape is a contract
 * read by tests outside the project: change it only by adding.
 */
import { accountFor } from './accounting';
import type { SeriesIndex, SeriesVersion } from './model';

/**
 * Every message read is in exactly one place:
 *   messages = covers + patches + replies + others.length + duplicates.length + errors.length
 * where covers and patches are counted over `series` (a version's patches list
 * holds its extras too: numbers outside 1..total).
 */
export interface SeriesJson {
  /** Every message read, duplicates and unreadable ones included. */
  messages: number;
  series: SeriesVersionJson[];
  /** Follow-ups in a series' thread. */
  replies: number;
  /** Mail that is neither a series nor a follow-up of one. */
  others: { msgid: string; subject: string }[];
  /** Messages whose Message-ID had been read already. */
  duplicates: { msgid: string; subject: string }[];
  errors: { msgid: string | null; message: string }[];
}

export interface SeriesVersionJson {
  title: string;
  version: number;
  total: number;
  date: string | null;
  family: string;
  superseded: boolean;
  cover: { msgid: string; subject: string } | null;
  patches: {
    index: number;
    msgid: string;
    subject: string;
    replies: number;
    trailers: { name: string; value: string; from: 'patch' | 'followup' }[];
  }[];
  missing: number[];
  replies: number;
}

function versionJson(v: SeriesVersion): SeriesVersionJson {
  return {
    title: v.title,
    version: v.version,
    total: v.total,
    date: v.date,
    family: v.family,
    superseded: v.superseded,
    cover: v.cover ? { msgid: v.cover.msgid, subject: v.cover.subject } : null,
    patches: [...v.patches, ...v.extras].map((p) => ({
      index: p.index,
      msgid: p.message.msgid,
      subject: p.message.subject,
      replies: p.replies.length,
      trailers: p.trailers.map((t) => ({ name: t.name, value: t.value, from: t.from })),
    })),
    missing: v.missing,
    replies: v.replyCount,
  };
}

export function seriesJson(index: SeriesIndex): SeriesJson {
  const a = accountFor(index);
  if (a.unaccounted !== 0 || a.doubleCounted.length > 0) {
    // A bug, not bad input: say so rather than print counts that do not add up.
    throw new Error(`series accounting is off: ${a.unaccounted} message(s) unaccounted for, ${a.doubleCounted.length} counted twice (${a.doubleCounted.slice(0, 3).join(', ')})`);
  }
  return {
    messages: a.messages,
    series: index.series.map(versionJson),
    replies: a.replies,
    others: index.others.map((m) => ({ msgid: m.msgid, subject: m.subject })),
    duplicates: index.duplicates.map((d) => ({ msgid: d.msgid, subject: d.subject })),
    errors: index.errors.map((e) => ({ msgid: e.msgid, message: `${e.origin}: ${e.message}` })),
  };
}
