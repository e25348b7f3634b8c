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

export interface MboxEntry {
  /** Byte offset of the message (after its "From " line) in the mbox. */
  offset: number;
  /** The message bytes, unescaped; a view into the input when nothing needed unescaping. */
  bytes: Uint8Array;
}

function startsWithFrom(buf: Uint8Array, at: number): boolean {
  if (at + FROM.length > buf.length) return false;
  for (let k = 0; k < FROM.length; k++) if (buf[at + k] !== FROM[k]) return false;
  return true;
}

/** True when the line at `at` is ">...>From ". */
function isEscapedFrom(buf: Uint8Array, at: number): boolean {
  let p = at;
  while (p < buf.length && buf[p] === GT) p++;
  return p > at && startsWithFrom(buf, p);
}

function unescape(buf: Uint8Array): Uint8Array {
  // Fast path: most messages contain no ">From " line at all.
  let needs = false;
  for (let i = 0; i < buf.length; i = nextLine(buf, i)) {
    if (buf[i] === GT && isEscapedFrom(buf, i)) {
      needs = true;
      break;
    }
  }
  if (!needs) return buf;
  const out = new Uint8Array(buf.length);
  let o = 0;
  for (let i = 0; i < buf.length; ) {
    const next = nextLine(buf, i);
    const from = buf[i] === GT && isEscapedFrom(buf, i) ? i + 1 : i;
    out.set(buf.subarray(from, next), o);
    o += next - from;
    i = next;
  }
  return out.subarray(0, o);
}

function nextLine(buf: Uint8Array, i: number): number {
  const nl = buf.indexOf(NL, i);
  return nl < 0 ? buf.length : nl + 1;
}

/**
 * A "From " line that separates messages ends with a year, as mbox writers,
 * public-inbox and git format-patch write it ("From mboxrd@z Thu Jan  1
 * 00:00:00 1970", "From 1a2b… Mon Sep 17 00:00:00 2001"). An unescaped body
 * line such as "From the manual: …" (format-patch files escape nothing) is
 * not one.
 */
function isSeparator(buf: Uint8Array, at: number): boolean {
  const end = buf.indexOf(NL, at);
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

/** True when the bytes look like an mbox (they start with a "From " line). */
export function looksLikeMbox(buf: Uint8Array): boolean {
  return startsWithFrom(buf, 0);
}

/**
 * Splits mbox bytes into messages. Text before the first "From " line is not a
 * message and is skipped; a file with no "From " line at all is taken as one
 * message (a single .eml or format-patch file without its envelope line).
 */
export function splitMbox(buf: Uint8Array): MboxEntry[] {
  const starts: number[] = [];
  for (let i = 0; i < buf.length; i = nextLine(buf, i)) {
    if (buf[i] === FROM[0] && startsWithFrom(buf, i) && isSeparator(buf, i)) starts.push(i);
  }
  if (starts.length === 0) return buf.length > 0 ? [{ offset: 0, bytes: buf }] : [];
  const entries: MboxEntry[] = [];
  for (let k = 0; k < starts.length; k++) {
    const bodyStart = nextLine(buf, starts[k]!);
    let end = k + 1 < starts.length ? starts[k + 1]! : buf.length;
    // The blank line mbox writes after each message belongs to the separator.
    if (end - bodyStart >= 2 && buf[end - 1] === NL && buf[end - 2] === NL) end -= 1;
    entries.push({ offset: bodyStart, bytes: unescape(buf.subarray(bodyStart, end)) });
  }
  return entries;
}
