/**
 * lore's query language, the part reviewers use (public-inbox's search help,
 * https://lore.kernel.org/all/_/text/help/): prefixed terms
 *
 *   s:  subject            f:  From (name or address)   t: / c:  To / Cc
 *   m:  Message-ID          d:  date or date range       b:  body
 *   dfn:  a file name a patch touches    dfhh:  a function name in a hunk header
 *
 * an unprefixed term (subject or body), "quoted phrases" (s:"jit text"),
 * a trailing * for a word prefix (s:execmem*), AND / OR / NOT (upper case, as
 * Xapian reads them; juxtaposition is AND) and parentheses.
 *
 * Parsing gives a tree or an error that names what is wrong; matching takes
 * a SearchDoc, which an index or an in-memory read fills. Words are compared
 * case-folded and whole (Xapian's terms), not as substrings; no stemming.
 *
 * Written here rather than taken from a library: the query languages on npm
 * (search-query-parser, lucene parsers) read other syntaxes, and lore's
 * date forms (2.weeks.ago..) and diff prefixes are its own.
 */
import { err, ok, type Result } from '../result';

export type Field = 's' | 'f' | 't' | 'c' | 'm' | 'b' | 'dfn' | 'dfhh' | 'any';

export type Query =
  | { kind: 'term'; field: Field; words: string[]; prefix: boolean }
  | { kind: 'date'; from: number | null; to: number | null }
  | { kind: 'and'; items: Query[] }
  | { kind: 'or'; items: Query[] }
  | { kind: 'not'; item: Query };

/** What a query is matched against: one message. */
export interface SearchDoc {
  msgid: string;
  subject: string;
  from: { name: string | null; address: string };
  to?: readonly string[];
  cc?: readonly string[];
  /** ms since the epoch, or null when the date could not be read. */
  time: number | null;
  body?: string;
  /**
   * False when the body is not held (a message from a mail index): reading it
   * means going back to the mail, so matchesWithoutBody decides what it can
   * first. Absent: the body is at hand.
   */
  bodyAtHand?: boolean;
  /** Paths a patch touches (old and new names). */
  files?: readonly string[];
  /** The text after a hunk header's second @@ (the function git names there). */
  hunkHeaders?: readonly string[];
}

const FIELDS = new Set(['s', 'f', 't', 'c', 'm', 'b', 'd', 'dfn', 'dfhh']);
const DAY = 86_400_000;

type Token = { t: 'word'; text: string; at: number } | { t: 'op'; op: 'AND' | 'OR' | 'NOT' | '(' | ')'; at: number };

/** Splits a query into words (a prefix and its "quoted" value stay one word) and operators. */
function tokenize(q: string): Result<Token[]> {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: 'op', op: c, at: i });
      i++;
      continue;
    }
    const start = i;
    let text = '';
    while (i < q.length && !/\s/.test(q[i]!) && q[i] !== '(' && q[i] !== ')') {
      if (q[i] === '"') {
        const close = q.indexOf('"', i + 1);
        if (close < 0) return err(`unclosed quote at character ${i + 1}`);
        text += q.slice(i, close + 1);
        i = close + 1;
      } else {
        text += q[i];
        i++;
      }
    }
    if (text === 'AND' || text === 'OR' || text === 'NOT') out.push({ t: 'op', op: text, at: start });
    else out.push({ t: 'word', text, at: start });
  }
  return ok(out);
}

/** The words of a text as the matcher compares them: case-folded runs of letters, digits and _. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** A date as lore writes it: YYYY-MM-DD, YYYYMMDD, today, yesterday, N.unit.ago; the start of that day (UTC). */
function parseDay(text: string, now: number): number | null {
  const iso = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    // Date.UTC rolls 2023-02-30 over into March: a date that does not exist is an error.
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : null;
  }
  const today = Math.floor(now / DAY) * DAY;
  if (text === 'today') return today;
  if (text === 'yesterday') return today - DAY;
  const rel = /^(\d+)\.(day|week|month|year)s?\.ago$/.exec(text);
  if (rel) {
    const n = Number(rel[1]);
    const d = new Date(today);
    if (rel[2] === 'day') return today - n * DAY;
    if (rel[2] === 'week') return today - 7 * n * DAY;
    if (rel[2] === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, d.getUTCDate());
    return Date.UTC(d.getUTCFullYear() - n, d.getUTCMonth(), d.getUTCDate());
  }
  return null;
}

/** d:FROM..TO, d:FROM.., d:..TO, or d:DAY (that whole day); TO takes in its whole day. */
function parseDate(value: string, now: number): Result<Query> {
  const range = value.split('..');
  if (range.length > 2) return err(`d:${value}: a range has one '..'`);
  const bound = (text: string, end: boolean): Result<number | null> => {
    if (text === '') return ok(null);
    const day = parseDay(text, now);
    if (day === null) return err(`d:${value}: cannot read the date '${text}' (YYYY-MM-DD, YYYYMMDD, today, yesterday or N.days/weeks/months/years.ago)`);
    return ok(end ? day + DAY : day);
  };
  if (range.length === 1) {
    const day = bound(value, false);
    if (!day.ok) return day;
    if (day.value === null) return err('d: wants a date or a range');
    return ok({ kind: 'date', from: day.value, to: day.value + DAY });
  }
  const from = bound(range[0]!, false);
  if (!from.ok) return from;
  const to = bound(range[1]!, true);
  if (!to.ok) return to;
  if (from.value === null && to.value === null) return err(`d:${value}: a range needs at least one end`);
  return ok({ kind: 'date', from: from.value, to: to.value });
}

