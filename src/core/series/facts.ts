/**
 * What grouping, the tree, search and the history lens need to know of one
 * message's text, worked out once from its body so that the body itself need
 * not be kept: a mail index stores these facts beside each message's headers
 * and reads a body again only when a reader opens it.
 *
 * A message that carries `facts` is grouped from them (group.ts); one without
 * is grouped from its body as it always was. Both give the same series, which
 * test/core/series/facts.test.ts checks on every corpus file.
 */
import type { Mailbox, MailMessage } from '../mail/message';
import { followupTrailers, parsePerson, patchTrailers, seriesMarkers, type Trailer } from '../mail/trailers';
import { parseSubject } from '../mail/subject';
import { diffStart, parseDiffFiles, splitPatchBody } from '../patch/patch';
import { touchesOf } from '../patch/touches';
import type { FileFact, MessageFacts, SourcedMessage } from './model';

export type { FileFact, MessageFacts };

/** What /\s/ matches: JavaScript's white space and line terminators. */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * Two independent 32-bit FNV-1a lanes over the text's UTF-16 units, with
 * every run of white space taken as one space when `fold` is set, and the
 * length: 64 bits of hash, so that two different diffs of one family are
 * taken for the same with a chance of about 2^-64.
 */
export function textKey(text: string, fold: boolean): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  let n = 0;
  for (let i = 0; i < text.length; ) {
    let c = text.charCodeAt(i++);
    if (fold && isSpace(c)) {
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      c = 0x20;
    }
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ (c + 0x9e37), 0x01000193) ^ (b >>> 15);
    n++;
  }
  return `${hex(a)}${hex(b)}:${n}`;
}

/** The text after each hunk header's second @@: the function git names there. */
export function hunkHeadersOf(diff: string): string[] {
  const out: string[] = [];
  for (const m of diff.matchAll(/^@@@* [-+\d, ]+ @@@* ?(.*)$/gm)) if (m[1]!.trim() !== '') out.push(m[1]!.trim());
  return out;
}

/** The diff of a message as a patch entry takes it: the body's, then each attached patch's. */
export function diffOf(msg: Pick<MailMessage, 'body' | 'attachedPatches'>, at: number = diffStart(msg.body)): { message: string; diff: string } {
  const parts = splitPatchBody(msg.body, at);
  const attached = msg.attachedPatches;
  const diff = attached.length === 0 ? parts.diff : [parts.diff, ...attached.map((p) => splitPatchBody(p).diff)].filter(Boolean).join('\n');
  return { message: parts.message, diff };
}

/** The hash of a message's whole text (body and attached patches) that says two copies are the same, made by `hash` (default JS_HASHES). */
export function contentKeyOf(msg: Pick<MailMessage, 'body' | 'attachedPatches'> & { facts?: MessageFacts }, hash: (t: string) => string = JS_HASHES.exact): string {
  if (msg.facts) return msg.facts.contentKey;
  return hash(msg.attachedPatches.length === 0 ? msg.body : [msg.body, ...msg.attachedPatches].join('\u0000'));
}

/**
 * How facts hash text: `textKey` by default; a caller with a faster hash (the
 * Node indexer uses the platform's SHA-1) passes its own. Keys say which
 * hash made them, so keys of two hashes are never taken as different text.
 */
export interface FactHashes {
  /** Hash of the text as it is. */
  exact: (text: string) => string;
  /** Hash of the text with every run of white space taken as one space. */
  folded: (text: string) => string;
}

export const JS_HASHES: FactHashes = {
  exact: (t) => `j${textKey(t, false)}`,
  folded: (t) => `j${textKey(t, true)}`,
};

/**
 * The facts of a decoded message. `isReply`: its subject answers another
 * ("Re:"), so it is never a patch. Trailers are kept only where grouping
 * reads them: a patch's own for a message that can be a patch, those it
 * gives for one that can be a follow-up.
 */
