/**
 * One mail message, decoded.
 *
 * Decoding is done by libraries, never by hand: postal-mime decodes RFC 2047
 * words (decodeWords), addresses (addressParser) and every multipart message.
 * A message that is a single text/plain part, which is nearly all kernel mail,
 * skips the full MIME parse: its body is decoded by the `quoted-printable`
 * package or the platform's atob when it has a transfer encoding, and by the
 * platform's TextDecoder for its charset. The reason is speed: postal-mime
 * gathers every body line into a Blob, and Node's Blob makes that several
 * times slower than the rest of reading a list archive put together.
 * decodeMessage does that path synchronously, so a reader needs a promise
 * (and the MIME parse, perhaps on another thread) only for the rest.
 */
import PostalMime, { addressParser, decodeWords as decodeWordsOnly, type Email } from 'postal-mime';
import { decode as decodeQuotedPrintable } from 'quoted-printable';
import { err, ok, type Result } from '../result';
import { broken as windows1252Broken, fixWindows1252, isWindows1252Label, mentionsWindows1252 } from './cp1252';

export interface Mailbox {
  name: string;
  address: string;
}

export interface MailMessage {
  /** Message-ID without angle brackets; made up from the source when the mail has none. */
  msgid: string;
  /** True when msgid was made up (format-patch files carry none). */
  syntheticId: boolean;
  subject: string;
  from: Mailbox;
  /** ISO 8601, or null when the Date header is missing or unreadable. */
  date: string | null;
  /** Milliseconds since the epoch; 0 when the date is unknown. */
  time: number;
  inReplyTo: string | null;
  /** Message-IDs of References, oldest first. */
  references: string[];
  /** The plain-text body. */
  body: string;
  /** Patches attached as text/x-patch or text/x-diff parts (inline patches stay in body). */
  attachedPatches: string[];
  /** Raw size in bytes. */
  size: number;
  /** The To, Cc and List-Id header values as written (unfolded; addresses are read from them when wanted). */
  to?: string;
  cc?: string;
  listId?: string;
}

export interface ParseLimits {
  /** Largest message read, in bytes. */
  maxMessageBytes: number;
  /** Largest header block read, in bytes. */
  maxHeaderBytes: number;
  /** Deepest MIME nesting followed. */
  maxNestingDepth: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxMessageBytes: 32 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxNestingDepth: 16,
};

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** Extracts the ids in a Message-ID, In-Reply-To or References value. */
export function parseMsgIds(value: string | undefined): string[] {
  if (!value) return [];
  const ids: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]+)>/g)) ids.push(m[1]!);
  if (ids.length === 0) {
    // Some mailers drop the brackets.
    const bare = value.trim();
    if (bare && !/\s/.test(bare)) ids.push(bare);
  }
  return ids;
}

function headerEnd(bytes: Uint8Array): { end: number; bodyStart: number } {
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (bytes[i + 1] === 0x0a) return { end: i, bodyStart: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { end: i, bodyStart: i + 3 };
  }
  return { end: bytes.length, bodyStart: bytes.length };
}

/** The header fields this reader uses; the rest (Received, DKIM…) are never split out. */
const WANTED_NAMES = 'from|subject|date|message-id|in-reply-to|references|content-type|content-transfer-encoding|to|cc|list-id';
const WANTED_VALUE = '[ \\t]*:[ \\t]*([^\\n]*(?:\\n[ \\t][^\\n]*)*)';
/**
 * A wanted field at a line start: after a line terminator (those JavaScript's
 * multiline ^ knows) or, with WANTED_FIRST, at the start of the block. The
 * same matches as /^(…)…/gim, found faster: the engine skips to the next
 * terminator instead of trying ^ at every character.
 */
const WANTED_AFTER_LINE_END = new RegExp(`[\\n\\r\\u2028\\u2029](${WANTED_NAMES})${WANTED_VALUE}`, 'gi');
const WANTED_FIRST = new RegExp(`(${WANTED_NAMES})${WANTED_VALUE}`, 'iy');

/**
 * A string that shares no memory with the one it was cut from. A match in the
 * header block is a slice of it (in V8 at least), and would keep the whole
 * block (Received, DKIM…: kilobytes a message, as much as the bodies over a
 * list archive) alive as long as the message; concatenating makes a new
 * string, and the slice of that is all that stays.
 */
