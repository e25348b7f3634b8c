/**
 * Trailers ("Reviewed-by: Name <mail>") read the way b4 collects them.
 *
 * A patch's own trailers are the trailer lines of its commit message. A
 * follow-up's are stricter, because a reply is prose that may contain
 * anything followed by a colon:
 *   - only the reply's own lines count: quoted lines ("> …") and everything
 *     below the signature marker "-- " are not the sender's trailers;
 *   - a person trailer (every "…-by", Cc) must name an address, and a web
 *     address is not one;
 *   - the others accepted are the link-like ones b4 also keeps (Fixes, Link,
 *     Closes);
 *   - a trailer wrapped by a mail client ("Reviewed-by: Long Name" then
 *     "<long@name>" on the next line) is joined again, and "[for the mm
 *     bits]" under a trailer is kept as its note;
 *   - HTML-mail leftovers are cleaned: "&lt;a@b&gt;" and "a@b<mailto:a@b>".
 * Names come in the forms people write them: `"Last, First" <a@b>`,
 * `Name (Company) <a@b>`, `<a@b>`, or a bare address.
 *
 * A follow-up trailer whose address is not the reply sender's is kept, and
 * flagged: b4 warns about these too (someone may be forwarding a colleague's
 * review, or typing somebody else's name).
 */

export interface Trailer {
  /** Canonical spelling: "Reviewed-by". */
  name: string;
  /** The value as written, cleaned of HTML leftovers and rejoined when wrapped. */
  value: string;
  /** For person trailers: who it names. */
  person?: { name: string; address: string };
  /** A "[for the x86 bits]" line under the trailer. */
  note?: string;
}

/** Trailers taken from a follow-up only when they name no person. */
const LINK_TRAILERS = new Set(['fixes', 'link', 'closes']);
/** Person trailers besides every "...-by". */
const PERSON_TRAILERS = new Set(['cc']);

// The value ends at its last non-space by a greedy match: a lazy one ahead of \s*$ took quadratic
// time on a long line of spaces. Every pattern here is written so that a long hostile line costs
// linear time (test/fuzz/linear.test.ts).
const TRAILER_LINE_RE = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):[ \t]+(\S(?:.*\S)?)\s*$/;
/** Runs of the characters an address is made of. */
const ADDRESS_CHARS_RE = /[^\s<>"(),;:]+/g;
const NOTE_RE = /^\s*\[[^\]]+\]\s*$/;

