/**
 * The reply a kernel reviewer writes to a patch or a cover letter, made from
 * the comments left on the patch's lines and a trailer:
 *
 *   On Mon, 22 Apr 2024 08:01:00 +0000, Mike Rapoport wrote:
 *   [...]
 *   > diff --git a/arch/arm64/kernel/module.c b/arch/arm64/kernel/module.c
 *   > index 1111111..2222222 100644
 *   > --- a/arch/arm64/kernel/module.c
 *   > +++ b/arch/arm64/kernel/module.c
 *   > @@ -20,7 +20,8 @@
 *   >  	u64 module_alloc_end = module_alloc_base + MODULES_VSIZE;
 *   > +	void *p;
 *
 *   Why not declare it where it is used?
 *
 *   Reviewed-by: Some One <some@example.org>
 *
 * Interleaved and trimmed: each comment sits under the lines it is about,
 * with the file's header, the hunk's header and a few lines of context
 * before them quoted; everything else is cut, "[...]" marking a cut before
 * or between what is quoted; nothing after the original's signature ("-- ")
 * is quoted. The headers thread the reply under the original: To its author,
 * Cc everyone it went to but the sender, one "Re:", In-Reply-To and
 * References continuing the thread.
 *
 * Pure: the bytes of the mail (RFC 5322, MIME) are made from this in
 * node/review/mail.ts, with a mail library.
 */
import { type Mailbox, type MailMessage, mailboxesOf } from '../mail/message';
import { diffStart } from '../patch/patch';
import { err, ok, type Result } from '../result';

export const TRAILER_KINDS = ['Reviewed-by', 'Acked-by', 'Tested-by', 'Reported-by'] as const;
export type TrailerKind = (typeof TRAILER_KINDS)[number];

export function isTrailerKind(s: string): s is TrailerKind {
  return (TRAILER_KINDS as readonly string[]).includes(s);
}

/** A comment left on a line of a patch (or, with path '', on the message as a whole). */
export interface DraftComment {
  /** The file of the patch, as its diff names it (the new path; the old one for a deletion). '' for the message as a whole. */
  path: string;
  side: 'new' | 'old';
  /** The line of that side of the file (1-based); a range starts at `startLine`. */
  line: number;
  startLine?: number;
  text: string;
}

/** What a reply needs of the message it answers. */
export interface Original {
  msgid: string;
  subject: string;
  from: Mailbox;
  /** ISO 8601, or null when unknown. */
  date: string | null;
  to: Mailbox[];
  cc: Mailbox[];
  inReplyTo: string | null;
  references: readonly string[];
  body: string;
}

/** What a reply needs of a message read from mail (To and Cc read from their headers). */
export function originalOf(m: MailMessage): Original {
  return { msgid: m.msgid, subject: m.subject, from: m.from, date: m.date, to: mailboxesOf(m.to), cc: mailboxesOf(m.cc), inReplyTo: m.inReplyTo, references: m.references, body: m.body };
}

export interface ReplyOptions {
  me: Mailbox;
  comments: readonly DraftComment[];
  trailer?: TrailerKind;
  /** The original is a cover letter: a trailer is given for the series. */
  cover?: boolean;
  /** The reply's Message-ID (without brackets) and date. */
  messageId: string;
  date: Date;
}

/** A reply, ready to be made into a mail. */
export interface Reply {
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  subject: string;
  inReplyTo: string;
  references: string[];
  messageId: string;
  date: Date;
  body: string;
}

/** Lines of context quoted before the line a comment is about. */
const CONTEXT = 3;

/** "Re: [PATCH v1 04/13] …": one "Re:", whatever the original had. */
export function replySubject(subject: string): string {
  return `Re: ${subject.replace(/^\s*(?:re(?:\[\d+\])?\s*:\s*)+/i, '').trim()}`;
}

const key = (m: Mailbox) => m.address.trim().toLowerCase();

/** To the author; Cc everyone the original went to, but the sender and the author, each once. */
export function recipients(original: Original, me: Mailbox): { to: Mailbox[]; cc: Mailbox[] } {
  const to = original.from.address ? [original.from] : [];
  const skip = new Set([key(me), ...to.map(key)]);
  const cc: Mailbox[] = [];
  for (const m of [...original.to, ...original.cc]) {
    const k = key(m);
    if (!k || skip.has(k)) continue;
    skip.add(k);
    cc.push(m);
  }
  return { to, cc };
}