function termOf(text: string, now: number): Result<Query> {
  const m = /^([a-z]+):(.*)$/s.exec(text);
  let field: Field = 'any';
  let value = text;
  // An unknown prefix is text, as in Xapian: "mm: execmem" typed without s: searches those words.
  if (m && !m[2]!.startsWith('//') && FIELDS.has(m[1]!)) {
    if (m[1] === 'd') return parseDate(m[2]!, now);
    field = m[1] as Field;
    value = m[2]!;
  }
  const quoted = value.startsWith('"') && value.endsWith('"') && value.length >= 2;
  if (quoted) value = value.slice(1, -1);
  const prefix = !quoted && value.endsWith('*');
  if (prefix) value = value.slice(0, -1);
  if (value === '') return err(`'${text}': nothing to search for`);
  // A Message-ID and a file name are compared whole, not as words.
  if (field === 'm') return ok({ kind: 'term', field, words: [value.replace(/^<|>$/g, '')], prefix: false });
  if (field === 'dfn') return ok({ kind: 'term', field, words: [value], prefix });
  const words = wordsOf(value);
  if (words.length === 0) return err(`'${text}': no word in it to search for`);
  return ok({ kind: 'term', field, words, prefix });
}

/**
 * Parses a query. Precedence as in Xapian: NOT binds tightest, then AND
 * (also implied between neighbours), then OR. `now` anchors relative dates.
 */
export function parseQuery(q: string, now: number = Date.now()): Result<Query> {
  const toks = tokenize(q);
  if (!toks.ok) return toks;
  const ts = toks.value;
  if (ts.length === 0) return err('the query is empty');
  let i = 0;
  const peek = () => ts[i];
  const isOp = (tok: Token | undefined, op: string) => tok?.t === 'op' && tok.op === op;

  const primary = (): Result<Query> => {
    const tok = ts[i];
    if (!tok) return err('the query ends where a term was expected');
    if (isOp(tok, '(')) {
      i++;
      const inner = orExpr();
      if (!inner.ok) return inner;
      if (!isOp(peek(), ')')) return err(`no ')' for the '(' at character ${tok.at + 1}`);
      i++;
      return inner;
    }
    if (isOp(tok, 'NOT')) {
      i++;
      const item = primary();
      if (!item.ok) return item;
      return ok({ kind: 'not', item: item.value });
    }
    if (tok.t === 'op') return err(`'${tok.op}' at character ${tok.at + 1} where a term was expected`);
    i++;
    // lore's shorthands: -term is NOT term, +term is term.
    if (tok.text.length > 1 && (tok.text.startsWith('-') || tok.text.startsWith('+'))) {
      const inner = termOf(tok.text.slice(1), now);
      if (!inner.ok || tok.text.startsWith('+')) return inner;
      return ok({ kind: 'not', item: inner.value });
    }
    return termOf(tok.text, now);
  };
  const andExpr = (): Result<Query> => {
    const items: Query[] = [];
    for (;;) {
      const first = primary();
      if (!first.ok) return first;
      items.push(first.value);
      const next = peek();
      if (isOp(next, 'AND')) {
        i++;
        continue;
      }
      // Neighbours with no operator between them: AND, as in lore.
      if (next && !isOp(next, 'OR') && !isOp(next, ')')) continue;
      return ok(items.length === 1 ? items[0]! : { kind: 'and', items });
    }
  };
  const orExpr = (): Result<Query> => {
    const items: Query[] = [];
    for (;;) {
      const a = andExpr();
      if (!a.ok) return a;
      items.push(a.value);
      if (!isOp(peek(), 'OR')) return ok(items.length === 1 ? items[0]! : { kind: 'or', items });
      i++;
    }
  };
  const result = orExpr();
  if (!result.ok) return result;
  const rest = peek();
  if (rest) return err(`unexpected '${rest.t === 'op' ? rest.op : rest.text}' at character ${rest.at + 1}`);
  return result;
}

/** Whether `words` stand in `hay` one after another (a phrase; one word is a phrase of one), the last as a prefix when asked. */
function hasPhrase(hay: readonly string[], words: readonly string[], prefix: boolean): boolean {
  const last = words.length - 1;
  for (let s = 0; s + words.length <= hay.length; s++) {
    let k = 0;
    while (k < words.length && (k === last && prefix ? hay[s + k]!.startsWith(words[k]!) : hay[s + k] === words[k])) k++;
    if (k === words.length) return true;
  }
  return false;
}