/** Canonical spelling of a trailer name: "reviewed-BY" → "Reviewed-by". */
function canonicalTrailerName(name: string): string {
  const lower = name.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function isPersonTrailer(lowerName: string): boolean {
  return lowerName.endsWith('-by') || PERSON_TRAILERS.has(lowerName);
}

/**
 * `text.replace(re, '')` for a pattern that ends with `close`: past the last `close` nothing can
 * match, and trying from every unclosed "<mailto:" there took quadratic time.
 */
function removeClosed(text: string, re: RegExp, close: string): string {
  const end = text.lastIndexOf(close) + 1;
  return end === 0 ? text : text.slice(0, end).replace(re, '') + text.slice(end);
}

/** HTML mail turned into text leaves entities and Outlook's "a@b<mailto:a@b>" behind. */
function cleanHtml(value: string): string {
  const text = value
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#64;|&commat;/gi, '@')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&');
  const noMailto = removeClosed(removeClosed(text, /<mailto:[^>]*>/gi, '>'), /\[mailto:[^\]]*\]/gi, ']');
  return removeClosed(noMailto, /<\/?(?:a|b|i|span|div|br|p)(?:\s[^>]*)?>/gi, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The first run of address characters with an '@' after its first character and a '.' after
 * that, neither last: what /[^\s<>"(),;:]+@[^\s<>"(),;:]+\.[^\s<>"(),;:]+/ matches (always a
 * whole run), found in linear time; the expression backtracked quadratically on "a@a@a@…".
 */
function bareAddress(value: string): { index: number; text: string } | null {
  for (const m of value.matchAll(ADDRESS_CHARS_RE)) {
    const text = m[0];
    const at = text.indexOf('@', 1);
    if (at > 0 && text.lastIndexOf('.', text.length - 2) >= at + 2) return { index: m.index, text };
  }
  return null;
}

/** Name and address of a person trailer's value, or null when it names no address. */
export function parsePerson(value: string): { name: string; address: string } | null {
  // The lookahead checks the closing '>' first: without it, "<a@a@a@…" unclosed backtracked over every '@'.
  const angled = /^(.*?)<\s*(?=[^<>\s]+\s*>)([^<>\s]+@[^<>\s]+)\s*>/.exec(value);
  let name: string;
  let address: string;
  if (angled) {
    name = angled[1]!.trim();
    address = angled[2]!;
  } else {
    const bare = bareAddress(value);
    if (!bare) return null;
    address = bare.text;
    name = (value.slice(0, bare.index) + value.slice(bare.index + bare.text.length)).trim();
  }
  // "Last, First" keeps its comma but not its quotes; "Name (Company)" stays whole.
  name = name.replace(/^"(.*)"$/, '$1').replace(/\\"/g, '"').trim();
  return { name, address: address.toLowerCase() };
}

/** Lines of a message body that are its author's own: not quoted, not below the signature. */
function ownLines(body: string): string[] {
  const lines: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '-- ') break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  return lines;
}

/** Whether the text has a "<…@…>" (no '>' inside): /<[^>]*@[^>]*>/, which took quadratic time on "<@<@<@…". */
function hasAngledAddress(text: string): boolean {
  return text
    .split('>')
    .slice(0, -1)
    .some((part) => {
      const lt = part.indexOf('<');
      return lt >= 0 && part.indexOf('@', lt) > lt;
    });
}

const WRAPPED_ADDRESS_RE = /^\s*<(?=[^<>\s]+>\s*$)[^<>\s]+@[^<>\s]+>/;

/** Joins trailers a mail client wrapped: a name on one line and "<address>" alone on the next. */
function unwrap(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    // The includes() tests are what the expressions need at least; most lines of a commit message fail them, cheaply.
    if (prev !== undefined && line.includes('<') && prev.includes(':') && WRAPPED_ADDRESS_RE.test(line) && TRAILER_LINE_RE.test(prev.trim()) && !hasAngledAddress(prev)) {
      out[out.length - 1] = `${prev.trimEnd()} ${line.trim()}`;
      continue;
    }
    out.push(line);
  }
  return out;
}

function readTrailers(lines: readonly string[], followup: boolean): Trailer[] {
  const out: Trailer[] = [];
  let last: Trailer | undefined;
  for (const line of unwrap(lines)) {
    // A line without a colon is no trailer: most lines are prose, and need not be trimmed and matched.
    const m = line.includes(':') ? TRAILER_LINE_RE.exec(line.trim()) : null;
    if (!m) {
      if (last && NOTE_RE.test(line)) last.note = line.trim();
      last = undefined;
      continue;
    }
    const lower = m[1]!.toLowerCase();
    const value = cleanHtml(m[2]!);
    let trailer: Trailer | undefined;
    if (isPersonTrailer(lower)) {
      const person = parsePerson(value);
      // A follow-up's person trailer must name an address ("Reviewed-by: me" is prose) and not a web page.
      if (followup && (!person || /https?:\/\//i.test(value))) trailer = undefined;
      else trailer = { name: canonicalTrailerName(m[1]!), value, ...(person ? { person } : {}) };
    } else if (LINK_TRAILERS.has(lower)) {
      trailer = { name: canonicalTrailerName(m[1]!), value };
    }
    if (trailer) out.push(trailer);
    last = trailer;
  }
  return out;
}

/** A line that could be a person or link trailer; most replies have none, and are not split into lines at all. */
const MAYBE_TRAILER = '[ \\t]*(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*-by|cc|fixes|link|closes):';
/**
 * Such a line after a line end (those multiline ^ knows), or at the start: the same as
 * /^…/im, faster, because the engine skips to each line end instead of trying ^ everywhere.
 */
const MAYBE_TRAILER_AFTER_LINE_END_RE = new RegExp(`[\\n\\r\\u2028\\u2029]${MAYBE_TRAILER}`, 'i');
const MAYBE_TRAILER_FIRST_RE = new RegExp(MAYBE_TRAILER, 'iy');

function maybeTrailer(body: string): boolean {
  MAYBE_TRAILER_FIRST_RE.lastIndex = 0;
  return MAYBE_TRAILER_FIRST_RE.test(body) || MAYBE_TRAILER_AFTER_LINE_END_RE.test(body);
}

/** Trailers a reply gives: its own lines only; a trailer it quotes does not count. */
export function followupTrailers(body: string): Trailer[] {
  if (!maybeTrailer(body)) return [];
  // A diff line below the quote ("+Signed-off-by: …" of a patch the reviewer pasted) is not a trailer.
  return readTrailers(
    ownLines(body).filter((l) => !/^[+-]/.test(l)),
    true,
  );
}

/** Trailers a patch carries in its commit message. */
export function patchTrailers(commitMessage: string): Trailer[] {
  return readTrailers(commitMessage.split('\n'), false);
}

/** True when the trailer names a person other than the one who sent it (b4 warns about these). */
export function senderMismatch(t: Trailer, senderAddress: string): boolean {
  return !!t.person && !!senderAddress && t.person.address !== senderAddress.toLowerCase();
}

const BASE_COMMIT_AT = /^base-commit:\s*([0-9a-f]{7,64})\s*$/imy;
const CHANGE_ID_AT = /^change-id:\s*(\S+)\s*$/imy;

/** `base-commit:` and `change-id:` lines (b4 writes them after the diffstat of a cover or single patch). */
export function seriesMarkers(body: string): { baseCommit: string | null; changeId: string | null } {
  let baseCommit: string | null = null;
  let changeId: string | null = null;
  // One pass over the body for the lines that could start either (a search of every body for
  // each was a twentieth of indexing a list); each is then tried where such a line starts, so
  // the first that reads as one wins, as a search of the whole body would find it.
  for (const m of body.matchAll(/^(?:base-commit|change-id):/gim)) {
    if (baseCommit === null) {
      BASE_COMMIT_AT.lastIndex = m.index;
      baseCommit = BASE_COMMIT_AT.exec(body)?.[1] ?? null;
    }
    if (changeId === null) {
      CHANGE_ID_AT.lastIndex = m.index;
      changeId = CHANGE_ID_AT.exec(body)?.[1] ?? null;
    }
    if (baseCommit !== null && changeId !== null) break;
  }
  return { baseCommit, changeId };
}