export function detached(s: string): string {
  return ` ${s}`.slice(1);
}

/** Header fields of a block, unfolded, names lower-cased; the first of a repeated field wins. */
function readHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const add = (m: RegExpExecArray) => {
    const name = m[1]!.toLowerCase();
    if (!headers.has(name)) headers.set(name, detached(unfold(m[2]!)));
  };
  WANTED_FIRST.lastIndex = 0;
  const first = WANTED_FIRST.exec(block);
  if (first) add(first);
  // The next field starts after the first one's value, as it would for a global search.
  WANTED_AFTER_LINE_END.lastIndex = first ? WANTED_FIRST.lastIndex : 0;
  for (let m = WANTED_AFTER_LINE_END.exec(block); m; m = WANTED_AFTER_LINE_END.exec(block)) add(m);
  return headers;
}

/** The wanted field names as bytes, by their first byte. */
const WANTED_BY_FIRST: readonly (readonly { name: string; bytes: Uint8Array }[] | undefined)[] = (() => {
  const table: { name: string; bytes: Uint8Array }[][] = [];
  for (const name of WANTED_NAMES.split('|')) {
    const bytes = new TextEncoder().encode(name);
    (table[bytes[0]!] ??= []).push({ name, bytes });
  }
  return table;
})();

/**
 * An ASCII value as a string. fromCharCode is cheaper than a TextDecoder call
 * only for the shortest (up to ~16 bytes on Node 20); past that the decoder
 * wins, and apply() first copies the bytes into an argument list of 8 bytes
 * each: ~40 MB of garbage over a list archive's headers at the old 256-byte cut.
 */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  return end - start <= 16 ? String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]) : utf8.decode(bytes.subarray(start, end));
}

/**
 * The header block's end and its wanted fields, read from the bytes, for a
 * block of ASCII lines ending in LF (all of a list archive's, in practice):
 * a list's headers (Received, DKIM, ARC…) are as large as its bodies, and
 * decoding them all to find eight fields was most of the time spent on
 * them. The same results as headerEnd and readHeaders; undefined for any
 * other block (a CR or a non-ASCII byte, which can start a line for the
 * regular expression, or a block past the limit), which is read as text.
 */
function readHeaderBytes(bytes: Uint8Array, maxHeaderBytes: number): { end: number; bodyStart: number; headers: Map<string, string> } | undefined {
  const headers = new Map<string, string>();
  const n = bytes.length;
  let field: string | undefined;
  let valueStart = 0;
  let valueEnd = 0;
  const close = () => {
    if (field !== undefined && !headers.has(field)) headers.set(field, unfold(asciiText(bytes, valueStart, valueEnd)));
    field = undefined;
  };
  // Lines are found with indexOf (the engine's own search) and the block is checked for bytes past
  // ASCII a word at a time once its end is known: a loop over every byte was a twentieth of indexing.
  const cr = bytes.indexOf(0x0d);
  for (let line = 0; line < n; ) {
    let eol = bytes.indexOf(0x0a, line);
    if (eol < 0) eol = n;
    if (cr >= 0 && cr < eol) return undefined;
    if (eol === line && line > 0) {
      // A blank line: the block ends at the newline before it.
      close();
      return line - 1 > maxHeaderBytes || !isAsciiUpTo(bytes, line) ? undefined : { end: line - 1, bodyStart: line + 1, headers };
    }
    if (eol > maxHeaderBytes) return undefined;
    const first = bytes[line]!;
    if (first === 0x20 || first === 0x09) {
      if (field !== undefined) valueEnd = eol;
    } else {
      close();
      const candidates = WANTED_BY_FIRST[first | 0x20];
      for (let j = 0; candidates !== undefined && j < candidates.length; j++) {
        const w = candidates[j]!;
        let k = 1;
        while (k < w.bytes.length && (bytes[line + k]! | 0x20) === w.bytes[k]) k++;
        if (k < w.bytes.length) continue;
        let p = line + k;
        while (p < eol && (bytes[p] === 0x20 || bytes[p] === 0x09)) p++;
        if (p >= eol || bytes[p] !== 0x3a) continue;
        p++;
        while (p < eol && (bytes[p] === 0x20 || bytes[p] === 0x09)) p++;
        field = w.name;
        valueStart = p;
        valueEnd = eol;
        break;
      }
    }
    line = eol + 1;
  }
  close();
  return isAsciiUpTo(bytes, n) ? { end: n, bodyStart: n, headers } : undefined;
}