export function factsOf(msg: MailMessage, isReply: boolean, hashes: FactHashes = JS_HASHES): MessageFacts {
  const at = diffStart(msg.body);
  const hasDiff = msg.attachedPatches.length > 0 || at >= 0;
  const contentKey = hashes.exact(msg.attachedPatches.length === 0 ? msg.body : [msg.body, ...msg.attachedPatches].join('\u0000'));
  const markers = seriesMarkers(msg.body);
  // A message with a diff that does not answer another is always a patch: it gives no follow-up trailers.
  const followup = isReply || !hasDiff ? followupTrailers(msg.body) : [];
  if (isReply) {
    return { hasDiff, diffEmpty: true, files: [], diffKey: hashes.folded(''), contentKey, patchTrailers: [], followupTrailers: followup, ...markers, hunkHeaders: [], touches: [] };
  }
  const { message, diff } = diffOf(msg, at);
  const files: FileFact[] = parseDiffFiles(diff).map((f) => ({
    path: f.path,
    oldPath: f.oldPath,
    newPath: f.newPath,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
  }));
  const touches: [string, string[]][] = [];
  for (const [path, t] of touchesOf(diff)) touches.push([path, [...t.functions]]);
  return {
    hasDiff,
    diffEmpty: diff === '',
    files,
    diffKey: hashes.folded(diff),
    contentKey,
    patchTrailers: patchTrailers(message),
    followupTrailers: followup,
    ...markers,
    hunkHeaders: hunkHeadersOf(diff),
    touches,
  };
}

/** How an indexed message's text and recipients are had again: from its source, and from the index's table of addresses. */
export interface MessageLoader {
  /** The body and attached patches, read again from where the message lies. */
  text(msg: SourcedMessage): Pick<MailMessage, 'body' | 'attachedPatches'>;
  /** An index keeps To and Cc as numbers into its table of addresses: "3 17 4" → "a@x, b@y, c@z". */
  addresses?(ids: string): string;
}

/** The fields of an indexed message besides its text. */
export type IndexedHead = Omit<SourcedMessage, 'body' | 'attachedPatches' | 'to' | 'cc'> & { facts: MessageFacts; toIds?: string; ccIds?: string };

/**
 * A message as an index keeps it: headers and facts; the body read through
 * the loader whenever it is asked for (and not kept). Getters live on the
 * prototype, so a list archive's messages cost no closure each.
 */
