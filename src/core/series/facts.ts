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
import type { MailMessage } from '../mail/message';
import { followupTrailers, patchTrailers, seriesMarkers } from '../mail/trailers';
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

/** The facts of a decoded message. `isReply`: its subject answers another ("Re:"), so it is never a patch. */
export function factsOf(msg: MailMessage, isReply: boolean): MessageFacts {
  const at = diffStart(msg.body);
  const hasDiff = msg.attachedPatches.length > 0 || at >= 0;
  const contentKey = textKey(msg.attachedPatches.length === 0 ? msg.body : [msg.body, ...msg.attachedPatches].join('\u0000'), false);
  const markers = seriesMarkers(msg.body);
  const followup = followupTrailers(msg.body);
  if (isReply) {
    return { hasDiff, diffEmpty: true, files: [], diffKey: textKey('', true), contentKey, patchTrailers: [], followupTrailers: followup, ...markers, hunkHeaders: [], touches: {} };
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
  const touches: Record<string, string[]> = {};
  for (const [path, t] of touchesOf(diff)) touches[path] = [...t.functions];
  return {
    hasDiff,
    diffEmpty: diff === '',
    files,
    diffKey: textKey(diff, true),
    contentKey,
    patchTrailers: patchTrailers(message),
    followupTrailers: followup,
    ...markers,
    hunkHeaders: hunkHeadersOf(diff),
    touches,
  };
}

/** The text of an indexed message, read again from where it lies. */
export type BodyLoader = (msg: SourcedMessage) => Pick<MailMessage, 'body' | 'attachedPatches'>;

/**
 * The message as an index keeps it: its headers and facts, the body read
 * through `load` whenever it is asked for (and not kept).
 */
export function indexedMessage(head: Omit<SourcedMessage, 'body' | 'attachedPatches'> & { facts: MessageFacts }, load: BodyLoader): SourcedMessage {
  const m = head as SourcedMessage;
  Object.defineProperty(m, 'body', { enumerable: false, configurable: true, get: () => load(m).body });
  Object.defineProperty(m, 'attachedPatches', { enumerable: false, configurable: true, get: () => load(m).attachedPatches });
  return m;
}

/** A decoded message with its facts worked out and its text dropped, to be read again through `load`. */
export function lighten(msg: SourcedMessage, load: BodyLoader): SourcedMessage {
  const facts = msg.facts ?? factsOf(msg, parseSubject(msg.subject).isReply);
  const { body: _body, attachedPatches: _attached, ...head } = msg;
  return indexedMessage({ ...head, facts }, load);
}