/** Whether bytes[0, end) are all ASCII: four at a time where they are aligned. */
function isAsciiUpTo(bytes: Uint8Array, end: number): boolean {
  let i = 0;
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) if (bytes[i++]! > 0x7f) return false;
  if (i === end) return true;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
  for (let w = 0; w < words.length; w++) if ((words[w]! & 0x80808080) !== 0) return false;
  for (i += words.length * 4; i < end; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** RFC 2047 words decoded by postal-mime, windows-1252 ones corrected where the platform needs it (see cp1252.ts). */
function decodeWords(value: string): string {
  const text = decodeWordsOnly(value);
  return mentionsWindows1252(value) ? fixWindows1252(text) : text;
}

/** A field value unfolded and trimmed. */
function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').replace(/\r$/, '').trim();
}

/** TextDecoder as both the browser and Node type it. */
interface Decoder {
  decode(input: Uint8Array): string;
}

const decoders = new Map<string, Decoder>();

function decoderFor(charset: string | undefined): Decoder {
  if (!charset) return utf8;
  const label = charset.toLowerCase();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      const platform = new TextDecoder(label);
      decoder = isWindows1252Label(label) ? { decode: (input: Uint8Array) => fixWindows1252(platform.decode(input)) } : platform;
    } catch {
      // An unknown or invalid charset label: read as UTF-8 rather than fail.
      decoder = utf8;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

function firstMailbox(value: string | undefined): Mailbox {
  if (!value) return { name: '', address: '' };
  const parsed = addressParser(value, { flatten: true });
  const first = parsed[0];
  if (!first || first.group) return { name: decodeWords(value), address: '' };
  return { name: mentionsWindows1252(value) ? fixWindows1252(first.name) : first.name, address: first.address.toLowerCase() };
}

function readDate(value: string | undefined): { date: string | null; time: number } {
  if (!value) return { date: null, time: 0 };
  const t = Date.parse(value);
  return Number.isFinite(t) ? { date: new Date(t).toISOString(), time: t } : { date: null, time: 0 };
}

function params(value: string): { type: string; charset: string | undefined } {
  const [type = '', ...rest] = value.split(';');
  let charset: string | undefined;
  for (const p of rest) {
    const m = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p);
    if (m) charset = m[1];
  }
  return { type: type.trim().toLowerCase(), charset };
}

