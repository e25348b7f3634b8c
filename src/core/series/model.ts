/** What the series explorer knows after reading mail. */
import type { Mailbox, MailMessage } from '../mail/message';
import type { SubjectInfo } from '../mail/subject';
import type { Trailer } from '../mail/trailers';
import type { DiffStat, PatchFile } from '../patch/patch';

/** A file a patch touches, without its hunks. */
export type FileFact = Omit<PatchFile, 'structured'>;

/** What a message's text says (see facts.ts), kept by a mail index in place of the text. */
export interface MessageFacts {
  /** A diff in the body, or a patch attached: the message is a patch unless its subject says it answers one. */
  hasDiff: boolean;
  /** The diff a patch entry would take from it is empty (a patch "carries no diff"). */
  diffEmpty: boolean;
  /** The diff's files, their hunks left out. */
  files: FileFact[];
  /** Hash of the diff with white space folded (two patches are the same patch when these are equal). */
  diffKey: string;
  /** Hash of the whole text (body and attached patches): two copies of a Message-ID are identical when these are equal. */
  contentKey: string;
  /** Trailers in the commit message (a patch's own). */
  patchTrailers: Trailer[];
  /** Trailers the message gives in its own lines (a follow-up's). */
  followupTrailers: Trailer[];
  baseCommit: string | null;
  changeId: string | null;
  /** The text after each hunk header's second @@ (dfhh:). */
  hunkHeaders: string[];
  /**
   * Per path the diff touches (new and old names): the functions its changed lines fall in, lower case.
   * Pairs, not an object keyed by path: a list archive has some hundred thousand
   * paths, and as object keys each would make the engine a hidden class of its own.
   */
  touches: [path: string, functions: string[]][];
}

export interface ReadError {
  msgid: string | null;
  /** Where the message came from (file and position, or repository and commit). */
  origin: string;
  message: string;
  /** The source it was read from (a configured path), when known. */
  sourceId?: string;
  /** Where in the source (see SourcedMessage.loc), when a mail index keeps it. */
  loc?: string;
}

/** A message whose Message-ID was already read (from this source or an earlier one). */
export interface DuplicateMessage {
  msgid: string;
  subject: string;
  /** Where this copy was read. */
  origin: string;
  sourceId: string;
  /** Where the copy that counts was read. */
  firstOrigin: string;
  /** Same sender, date, subject and text as the copy that counts. */
  identical: boolean;
  /** This copy, kept so that it can be opened. */
  message: SourcedMessage;
}

/** A decoded message with where it came from. */
export interface SourcedMessage extends MailMessage {
  /** Human-readable place: "threads/x.mbox, message 12" or "linux-modules.git 1a2b3c4". */
  origin: string;
  /** The source it was read from (a configured path), for grouping format-patch folders. */
  sourceId: string;
  /**
   * What its text says, worked out when it was indexed: a message from a mail
   * index carries these, and its body is read again only when asked for.
   */
  facts?: MessageFacts;
  /** Lists it was also read from (its copies there are not duplicates to show). */
  alsoOn?: string[];
  /**
   * Where to read it again in its source: "<offset>-<end>" in an mbox (a
   * trailing "w" for a file that is one message without a "From " line),
   * "<file>#<offset>-<end>" in a folder, "<epoch>/<commit>" in public-inbox.
   */
  loc?: string;
  /** The list it was read from (a mail index knows it: List-Id, or the source's name). */
  list?: string;
  /** Decoded by the full MIME parse (multipart mail): an index keeps its text, which cannot be decoded again synchronously. */
  mime?: true;
}

export interface GivenTrailer extends Trailer {
  from: 'patch' | 'followup';
  /** Who gave it (the reply's author) and in which message; for the patch's own, the patch. */
  by: Mailbox;
  msgid: string;
  /** Given on the cover letter: it applies to every patch of the version. */
  via?: 'cover';
  /** The trailer names someone other than the reply's sender (b4 warns about these). */
  mismatch?: boolean;
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
  /** Follow-ups below this patch (answers to answers included), in date order. */
  replies: SourcedMessage[];
  /** What in its subject or body cannot be taken at its word (a number beyond the total, no diff…). */
  findings: string[];
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
  /** One patch per index, by index (a second patch of the same number starts another sending, as in patchwork). */
  patches: PatchEntry[];
  /** Patches numbered outside 1..total ([PATCH 3/2], [PATCH 0/0]…), each with its finding. */
  extras: PatchEntry[];
  missing: number[];
  complete: boolean;
  /** Every patch threads to the cover (or, without a cover, to one first patch). */
  threaded: boolean;
  superseded: boolean;
  supersededBy: string | null;
  /** The same content was sent before, equally complete: this is a resend of that version (its id). */
  resendOf: string | null;
  /** What a reviewer should know about this sending (absurd totals, unbelievable versions…). */
  findings: string[];
  baseCommit: string | null;
  changeId: string | null;
  /** Family id (see SeriesFamily). */
  family: string;
  /** Follow-ups on the cover and on the patches. */
  replyCount: number;
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
  /** Every message read: the distinct ones, the duplicates and the unreadable. */
  messageCount: number;
  /** All versions, by date. */
  series: SeriesVersion[];
  families: SeriesFamily[];
  /** Follow-ups in a series' thread: replies to a cover or a patch, directly or through other replies. */
  replyCount: number;
  /** Mail that is neither a series nor a follow-up of one (discussion, pull requests, reports). */
  others: SourcedMessage[];
  /** Messages whose Message-ID had been read already. */
  duplicates: DuplicateMessage[];
  errors: ReadError[];
  /** Every distinct message by Message-ID. */
  byId: Map<string, SourcedMessage>;
  /** The message each one answers, where that message was read (threading as the grouping used it). */
  parentOf: Map<string, string>;
}