/** The thread so far: the original's References (or its In-Reply-To when it has none), then the original. */
export function replyReferences(original: Original): string[] {
  const before = original.references.length > 0 ? original.references : original.inReplyTo ? [original.inReplyTo] : [];
  return [...new Set([...before, original.msgid])].filter((id) => id !== '');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date as RFC 5322 writes it, in UTC: "Mon, 22 Apr 2024 08:01:00 +0000". */
export function mailDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function attribution(original: Original): string {
  const who = original.from.name || original.from.address || 'someone';
  const t = original.date ? Date.parse(original.date) : NaN;
  return Number.isFinite(t) ? `On ${mailDate(new Date(t))}, ${who} wrote:` : `${who} wrote:`;
}

/** One line of the original's body, and where it is in its diff. */
interface BodyLine {
  text: string;
  /** Index of the file section it is in (-1: before the diff, the commit message). */
  file: number;
  /** The file section's header (diff --git … up to the first hunk), a hunk header, a line of a hunk, or something else. */
  kind: 'prose' | 'file-header' | 'hunk-header' | 'hunk-line' | 'other';
  hunkStart?: number;
  old?: number;
  new?: number;
}

interface FileSection {
  path: string;
  /** Body lines of its header. */
  header: number[];
}

/** The original's lines up to its signature, each placed in the diff it carries. */
function bodyLines(body: string): { lines: BodyLine[]; files: FileSection[] } {
  const raw = body.replace(/\r\n/g, '\n').split('\n');
  while (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const start = diffStart(raw.join('\n'));
  const startLine = start < 0 ? raw.length : raw.join('\n').slice(0, start).split('\n').length - 1;
  const lines: BodyLine[] = [];
  const files: FileSection[] = [];
  let file = -1;
  let oldAt = 0;
  let newAt = 0;
  let oldLeft = 0;
  let newLeft = 0;
  let hunkStart = -1;
  let inHeader = false;
  for (let i = 0; i < raw.length; i++) {
    const text = raw[i]!;
    if (i < startLine) {
      if (text === '-- ') break;
      lines.push({ text, file: -1, kind: 'prose' });
      continue;
    }
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk && /^[ +\-\\]/.test(text)) {
      const l: BodyLine = { text, file, kind: 'hunk-line', hunkStart };
      if (text.startsWith(' ')) {
        l.old = oldAt++;
        l.new = newAt++;
        oldLeft--;
        newLeft--;
      } else if (text.startsWith('-')) {
        l.old = oldAt++;
        oldLeft--;
      } else if (text.startsWith('+')) {
        l.new = newAt++;
        newLeft--;
      }
      lines.push(l);
      continue;
    }
    // An empty line inside a hunk is a context line whose space was lost in the mail.
    if (inHunk && text === '') {
      lines.push({ text, file, kind: 'hunk-line', hunkStart, old: oldAt++, new: newAt++ });
      oldLeft--;
      newLeft--;
      continue;
    }
    oldLeft = newLeft = 0;
    // Nothing of a signature: a "-- " line outside a hunk (inside one it removes a line "- ") and what follows.
    if (text === '-- ') break;
    if (/^diff --git /.test(text) || (/^--- /.test(text) && !inHeader && /^\+\+\+ /.test(raw[i + 1] ?? ''))) {
      files.push({ path: '', header: [] });
      file = files.length - 1;
      inHeader = true;
    }
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (hunk && file >= 0) {
      oldAt = Number(hunk[1]);
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newAt = Number(hunk[3]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      hunkStart = lines.length;
      inHeader = false;
      lines.push({ text, file, kind: 'hunk-header', hunkStart });
      continue;
    }
    if (inHeader && file >= 0) {
      const f = files[file]!;
      f.header.push(lines.length);
      // git quotes a path with unusual characters: "+++ \"b/a file.c\"".
      const plus = /^\+\+\+ "?(?:b\/)?(.*?)"?(?:\t.*)?$/.exec(text);
      const minus = /^--- "?(?:a\/)?(.*?)"?(?:\t.*)?$/.exec(text);
      const git = /^diff --git "?a\/(.*?)"? "?b\/(.*?)"?$/.exec(text);
      if (git && !f.path) f.path = git[2]!;
      if (plus && plus[1] !== '/dev/null') f.path = plus[1]!;
      else if (minus && minus[1] !== '/dev/null' && !f.path) f.path = minus[1]!;
      lines.push({ text, file, kind: 'file-header' });
      continue;
    }
    lines.push({ text, file, kind: 'other' });
  }
  return { lines, files };
}

const quote = (text: string) => (text === '' ? '>' : `> ${text}`);

/**
 * The reply to `original`, or why it cannot be made (a comment on a line no
 * hunk of the patch holds, nothing to say).
 */
export function composeReply(original: Original, opts: ReplyOptions): Result<Reply> {
  const { lines, files } = bodyLines(original.body);
  const onLines = opts.comments.filter((c) => c.path !== '');
  const general = opts.comments.filter((c) => c.path === '');
  if (onLines.length === 0 && general.length === 0 && !opts.trailer) return err('nothing to send: no comment and no trailer');
  const keep = new Set<number>();
  /** Comments after each body line, in the order given. */
  const after = new Map<number, string[]>();
  for (const c of onLines) {
    const at = (line: number) =>
      lines.findIndex((l) => l.kind === 'hunk-line' && files[l.file]?.path === c.path && (c.side === 'new' ? l.new === line && !l.text.startsWith('-') : l.old === line && !l.text.startsWith('+')));
    const end = at(c.line);
    if (end < 0) {
      const known = files.some((f) => f.path === c.path);
      return err(known ? `${c.path}:${c.line}: no hunk of the patch holds that line (of the ${c.side} side)` : `${c.path}: the patch does not touch that file (it touches ${files.map((f) => f.path).join(', ') || 'no file'})`);
    }
    const begin = c.startLine !== undefined && c.startLine < c.line ? at(c.startLine) : -1;
    const l = lines[end]!;
    for (const h of files[l.file]!.header) keep.add(h);
    keep.add(l.hunkStart!);
    const from = Math.max(l.hunkStart! + 1, begin >= 0 ? Math.min(begin, end - CONTEXT) : end - CONTEXT);
    for (let i = from; i <= end; i++) keep.add(i);
    const list = after.get(end) ?? [];
    list.push(c.text.replace(/\r\n?/g, '\n').trim());
    after.set(end, list);
  }
  // Nothing commented in the diff: the opening of the message is quoted (up to its first blank line, at most 10 lines).
  if (onLines.length === 0) {
    const first = lines.findIndex((l) => l.text.trim() !== '');
    for (let i = Math.max(first, 0); i < lines.length && i < first + 10 && lines[i]!.text.trim() !== ''; i++) keep.add(i);
  }
  const out: string[] = [attribution(original)];
  let last = -1;
  const kept = [...keep].sort((a, b) => a - b);
  /** A cut: right under the attribution, or between blank lines further down. */
  const cut = () => {
    if (out.length === 1) return out.push('[...]');
    if (out[out.length - 1] !== '') out.push('');
    out.push('[...]', '');
  };
  for (const i of kept) {
    if (i !== last + 1) cut();
    out.push(quote(lines[i]!.text));
    const said = after.get(i);
    if (said) {
      for (const text of said) out.push('', text);
      out.push('');
    }
    last = i;
  }
  // A cut at the end is marked only where no comment closes the quote.
  if (kept.length > 0 && last < lines.length - 1 && out[out.length - 1] !== '') cut();
  for (const c of general) {
    if (out[out.length - 1] !== '') out.push('');
    out.push(c.text.replace(/\r\n?/g, '\n').trim());
  }
  if (opts.trailer) {
    if (out[out.length - 1] !== '') out.push('');
    if (opts.cover) out.push('For the series:');
    out.push(`${opts.trailer}: ${opts.me.name ? `${opts.me.name} <${opts.me.address}>` : opts.me.address}`);
  }
  while (out[out.length - 1] === '') out.pop();
  const { to, cc } = recipients(original, opts.me);
  return ok({
    from: opts.me,
    to,
    cc,
    subject: replySubject(original.subject),
    inReplyTo: original.msgid,
    references: replyReferences(original),
    messageId: opts.messageId,
    date: opts.date,
    body: `${out.join('\n')}\n`,
  });
}
