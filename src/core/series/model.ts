/** What the series explorer knows after reading mail. */
import type { Mailbox, MailMessage } from '../mail/message';
import type { SubjectInfo } from '../mail/subject';
import type { Trailer } from '../mail/trailers';
import type { DiffStat, PatchFile } from '../patch/patch';

export interface ReadError {
  msgid: string | null;
  /** Where the message came from (file and position, or repository and commit). */
  origin: string;
  message: string;
}

/** A decoded message with where it came from. */
export interface SourcedMessage extends MailMessage {
  /** Human-readable place: "threads/x.mbox, message 12" or "linux-modules.git 1a2b3c4". */
  origin: string;
  /** The source it was read from (a configured path), for grouping format-patch folders. */
  sourceId: string;
}

export interface GivenTrailer extends Trailer {
  from: 'patch' | 'followup';
  /** Who gave it (the reply's author) and in which message; for the patch's own, the patch. */
  by: Mailbox;
  msgid: string;
}

export interface PatchEntry {
  index: number;
  message: SourcedMessage;
  subject: SubjectInfo;
  /** The commit message part of the body. */
  commitMessage: string;
  /** The diff text ('' when the message carries none). */
  diff: string;
  files: PatchFile[];
  stat: DiffStat;
  /** Trailers the patch carried plus those given in replies (to it or to the cover). */
  trailers: GivenTrailer[];
  /** Follow-ups below this patch, in date order. */
  replies: SourcedMessage[];
}

export interface SeriesVersion {
  /** Stable id: the Message-ID of the cover, or of the lowest-numbered patch. */
  id: string;
  title: string;
  version: number;
  /** The version was not written in subjects and was inferred from an earlier sending. */
  versionInferred: boolean;
  total: number;
  rfc: boolean;
  resend: boolean;
  labels: string[];
  author: Mailbox;
  /** ISO 8601 of the cover, or of the earliest patch. */
  date: string | null;
  time: number;
  cover: SourcedMessage | null;
  coverReplies: SourcedMessage[];
  /** Trailers given in replies to the cover (they apply to every patch). */
  coverTrailers: GivenTrailer[];
  /** One patch per index, by index. */
  patches: PatchEntry[];
  /** Further copies of a patch index that the chosen one was preferred over. */
  duplicates: SourcedMessage[];
  /** Patches numbered beyond the total. */
  extras: PatchEntry[];
  missing: number[];
  complete: boolean;
  /** Every patch threads to the cover (or, without a cover, to one first patch). */
  threaded: boolean;
  superseded: boolean;
  supersededBy: string | null;
  baseCommit: string | null;
  changeId: string | null;
  /** Family id (see SeriesFamily). */
  family: string;
  /** Follow-ups on the cover and on the patches. */
  replyCount: number;
  stat: DiffStat;
}

export interface SeriesFamily {
  /** The title of the family's first version (with the author when two families share it). */
  id: string;
  /** The title of its newest version by the author of its first. */
  title: string;
  /** Oldest first. */
  versions: SeriesVersion[];
}

export interface SeriesIndex {
  /** Distinct messages read. */
  messageCount: number;
  /** All versions, by date. */
  series: SeriesVersion[];
  families: SeriesFamily[];
  /** Messages that are neither patches nor covers. */
  followupCount: number;
  errors: ReadError[];
  /** Every message by Message-ID. */
  byId: Map<string, SourcedMessage>;
}
