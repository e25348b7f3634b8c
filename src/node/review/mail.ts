/**
 * A reply (core/review/reply.ts) as the bytes of a mail, RFC 5322: CRLF line
 * endings, headers folded and non-ASCII names and subjects encoded (RFC 2047)
 * by nodemailer's MIME node, a plain-text body in UTF-8 sent as 8bit, as
 * kernel mail is (quoted-printable mangles the tabs and long lines of a
 * quoted diff for whoever reads the raw mail, and `git am` of a reply is a
 * reviewer's habit).
 *
 * nodemailer makes the headers; the body is written here, because nodemailer
 * encodes any non-ASCII text as quoted-printable or base64 and has no 8bit
 * choice for it (mime-node getTransferEncoding).
 */
import { randomBytes } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import type { Mailbox } from '../../core/mail/message';
import { mailDate, type Reply } from '../../core/review/reply';

/** What SMTP allows in a line (RFC 5321 4.5.3.1.6): 998 octets and the CRLF. */
const MAX_LINE = 998;

const address = (m: Mailbox) => (m.name ? { name: m.name, address: m.address } : m.address);

/** The reply as RFC 5322 bytes; an error naming the line when the body cannot go as 8bit. */
export function replyMail(r: Reply): Buffer {
  const body = r.body.replace(/\r\n?/g, '\n');
  const lines = body.split('\n');
  const long = lines.findIndex((l) => Buffer.byteLength(l, 'utf8') > MAX_LINE);
  if (long >= 0) throw new Error(`line ${long + 1} of the reply is longer than ${MAX_LINE} bytes, more than a mail line may hold: break it`);
  if (/[\0]/.test(body)) throw new Error('the reply holds a NUL character, which mail cannot carry');
  const node = new MimeNode('text/plain; charset=utf-8');
  node.setHeader('From', address(r.from));
  node.setHeader('To', r.to.map(address));
  if (r.cc.length) node.setHeader('Cc', r.cc.map(address));
  node.setHeader('Subject', r.subject);
  node.setHeader('Date', mailDate(r.date));
  node.setHeader('Message-ID', `<${r.messageId}>`);
  node.setHeader('In-Reply-To', `<${r.inReplyTo}>`);
  node.setHeader('References', r.references.map((id) => `<${id}>`).join(' '));
  node.setHeader('MIME-Version', '1.0');
  node.setHeader('Content-Transfer-Encoding', '8bit');
  const headers = node.buildHeaders();
  // The Content-Type nodemailer writes only names a charset for non-ASCII content it holds itself.
  const fixed = headers.replace(/^Content-Type: text\/plain(?:;[^\r\n]*)?$/m, 'Content-Type: text/plain; charset=utf-8');
  const text = lines.join('\r\n');
  return Buffer.from(`${fixed}\r\n\r\n${text.endsWith('\r\n') ? text : `${text}\r\n`}`, 'utf8');
}

/**
 * A new Message-ID for a mail from `from`: the time, something random, and
 * the sender's domain (git send-email makes them the same way).
 */
export function newMessageId(from: Mailbox, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const domain = /@([^@\s>]+)$/.exec(from.address)?.[1] ?? 'execmem-lens.invalid';
  return `${stamp}.${randomBytes(6).toString('hex')}@${domain}`;
}