/** "0.git 1a2b3c4d5e6f" for a message read from commit 1a2b3c4d5e6f… of epoch 0.git. */
const originOf = (loc: string | undefined): string | undefined => {
  const m = loc === undefined ? null : /^([^/#]+)\/([0-9a-f]{40,64})$/.exec(loc);
  return m ? `${m[1]} ${m[2]!.slice(0, 12)}` : undefined;
};

const dateOf = (time: number): string | null => (time !== 0 && Number.isFinite(time) ? new Date(time).toISOString() : null);

class IndexedMessage {
  constructor(head: IndexedHead, loader: MessageLoader) {
    // Field by field, always in this order: the engine then keeps them in the
    // object itself under one hidden class (Object.assign put them in a
    // separate array of properties, some 90 bytes more a message).
    this.msgid = head.msgid;
    this.syntheticId = head.syntheticId;
    this.subject = head.subject;
    this.from = head.from;
    this.time = head.time;
    this.inReplyTo = head.inReplyTo;
    this.references = head.references;
    this.size = head.size;
    this.sourceId = head.sourceId;
    this.facts = head.facts;
    this.loc = head.loc;
    // The date is its time written out (see readDate in mail/message.ts), made when asked;
    // a message whose date says otherwise keeps its own.
    if (head.date !== dateOf(head.time)) Object.defineProperty(this, 'date', { value: head.date, enumerable: true });
    // Likewise where it was read in an epoch is its epoch and commit (see readCommits in node/mail/read.ts).
    if (head.origin !== originOf(head.loc)) Object.defineProperty(this, 'origin', { value: head.origin, enumerable: true });
    this.list = head.list;
    const m = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(head)) if (k !== 'date' && k !== 'origin' && !Object.prototype.hasOwnProperty.call(m, k)) m[k] = v;
    Object.defineProperty(this, 'loader', { value: loader, enumerable: false });
  }
  private declare readonly loader: MessageLoader;
  readonly msgid: string;
  readonly syntheticId: boolean;
  readonly subject: string;
  readonly from: SourcedMessage['from'];
  readonly time: number;
  readonly inReplyTo: string | null;
  readonly references: string[];
  readonly size: number;
  readonly sourceId: string;
  readonly facts: MessageFacts;
  readonly loc?: string;
  readonly list?: string;
  declare readonly toIds?: string;
  declare readonly ccIds?: string;
  get date(): string | null {
    return dateOf(this.time);
  }
  get origin(): string {
    return originOf(this.loc) ?? '';
  }
  get body(): string {
    return this.loader.text(this as unknown as SourcedMessage).body;
  }
  get attachedPatches(): string[] {
    return this.loader.text(this as unknown as SourcedMessage).attachedPatches;
  }
  get to(): string | undefined {
    return this.toIds === undefined ? undefined : (this.loader.addresses?.(this.toIds) ?? undefined);
  }
  get cc(): string | undefined {
    return this.ccIds === undefined ? undefined : (this.loader.addresses?.(this.ccIds) ?? undefined);
  }
}

export function indexedMessage(head: IndexedHead, loader: MessageLoader): SourcedMessage {
  return new IndexedMessage(head, loader) as unknown as SourcedMessage;
}

/**
 * An indexed message kept as plain data (a structured clone of one: its own
 * fields, not the getters of its class) made again, to be read through
 * `loader`. A date or origin it does not hold is the one its time or
 * location gives, as for the message it was.
 */
export function revivedMessage(plain: object, loader: MessageLoader): SourcedMessage {
  const head = plain as IndexedHead;
  if (!Object.prototype.hasOwnProperty.call(plain, 'date')) head.date = dateOf(head.time);
  if (!Object.prototype.hasOwnProperty.call(plain, 'origin')) head.origin = originOf(head.loc) ?? '';
  return indexedMessage(head, loader);
}

/**
 * A decoded message with its facts worked out and its text dropped, to be
 * read again through `loader`: what an index read gives, made without an
 * index (the Node indexer writes rows straight from the decoded message;
 * test/node/index/facts.test.ts groups from these).
 */
export function lighten(msg: SourcedMessage, loader: MessageLoader, hashes: FactHashes = JS_HASHES): SourcedMessage {
  const facts = msg.facts ?? factsOf(msg, parseSubject(msg.subject).isReply, hashes);
  const { body: _body, attachedPatches: _attached, to, cc, ...head } = msg;
  const m = indexedMessage({ ...head, facts }, loader);
  // Recipients kept as they were.
  if (to !== undefined) Object.defineProperty(m, 'to', { value: to, enumerable: true });
  if (cc !== undefined) Object.defineProperty(m, 'cc', { value: cc, enumerable: true });
  return m;
}

/*
 * Facts as an index stores them: a JSON array, positions instead of keys, a
 * person trailer's person read again from its value (parsePerson is what
 * made it), a touched file by its number, each hunk header once (dfhh:
 * asks whether one matches), so that a list archive's facts take a few
 * hundred bytes a message. decodeFacts(encodeFacts(f)) deep-equals f but for
 * repeated hunk headers.
 */
type TrailerCode = [string, string, 0 | 1] | [string, string, 0 | 1, string];
type FileCode = [string, string | null | 0, string | null | 0, string, number, number];
const STATUS = ['modified', 'added', 'deleted', 'renamed'] as const;

function encodeTrailer(t: Trailer): TrailerCode {
  const head: [string, string, 0 | 1] = [t.name, t.value, t.person ? 1 : 0];
  return t.note === undefined ? head : [...head, t.note];
}

function decodeTrailer(c: TrailerCode, keep: Keep): Trailer {
  // A trailer without a note is the same object wherever it recurs (one
  // author's Signed-off-by on each of their patches): none is changed once made.
  const key = c.length === 4 ? null : `${c[2]}${c[0]}\u0000${c[1]}`;
  const known = key === null ? undefined : keep.trailers?.get(key);
  if (known) return known;
  const name = keep(c[0]);
  const value = keep(c[1]);
  const p = c[2] === 1 ? parsePerson(value) : null;
  // Made whole at once (see giveTrailer in group.ts): one hidden class for all.
  const t: Trailer = p ? { name, value, person: personOf(keep, p.name, p.address) } : { name, value };
  if (c.length === 4) t.note = c[3];
  if (key !== null) keep.trailers?.set(key, t);
  return t;
}

/**
 * Gives back one copy of each equal string. A list archive repeats the same
 * names, trailers, paths and Message-IDs (a reply's References) tens of
 * thousands of times, and every row of an index decodes its own copy: a
 * third of the strings of linux-arch's model were copies. It may keep
 * decoded trailers too.
 */
export type Keep = ((s: string) => string) & { trailers?: Map<string, Trailer>; people?: Map<string, Mailbox> };

/** One object for each person (name and address) that `keep` has met: a list's authors and reviewers recur on every message. */
export function personOf(keep: Keep, name: string, address: string): Mailbox {
  const key = `${name}\u0000${address}`;
  let p = keep.people?.get(key);
  if (!p) {
    p = { name: keep(name), address: keep(address) };
    keep.people?.set(key, p);
  }
  return p;
}

/** A Keep that holds its strings until it is dropped (one per read). */
export function keeper(): Keep {
  const kept = new Map<string, string>();
  const keep: Keep = (s) => {
    const k = kept.get(s);
    if (k !== undefined) return k;
    kept.set(s, s);
    return s;
  };
  keep.trailers = new Map();
  keep.people = new Map();
  return keep;
}

const asIs: Keep = (s) => s;

/**
 * One empty list for every decoded fact that has none (most messages have
 * no trailers, files or hunks: five lists each). Frozen, so that a caller
 * that would add to a message's facts fails loudly instead of adding to all.
 */
const NONE: readonly never[] = Object.freeze([]);
function listOf<C, T>(codes: readonly C[], each: (c: C) => T): T[] {
  return codes.length === 0 ? (NONE as unknown as T[]) : codes.map(each);
}

export function encodeFacts(f: MessageFacts): string {
  const files: FileCode[] = f.files.map((x) => [x.path, x.oldPath === x.path ? 0 : x.oldPath, x.newPath === x.path ? 0 : x.newPath, String(STATUS.indexOf(x.status)), x.additions, x.deletions]);
  return JSON.stringify([
    (f.hasDiff ? 1 : 0) | (f.diffEmpty ? 2 : 0),
    f.diffKey,
    f.contentKey,
    files,
    f.patchTrailers.map(encodeTrailer),
    f.followupTrailers.map(encodeTrailer),
    f.baseCommit,
    f.changeId,
    [...new Set(f.hunkHeaders)],
    // A touched path that is one of the files is written as its number.
    f.touches.map(([p, fns]) => {
      const i = f.files.findIndex((x) => x.path === p);
      return [i >= 0 ? i : p, fns];
    }),
  ]);
}

export function decodeFacts(s: string, keep: Keep = asIs): MessageFacts {
  const a = JSON.parse(s) as [number, string, string, FileCode[], TrailerCode[], TrailerCode[], string | null, string | null, string[], [string | number, string[]][]];
  const files = listOf(a[3], (c) => {
    const path = keep(c[0]);
    return {
      path,
      oldPath: c[1] === 0 ? path : c[1] === null ? null : keep(c[1]),
      newPath: c[2] === 0 ? path : c[2] === null ? null : keep(c[2]),
      status: STATUS[Number(c[3])] ?? 'modified',
      additions: c[4],
      deletions: c[5],
    };
  });
  return {
    hasDiff: (a[0] & 1) !== 0,
    diffEmpty: (a[0] & 2) !== 0,
    diffKey: keep(a[1]),
    contentKey: a[2],
    files,
    patchTrailers: listOf(a[4], (t) => decodeTrailer(t, keep)),
    followupTrailers: listOf(a[5], (t) => decodeTrailer(t, keep)),
    baseCommit: a[6] === null ? null : keep(a[6]),
    changeId: a[7],
    hunkHeaders: listOf(a[8], keep),
    touches: listOf(a[9], ([p, fns]) => [typeof p === 'number' ? files[p]!.path : keep(p), fns.map(keep)]),
  };
}
