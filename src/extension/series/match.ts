/**
 * Matching a lore query against the explorer's mail: what headers and facts
 * decide is decided at once; the bodies of the rest (indexed messages keep
 * none) are read again from the mail in one batch, and only when the query
 * needs them (b:, or a word not in the subject).
 */
import type { SearchEntry } from '../../core/search/docs';
import { matchAll, matchesWithoutBody, type Query } from '../../core/search/query';
import { readBodies } from '../../node/index/bodies';

/** The entries the query matches, bodies read as needed. */
export async function matchEntries(entries: readonly SearchEntry[], query: Query, signal?: AbortSignal): Promise<SearchEntry[]> {
  const byId = new Map(entries.map((e) => [e.doc.msgid, e.message]));
  const { hits } = await matchAll(entries, query, (docs) => readBodies(docs.map((d) => byId.get(d.msgid)!), signal));
  return hits;
}

/** What can be told without reading a body: the entries certainly matched, and how many only their bodies can decide. */
export function matchWithoutBodies(entries: readonly SearchEntry[], query: Query): { hits: SearchEntry[]; undecided: number } {
  const hits: SearchEntry[] = [];
  let undecided = 0;
  for (const e of entries) {
    const r = matchesWithoutBody(e.doc, query);
    if (r === true) hits.push(e);
    else if (r === undefined) undecided++;
  }
  return { hits, undecided };
}