/** Whether a path a patch touches is the file named: the whole path, or its last components. */
export function touches(files: readonly string[], name: string, prefix: boolean): boolean {
  return files.some((f) => {
    if (prefix) return f.startsWith(name) || f.includes(`/${name}`);
    return f === name || f.endsWith(`/${name}`);
  });
}

/**
 * The words of a document's texts, worked out once per document: a live
 * search matches every message on each keystroke, and splitting every body
 * again each time was most of that.
 */
const wordCache = new WeakMap<SearchDoc, Map<string, string[]>>();

function matchTerm(doc: SearchDoc, q: Extract<Query, { kind: 'term' }>): boolean {
  let cached = wordCache.get(doc);
  if (!cached) wordCache.set(doc, (cached = new Map()));
  const words = (text: string | undefined): string[] => {
    if (!text) return [];
    let w = cached.get(text);
    if (!w) cached.set(text, (w = wordsOf(text)));
    return w;
  };
  switch (q.field) {
    case 's':
      return hasPhrase(words(doc.subject), q.words, q.prefix);
    case 'f':
      return hasPhrase(words(`${doc.from.name ?? ''} ${doc.from.address}`), q.words, q.prefix);
    case 't':
      return (doc.to ?? []).some((a) => hasPhrase(words(a), q.words, q.prefix));
    case 'c':
      return (doc.cc ?? []).some((a) => hasPhrase(words(a), q.words, q.prefix));
    case 'm':
      return doc.msgid === q.words[0];
    case 'b':
      return hasPhrase(words(doc.body), q.words, q.prefix);
    case 'dfn':
      return touches(doc.files ?? [], q.words[0]!, q.prefix);
    case 'dfhh':
      return (doc.hunkHeaders ?? []).some((h) => hasPhrase(words(h), q.words, q.prefix));
    case 'any':
      return hasPhrase(words(doc.subject), q.words, q.prefix) || hasPhrase(words(doc.body), q.words, q.prefix);
  }
}

export function matches(doc: SearchDoc, q: Query): boolean {
  switch (q.kind) {
    case 'term':
      return matchTerm(doc, q);
    case 'date':
      return doc.time !== null && (q.from === null || doc.time >= q.from) && (q.to === null || doc.time < q.to);
    case 'and':
      return q.items.every((item) => matches(doc, item));
    case 'or':
      return q.items.some((item) => matches(doc, item));
    case 'not':
      return !matches(doc, q.item);
  }
}

/**
 * What a query says of a document without reading its body: true or false
 * when the other fields decide, undefined when only the body can (b:, or an
 * unprefixed word not in the subject) and it is not at hand. Three-valued:
 * AND is false when any part is, OR true when any part is, NOT keeps
 * undefined.
 */
export function matchesWithoutBody(doc: SearchDoc, q: Query): boolean | undefined {
  if (doc.bodyAtHand !== false) return matches(doc, q);
  switch (q.kind) {
    case 'term': {
      if (q.field === 'b') return undefined;
      // The subject alone (a copy of doc would read its body through the getter).
      if (q.field === 'any') return matchTerm(doc, { ...q, field: 's' }) ? true : undefined;
      return matchTerm(doc, q);
    }
    case 'date':
      return matches(doc, q);
    case 'and': {
      let unknown = false;
      for (const item of q.items) {
        const r = matchesWithoutBody(doc, item);
        if (r === false) return false;
        if (r === undefined) unknown = true;
      }
      return unknown ? undefined : true;
    }
    case 'or': {
      let unknown = false;
      for (const item of q.items) {
        const r = matchesWithoutBody(doc, item);
        if (r === true) return true;
        if (r === undefined) unknown = true;
      }
      return unknown ? undefined : false;
    }
    case 'not': {
      const r = matchesWithoutBody(doc, q.item);
      return r === undefined ? undefined : !r;
    }
  }
}

/**
 * The documents a query matches, reading the bodies of only those it cannot
 * decide without them, through `bodies` (a batch read from the mail: msgid
 * to body).
 */
export async function matchAll<T extends { doc: SearchDoc }>(
  entries: readonly T[],
  q: Query,
  bodies: (docs: readonly SearchDoc[]) => Promise<Map<string, string>>,
): Promise<{ hits: T[]; bodiesRead: number }> {
  const hits: T[] = [];
  const unknown: T[] = [];
  for (const e of entries) {
    const r = matchesWithoutBody(e.doc, q);
    if (r === true) hits.push(e);
    else if (r === undefined) unknown.push(e);
  }
  if (unknown.length === 0) return { hits, bodiesRead: 0 };
  const read = await bodies(unknown.map((e) => e.doc));
  for (const e of unknown) {
    const body = read.get(e.doc.msgid);
    // The document with its body, everything else read through to it (a spread would call its body getter).
    const withBody = Object.create(e.doc, { body: { value: body }, bodyAtHand: { value: true } }) as SearchDoc;
    if (body !== undefined && matches(withBody, q)) hits.push(e);
  }
  return { hits, bodiesRead: unknown.length };
}