/** Bytes as a string of one char per byte (what the quoted-printable and atob APIs work on). */
function byteString(bytes: Uint8Array): string {
  // Transfer-encoded bodies are ASCII but for broken mail, and ASCII decodes the same as UTF-8, natively.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return utf8.decode(bytes);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function stringBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** The body of a single-part message without its transfer encoding; undefined for one we leave to postal-mime. */
function transferDecode(body: Uint8Array, cte: string): Uint8Array | undefined {
  switch (cte) {
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'quoted-printable':
      return stringBytes(decodeQuotedPrintable(byteString(body)));
    case 'base64':
      try {
        return stringBytes(atob(byteString(body).replace(/[^A-Za-z0-9+/=]/g, '')));
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

const PATCH_TYPES = new Set(['text/x-patch', 'text/x-diff']);

/** An attachment's text, decoded as postal-mime's 'utf8' attachment encoding does (a UTF-8 TextDecoder). */
function attachmentText(content: ArrayBuffer | Uint8Array | string): string {
  return typeof content === 'string' ? content : utf8.decode(content);
}

/** A full MIME parse, as postal-mime does it; the Node layer may run it on a worker thread. */
export type MimeParser = (bytes: Uint8Array, limits: ParseLimits) => Promise<Email>;

export const postalMimeParser: MimeParser = (bytes, limits) =>
  PostalMime.parse(bytes, {
    // Bytes: only patch attachments are read as text (attachmentText); decoding every
    // attachment (logs, images, signatures) as postal-mime's 'utf8' does was wasted.
    attachmentEncoding: 'arraybuffer',
    maxNestingDepth: limits.maxNestingDepth,
    maxHeadersSize: limits.maxHeaderBytes,
  });

/** A message whose body needs the full MIME parse; `complete` makes the message from its result. */
export interface NeedsMime {
  needsMime: true;
  complete(email: Email): MailMessage;
}

/** Addresses repeat (a list has few senders), and addressParser is the costliest header step. */
const mailboxes = new Map<string, Mailbox>();
const MAILBOX_CACHE_SIZE = 4096;

function cachedFirstMailbox(value: string | undefined): Mailbox {
  if (!value) return firstMailbox(value);
  let m = mailboxes.get(value);
  if (!m) {
    if (mailboxes.size >= MAILBOX_CACHE_SIZE) mailboxes.clear();
    m = firstMailbox(value);
    mailboxes.set(value, m);
  }
  // A copy: a message's `from` is its own.
  return { name: m.name, address: m.address };
}

function messageOf(headers: Map<string, string>, body: string, attachedPatches: string[], size: number, fallbackId: string): MailMessage {
  const ids = parseMsgIds(headers.get('message-id'));
  const { date, time } = readDate(headers.get('date'));
  const inReplyTo = parseMsgIds(headers.get('in-reply-to'))[0] ?? null;
  return {
    msgid: ids[0] ?? fallbackId,
    syntheticId: ids.length === 0,
    subject: decodeWords(headers.get('subject') ?? ''),
    from: cachedFirstMailbox(headers.get('from')),
    date,
    time,
    inReplyTo,
    references: parseMsgIds(headers.get('references')),
    // Most mail has no CR at all, and indexOf finds that out faster than the regular expression.
    body: body.indexOf('\r') < 0 ? body : body.replace(/\r\n/g, '\n'),
    attachedPatches,
    size,
    ...recipients(headers),
  };
}

/** To, Cc and List-Id, present only when the message has them (most mail of a read is never asked for them). */
function recipients(headers: Map<string, string>): Pick<MailMessage, 'to' | 'cc' | 'listId'> {
  const out: Pick<MailMessage, 'to' | 'cc' | 'listId'> = {};
  const to = headers.get('to');
  const cc = headers.get('cc');
  const list = headers.get('list-id');
  if (to) out.to = to;
  if (cc) out.cc = cc;
  if (list) out.listId = list;
  return out;
}

/** The addresses of a To or Cc value: "Name <addr>" (or the bare address), names decoded. */
export function addressesOf(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const walk = (list: ReturnType<typeof addressParser>) => {
    for (const a of list) {
      if ('group' in a && Array.isArray(a.group)) walk(a.group);
      else if (a.address) out.push(a.name ? `${decodeWords(a.name)} <${a.address}>` : a.address);
    }
  };
  try {
    walk(addressParser(value));
  } catch {
    // An address list postal-mime cannot read is searched as it is written.
    out.push(value);
  }
  return out;
}

/** The mailboxes of an address header (To, Cc) as written, names decoded, groups flattened; none where postal-mime cannot read it. */
export function mailboxesOf(value: string | undefined): Mailbox[] {
  if (!value) return [];
  try {
    return addressParser(value, { flatten: true })
      .filter((a) => !a.group && a.address)
      // A name decoded from mail may carry control characters (an encoded line break): never into a header or a command line.
      .map((a) => ({ name: a.name ? decodeWords(a.name).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() : '', address: (a.address ?? '').replace(/[\u0000-\u0020\u007f]/g, '') }));
  } catch {
    return [];
  }
}

/**
 * Most MIME containers (multipart and message/* parts) a message may have.
 * postal-mime stops multiparts nested past maxNestingDepth, but not
 * containers nested through message/rfc822 parts, and those cost it time
 * that grows with their number (fuzz, one message: 1,000 multiparts nested
 * through message/rfc822 0.8 s, 4,000 8.9 s; 23,000 message/rfc822 levels in
 * 1 MB 25 s). Kernel mail has a handful.
 */
const MAX_MIME_CONTAINERS = 64;

/** Content-Type header lines (of the message, its parts and embedded messages) that open a container. */
function countContainers(bytes: Uint8Array): number {
  let n = 0;
  for (const m of utf8.decode(bytes).matchAll(/^content-type:[^\n]*(?:\n[ \t][^\n]*)*/gim)) {
    if (/multipart\/|message\//i.test(m[0])) n++;
  }
  return n;
}

/**
 * Decodes one message as far as it can be without a full MIME parse: a
 * single text/plain part, which is nearly all kernel mail, is decoded here,
 * synchronously; any other gives `needsMime`, to be completed with
 * postal-mime's result. The bytes are not kept. `fallbackId` names a message
 * that carries no Message-ID (for example "0003-x86-module.patch" in a
 * format-patch folder).
 */
export function decodeMessage(bytes: Uint8Array, fallbackId: string, limits: ParseLimits = DEFAULT_LIMITS): Result<MailMessage> | NeedsMime {
  if (bytes.length > limits.maxMessageBytes) {
    return err(`message is ${(bytes.length / 1048576).toFixed(1)} MiB, over the ${(limits.maxMessageBytes / 1048576).toFixed(0)} MiB limit`);
  }
  const fast = readHeaderBytes(bytes, limits.maxHeaderBytes);
  const { end, bodyStart } = fast ?? headerEnd(bytes);
  if (end > limits.maxHeaderBytes) {
    return err(`header block is ${end} bytes, over the ${limits.maxHeaderBytes}-byte limit`);
  }
  if (end === 0 || bytes.length === 0) return err('message has no headers');
  const headers = fast?.headers ?? readHeaders(utf8.decode(bytes.subarray(0, end)));
  if (!headers.has('from') && !headers.has('subject') && !headers.has('message-id')) {
    return err('none of From, Subject or Message-ID is present (not a mail message?)');
  }

  const ct = params(headers.get('content-type') ?? 'text/plain');
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const size = bytes.length;
  const plainBytes = ct.type === 'text/plain' || ct.type === '' ? transferDecode(bytes.subarray(bodyStart), cte) : undefined;
  if (plainBytes) return ok(messageOf(headers, decoderFor(ct.charset).decode(plainBytes), [], size, fallbackId));
  const containers = countContainers(bytes);
  if (containers > MAX_MIME_CONTAINERS) return err(`MIME structure has ${containers} multipart or message parts, over the limit of ${MAX_MIME_CONTAINERS}`);
  // Decided now: the bytes may be reused once this returns (see cp1252.ts for why).
  const cp1252 = windows1252Broken && mentionsWindows1252(latin1.decode(bytes));
  return {
    needsMime: true,
    complete(email: Email): MailMessage {
      let body = email.text ?? '';
      if (cp1252) body = fixWindows1252(body);
      const attachedPatches: string[] = [];
      for (const a of email.attachments) {
        const type = a.mimeType.toLowerCase();
        const isPatchFile = /\.(patch|diff)$/i.test(a.filename ?? '');
        if (PATCH_TYPES.has(type) || (type === 'text/plain' && isPatchFile)) attachedPatches.push(attachmentText(a.content));
      }
      if (!email.text && email.html) body = '(this message has only an HTML part, which is not shown)';
      return messageOf(headers, body, attachedPatches, size, fallbackId);
    },
  };
}

/** Completes a message that needs the MIME parse; a parse that fails is the message's error. */
export async function completeWithMime(pending: NeedsMime, parse: () => Promise<Email>): Promise<Result<MailMessage>> {
  let email: Email;
  try {
    email = await parse();
  } catch (e) {
    return err(`MIME structure could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ok(pending.complete(email));
}

/** Decodes one message, the MIME parse included (see decodeMessage). */
export async function parseMessage(
  bytes: Uint8Array,
  fallbackId: string,
  limits: ParseLimits = DEFAULT_LIMITS,
  mimeParser: MimeParser = postalMimeParser,
): Promise<Result<MailMessage>> {
  const decoded = decodeMessage(bytes, fallbackId, limits);
  if (!('needsMime' in decoded)) return decoded;
  return completeWithMime(decoded, () => mimeParser(bytes, limits));
}
