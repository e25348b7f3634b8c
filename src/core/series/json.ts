/**
 * The JSON the CLI prints for `execmem-lens series`. The shape is a contract
 * read by tests outside the project: change it only by adding.
 */
import type { SeriesIndex, SeriesVersion } from './model';

export interface SeriesJson {
  messages: number;
  series: SeriesVersionJson[];
  replies: number;
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

export function versionJson(v: SeriesVersion): SeriesVersionJson {
  return {
    title: v.title,
    version: v.version,
    total: v.total,
    date: v.date,
    family: v.family,
    superseded: v.superseded,
    cover: v.cover ? { msgid: v.cover.msgid, subject: v.cover.subject } : null,
    patches: v.patches.map((p) => ({
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
  return {
    messages: index.messageCount,
    series: index.series.map(versionJson),
    replies: index.followupCount,
    errors: index.errors.map((e) => ({ msgid: e.msgid, message: `${e.origin}: ${e.message}` })),
  };
}
