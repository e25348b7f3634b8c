/**
 * A reviewer's draft comments, not yet sent: each on a line of a file of a
 * patch (by the patch's Message-ID), kept per workspace so they survive a
 * reload, listed under "My Review" of the series, and made into the reply by
 * composeReply. Pure: the extension stores the book (workspace state) and
 * shows it through the Comments API.
 */
import type { DraftComment } from './reply';

export interface Draft extends DraftComment {
  /** Unique within the book. */
  id: string;
  /** The patch (or cover letter) commented on. */
  msgid: string;
  /** ISO 8601. */
  created: string;
  updated: string;
}

export interface DraftBook {
  version: 1;
  drafts: Draft[];
  /** The next id to give. */
  next: number;
}

export function emptyDrafts(): DraftBook {
  return { version: 1, drafts: [], next: 1 };
}

/** The book with a new draft (the book is not changed: the caller stores what is returned). */
export function addDraft(book: DraftBook, msgid: string, c: DraftComment, at: string): { book: DraftBook; draft: Draft } {
  const draft: Draft = { ...c, id: `d${book.next}`, msgid, created: at, updated: at };
  return { book: { ...book, drafts: [...book.drafts, draft], next: book.next + 1 }, draft };
}

export function editDraft(book: DraftBook, id: string, text: string, at: string): DraftBook {
  if (!book.drafts.some((d) => d.id === id)) return book;
  return { ...book, drafts: book.drafts.map((d) => (d.id === id ? { ...d, text, updated: at } : d)) };
}

export function deleteDraft(book: DraftBook, id: string): DraftBook {
  return { ...book, drafts: book.drafts.filter((d) => d.id !== id) };
}

/** The drafts on one message, in the order of its files' lines (then as written). */
export function draftsOf(book: DraftBook, msgid: string): Draft[] {
  return book.drafts
    .filter((d) => d.msgid === msgid)
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.path === b.d.path ? 0 : a.d.path === '' ? 1 : b.d.path === '' ? -1 : a.d.path < b.d.path ? -1 : 1) || a.d.line - b.d.line || a.i - b.i)
    .map(({ d }) => d);
}

/** Once sent or saved, the drafts of that message are done with. */
export function clearDraftsOf(book: DraftBook, msgid: string): DraftBook {
  return { ...book, drafts: book.drafts.filter((d) => d.msgid !== msgid) };
}

/** A book read back from storage, checked; an error names the first thing wrong (the caller keeps the stored value aside rather than lose it). */
export function parseDrafts(x: unknown): { ok: true; value: DraftBook } | { ok: false; error: string } {
  if (typeof x !== 'object' || x === null) return { ok: false, error: 'not a JSON object' };
  const o = x as Record<string, unknown>;
  if (o.version !== 1) return { ok: false, error: `version ${JSON.stringify(o.version)}: only version 1 is read` };
  if (!Array.isArray(o.drafts)) return { ok: false, error: '"drafts" is not a list' };
  const drafts: Draft[] = [];
  let max = 0;
  for (const [i, d] of (o.drafts as unknown[]).entries()) {
    const r = d as Record<string, unknown> | null;
    const bad = (what: string) => ({ ok: false as const, error: `draft ${i + 1}: ${what}` });
    if (typeof r !== 'object' || r === null) return bad('not an object');
    for (const k of ['id', 'msgid', 'path', 'text', 'created', 'updated'] as const) if (typeof r[k] !== 'string') return bad(`"${k}" is not text`);
    if (r.side !== 'new' && r.side !== 'old') return bad(`"side" is ${JSON.stringify(r.side)}`);
    if (!Number.isSafeInteger(r.line) || (r.line as number) < 0) return bad('"line" is not a line number');
    if (r.startLine !== undefined && (!Number.isSafeInteger(r.startLine) || (r.startLine as number) < 1)) return bad('"startLine" is not a line number');
    const n = /^d(\d+)$/.exec(r.id as string);
    if (n) max = Math.max(max, Number(n[1]));
    drafts.push({
      id: r.id as string,
      msgid: r.msgid as string,
      path: r.path as string,
      side: r.side,
      line: r.line as number,
      ...(r.startLine !== undefined ? { startLine: r.startLine as number } : {}),
      text: r.text as string,
      created: r.created as string,
      updated: r.updated as string,
    });
  }
  const next = Number.isSafeInteger(o.next) ? Math.max(o.next as number, max + 1) : max + 1;
  return { ok: true, value: { version: 1, drafts, next } };
}
