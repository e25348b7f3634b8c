/**
 * Splitting an mbox into messages.
 *
 * lore.kernel.org and public-inbox write mboxrd: each message starts with a
 * "From " line, and a body line that would start with "From " (after any
 * number of '>') gets one more '>'. Reading undoes that by removing one '>'
 * from lines matching /^>+From /. An mboxo file (no escaping of '>From ')
 * reads the same except that a quoted ">From " line loses its '>', which is
 * how every mbox reader treats the ambiguity.
 *
 * Works on bytes: mail need not be UTF-8, and the MIME layer decides charsets.
 */

const NL = 0x0a;
const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
const GT = 0x3e;
const CR = 0x0d;

export interface MboxEntry {
  /** Byte offset of the message (after its "From " line) in the mbox. */
  offset: number;
  /** Where its raw bytes end in the mbox (exclusive): [offset, end) read again gives it back (see entryAt). */
  end: number;
  /** The message bytes, unescaped; a view into the input when nothing needed unescaping. */
  bytes: Uint8Array;
  /** A file without any "From " separator is one message taken as it is, nothing unescaped. */
  whole?: true;
}

function startsWithFrom(buf: Uint8Array, at: number): boolean {
  if (at + FROM.length > buf.length) return false;
  for (let k = 0; k < FROM.length; k++) if (buf[at + k] !== FROM[k]) return false;
  return true;
}

function nextLine(buf: Uint8Array, i: number): number {
  const nl = indexOfByte(buf, NL, i);
  return nl < 0 ? buf.length : nl + 1;
}

/** The typed array's own indexOf: a Node Buffer's is a wrapper, several times slower per call. */
function indexOfByte(buf: Uint8Array, byte: number, from: number): number {
  return Uint8Array.prototype.indexOf.call(buf, byte, from);
}

/** The message bytes without one '>' on each of the lines `escapes` (sorted) that lie in [start, end). */
function unescape(buf: Uint8Array, start: number, end: number, escapes: readonly number[], first: number): Uint8Array {
  let k = first;
  while (k < escapes.length && escapes[k]! < start) k++;
  if (k >= escapes.length || escapes[k]! >= end) return buf.subarray(start, end);
  const out = new Uint8Array(end - start);
  let o = 0;
  let from = start;
  for (; k < escapes.length && escapes[k]! < end; k++) {
    const at = escapes[k]!;
    out.set(buf.subarray(from, at), o);
    o += at - from;
    from = at + 1;
  }
  out.set(buf.subarray(from, end), o);
  o += end - from;
  return out.subarray(0, o);
}

/**
 * A "From " line that separates messages ends with a year, as mbox writers,
 * public-inbox and git format-patch write it ("From mboxrd@z Thu Jan  1
 * 00:00:00 1970", "From 1a2b… Mon Sep 17 00:00:00 2001"). An unescaped body
 * line such as "From the manual: …" (format-patch files escape nothing) is
 * not one.
 */
function isSeparator(buf: Uint8Array, at: number): boolean {
  const end = indexOfByte(buf, NL, at);
  const stop = end < 0 ? buf.length : end;
  let p = stop;
  while (p > at && (buf[p - 1] === 0x0d || buf[p - 1] === 0x20)) p--;
  if (p - at < 10) return false;
  for (let k = 1; k <= 4; k++) {
    const c = buf[p - k]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return buf[p - 5] === 0x20;
}

/** Messages split off so far, and where the first one not yet complete starts. */
export interface MboxPart {
  entries: MboxEntry[];
  /** Offset in the input of what is not split yet: read it again, with what follows, in the next call. */
  rest: number;
}

/**
 * Splits the part of an mbox read so far (for a file read piece by piece).
 * A message is returned once the separator after it has been read, or at the
 * end (`final`); `rest` is where the next call must start, at the separator
 * of the message not yet complete. `base` is the offset of `buf` in the mbox.
 * The entries' bytes may be views into `buf`.
 *
 * Separators and escaped lines are found from the 'F' of their "From ", by
 * the typed array's native indexOf: walking every line was most of the time.
 */
export function splitMboxPart(buf: Uint8Array, final: boolean, base = 0): MboxPart {
  const starts: number[] = [];
  const escapes: number[] = [];
  for (let i = indexOfByte(buf, FROM[0]!, 0); i >= 0; i = indexOfByte(buf, FROM[0]!, i + 1)) {
    let line = i;
    while (line > 0 && buf[line - 1] === GT) line--;
    if (line > 0 && buf[line - 1] !== NL) continue;
    if (!final && i + FROM.length > buf.length) break;
    if (!startsWithFrom(buf, i)) continue;
    if (line < i) {
      escapes.push(line);
      continue;
    }
    // Whether a "From " line separates messages is known once the whole line is read.
    if (!final && indexOfByte(buf, NL, i) < 0) break;
    if (isSeparator(buf, i)) starts.push(i);
  }
  if (starts.length === 0) {
    if (!final) return { entries: [], rest: 0 };
    return { entries: buf.length > 0 ? [{ offset: base, end: base + buf.length, bytes: buf, whole: true }] : [], rest: buf.length };
  }
  const entries: MboxEntry[] = [];
  const complete = final ? starts.length : starts.length - 1;
  let e = 0;
  for (let k = 0; k < complete; k++) {
    const bodyStart = nextLine(buf, starts[k]!);
    let end = k + 1 < starts.length ? starts[k + 1]! : buf.length;
    // The blank line mbox writes after each message belongs to the separator.
    if (end - bodyStart >= 2 && buf[end - 1] === NL && buf[end - 2] === NL) end -= 1;
    // In a CRLF mbox it is "\r\n": left on, each message read one blank line longer than from LF (fuzz).
    else if (end - bodyStart >= 4 && buf[end - 1] === NL && buf[end - 2] === CR && buf[end - 3] === NL && buf[end - 4] === CR) end -= 2;
    while (e < escapes.length && escapes[e]! < bodyStart) e++;
    entries.push({ offset: base + bodyStart, end: base + end, bytes: unescape(buf, bodyStart, end, escapes, e) });
  }
  return { entries, rest: final ? buf.length : starts[starts.length - 1]! };
}

/**
 * Splits mbox bytes into messages. Text before the first "From " line is not a
 * message and is skipped; a file with no "From " line at all is taken as one
 * message (a single .eml or format-patch file without its envelope line).
 */
export function splitMbox(buf: Uint8Array): MboxEntry[] {
  return splitMboxPart(buf, true).entries;
}

/**
 * One message again from its raw bytes [entry.offset, entry.end) in the mbox
 * (a mail index keeps those two numbers instead of the message): the escaped
 * ">From " lines unescaped as splitMboxPart unescapes them.
 */
export function entryAt(raw: Uint8Array, whole = false): Uint8Array {
  if (whole) return raw;
  const escapes: number[] = [];
  for (let i = indexOfByte(raw, FROM[0]!, 0); i >= 0; i = indexOfByte(raw, FROM[0]!, i + 1)) {
    let line = i;
    while (line > 0 && raw[line - 1] === GT) line--;
    if (line === i || (line > 0 && raw[line - 1] !== NL)) continue;
    if (startsWithFrom(raw, i)) escapes.push(line);
  }
  return unescape(raw, 0, raw.length, escapes, 0);
}
