/**
 * Answering a lore query over a list archive's messages without looking at
 * each of them: per field, the documents each word (or file, or Message-ID)
 * is in, built the first time a query needs that field. A query's terms give
 * a set of candidates (AND intersects, OR joins; NOT, dates, bodies and
 * recipients cannot narrow, and leave every document a candidate); the
 * candidates are then matched exactly as before (query.ts), so the answer is
 * the same as matching every document, only found sooner. This is the
 * posting list of every search engine, Xapian's (which lore uses) included.
 */
import { matchAll, type Query, type SearchDoc, touches, wordsOf } from './query';

type Term = Extract<Query, { kind: 'term' }>;

/** Document numbers, ascending. */
type Postings = number[];

function intersect(a: Postings, b: Postings): Postings {
  const out: Postings = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out.push(a[i]!);
      i++;
      j++;
    }
  }
  return out;
}

function union(lists: Postings[]): Postings {
  if (lists.length === 1) return lists[0]!;
  return [...new Set(lists.flat())].sort((x, y) => x - y);
}

class WordPostings {
  readonly byWord = new Map<string, Postings>();
  add(doc: number, text: string | undefined): void {
    if (!text) return;
    for (const w of new Set(wordsOf(text))) {
      const list = this.byWord.get(w);
      if (list) {
        if (list[list.length - 1] !== doc) list.push(doc);
      } else this.byWord.set(w, [doc]);
    }
  }
  /** Documents with every word of the phrase (the last a prefix when `prefix`): a superset of the phrase's matches. */
  candidates(words: readonly string[], prefix: boolean): Postings {
    let out: Postings | undefined;
    for (const [i, w] of words.entries()) {
      let list: Postings;
      if (prefix && i === words.length - 1) {
        const lists: Postings[] = [];
        for (const [word, docs] of this.byWord) if (word.startsWith(w)) lists.push(docs);
        list = lists.length ? union(lists) : [];
      } else list = this.byWord.get(w) ?? [];
      out = out ? intersect(out, list) : list;
      if (out.length === 0) break;
    }
    return out ?? [];
  }
}

export class SearchPlan<T extends { doc: SearchDoc }> {
  private subject: WordPostings | undefined;
  private from: WordPostings | undefined;
  private hunks: WordPostings | undefined;
  private ids: Map<string, Postings> | undefined;
  private files: Map<string, Postings> | undefined;

  constructor(readonly entries: readonly T[]) {}

  private words(which: 'subject' | 'from' | 'hunks'): WordPostings {
    const have = this[which];
    if (have) return have;
    const p = new WordPostings();
    this.entries.forEach((e, i) => {
      const d = e.doc;
      if (which === 'subject') p.add(i, d.subject);
      else if (which === 'from') p.add(i, `${d.from.name ?? ''} ${d.from.address}`);
      else for (const h of d.hunkHeaders ?? []) p.add(i, h);
    });
    this[which] = p;
    return p;
  }

  /** The documents that may match a term, or null when the term cannot narrow them (every document may). */
  private term(q: Term): Postings | null {
    switch (q.field) {
      case 's':
        return this.words('subject').candidates(q.words, q.prefix);
      case 'f':
        return this.words('from').candidates(q.words, q.prefix);
      case 'dfhh':
        return this.words('hunks').candidates(q.words, q.prefix);
      case 'm': {
        if (!this.ids) {
          this.ids = new Map();
          this.entries.forEach((e, i) => {
            const list = this.ids!.get(e.doc.msgid);
            if (list) list.push(i);
            else this.ids!.set(e.doc.msgid, [i]);
          });
        }
        return this.ids.get(q.words[0]!) ?? [];
      }
      case 'dfn': {
        if (!this.files) {
          this.files = new Map();
          this.entries.forEach((e, i) => {
            for (const f of new Set(e.doc.files ?? [])) {
              const list = this.files!.get(f);
              if (list) list.push(i);
              else this.files!.set(f, [i]);
            }
          });
        }
        // Distinct paths are far fewer than messages: each is compared as the matcher compares it.
        const lists: Postings[] = [];
        for (const [path, docs] of this.files) if (touches([path], q.words[0]!, q.prefix)) lists.push(docs);
        return lists.length ? union(lists) : [];
      }
      default:
        // Body words, unprefixed words (subject or body), To and Cc: every document may match.
        return null;
    }
  }

  /** Candidates of a query: a superset of its matches, or null for all documents. */
  candidates(q: Query): Postings | null {
    switch (q.kind) {
      case 'term':
        return this.term(q);
      case 'date':
      case 'not':
        return null;
      case 'and': {
        let out: Postings | null = null;
        for (const item of q.items) {
          const c = this.candidates(item);
          if (c === null) continue;
          out = out === null ? c : intersect(out, c);
          if (out.length === 0) break;
        }
        return out;
      }
      case 'or': {
        const lists: Postings[] = [];
        for (const item of q.items) {
          const c = this.candidates(item);
          if (c === null) return null;
          lists.push(c);
        }
        return union(lists);
      }
    }
  }

  /** The entries the query matches, exactly as matchAll over every entry would find them, bodies read through `bodies` as needed. */
  async run(q: Query, bodies: (docs: readonly SearchDoc[]) => Promise<Map<string, string>>): Promise<{ hits: T[]; bodiesRead: number; candidates: number }> {
    const c = this.candidates(q);
    const pool = c === null ? this.entries : c.map((i) => this.entries[i]!);
    const r = await matchAll(pool, q, bodies);
    return { ...r, candidates: pool.length };
  }
}
