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
 * times slower than the rest of reading a list archive put together
 * (bench/series-read.ts measures it).
 */
import PostalMime, { addressParser, decodeWords, type Email } from 'postal-mime';
import { decode as decodeQuotedPrintable } from 'quoted-printable';
import { err, ok, type Result } from '../result';

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
const WANTED_HEADERS_RE =
  /^(from|subject|date|message-id|in-reply-to|references|content-type|content-transfer-encoding)[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)/gim;

/** Header fields of a block, unfolded, names lower-cased; the first of a repeated field wins. */
function readHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const m of block.matchAll(WANTED_HEADERS_RE)) {
    const name = m[1]!.toLowerCase();
    if (!headers.has(name)) headers.set(name, m[2]!.replace(/\r?\n[ \t]+/g, ' ').replace(/\r$/, '').trim());
  }
  return headers;
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
      decoder = new TextDecoder(label);
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
  return { name: first.name, address: first.address.toLowerCase() };
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

function attachmentText(content: ArrayBuffer | Uint8Array | string): string {
  return typeof content === 'string' ? content : utf8.decode(content);
}

/**
 * Decodes one message. `fallbackId` names it when it carries no Message-ID
 * (for example "0003-x86-module.patch" in a format-patch folder).
 */
/** A full MIME parse, as postal-mime does it; the Node layer may run it on a worker thread. */
export type MimeParser = (bytes: Uint8Array, limits: ParseLimits) => Promise<Email>;

export const postalMimeParser: MimeParser = (bytes, limits) =>
  PostalMime.parse(bytes, {
    attachmentEncoding: 'utf8',
    maxNestingDepth: limits.maxNestingDepth,
    maxHeadersSize: limits.maxHeaderBytes,
  });

export async function parseMessage(
  bytes: Uint8Array,
  fallbackId: string,
  limits: ParseLimits = DEFAULT_LIMITS,
  mimeParser: MimeParser = postalMimeParser,
): Promise<Result<MailMessage>> {
  if (bytes.length > limits.maxMessageBytes) {
    return err(`message is ${(bytes.length / 1048576).toFixed(1)} MiB, over the ${(limits.maxMessageBytes / 1048576).toFixed(0)} MiB limit`);
  }
  const { end, bodyStart } = headerEnd(bytes);
  if (end > limits.maxHeaderBytes) {
    return err(`header block is ${end} bytes, over the ${limits.maxHeaderBytes}-byte limit`);
  }
  if (end === 0 || bytes.length === 0) return err('message has no headers');
  const headers = readHeaders(utf8.decode(bytes.subarray(0, end)));
  if (!headers.has('from') && !headers.has('subject') && !headers.has('message-id')) {
    return err('none of From, Subject or Message-ID is present (not a mail message?)');
  }

  const ct = params(headers.get('content-type') ?? 'text/plain');
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let body: string;
  const attachedPatches: string[] = [];
  const plainBytes = ct.type === 'text/plain' || ct.type === '' ? transferDecode(bytes.subarray(bodyStart), cte) : undefined;
  if (plainBytes) {
    body = decoderFor(ct.charset).decode(plainBytes);
  } else {
    let email: Email;
    try {
      email = await mimeParser(bytes, limits);
    } catch (e) {
      return err(`MIME structure could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    body = email.text ?? '';
    for (const a of email.attachments) {
      const type = a.mimeType.toLowerCase();
      const isPatchFile = /\.(patch|diff)$/i.test(a.filename ?? '');
      if (PATCH_TYPES.has(type) || (type === 'text/plain' && isPatchFile)) attachedPatches.push(attachmentText(a.content));
    }
    if (!email.text && email.html) body = '(this message has only an HTML part, which is not shown)';
  }

  const ids = parseMsgIds(headers.get('message-id'));
  const { date, time } = readDate(headers.get('date'));
  const inReplyTo = parseMsgIds(headers.get('in-reply-to'))[0] ?? null;
  return ok({
    msgid: ids[0] ?? fallbackId,
    syntheticId: ids.length === 0,
    subject: decodeWords(headers.get('subject') ?? ''),
    from: firstMailbox(headers.get('from')),
    date,
    time,
    inReplyTo,
    references: parseMsgIds(headers.get('references')),
    body: body.replace(/\r\n/g, '\n'),
    attachedPatches,
    size: bytes.length,
  });
}
