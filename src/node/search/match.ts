/**
 * Matching a lore query against the explorer's mail: what headers and facts
 * decide is decided at once; the bodies of the rest (indexed messages keep
 * none) are read again from the mail in one batch, and only when the query
 * needs them (b:, or a word not in the subject).
 */
import type { SearchEntry } from '../../core/search/docs';
import type { SearchPlan } from '../../core/search/plan';
import { matchesWithoutBody, type Query } from '../../core/search/query';
import type { SourcedMessage } from '../../core/series/model';
import { readBodies } from '../index/bodies';

/** The entries the query matches (looked for through the plan's posting lists), bodies read as needed. */
export async function matchEntries(plan: SearchPlan<SearchEntry>, query: Query, signal?: AbortSignal): Promise<SearchEntry[]> {
  const byId = messagesById.get(plan) ?? new Map(plan.entries.map((e) => [e.doc.msgid, e.message]));
  messagesById.set(plan, byId);
  const { hits } = await plan.run(query, (docs) => readBodies(docs.map((d) => byId.get(d.msgid)!), signal));
  return hits;
}

const messagesById = new WeakMap<SearchPlan<SearchEntry>, Map<string, SourcedMessage>>();

/** What can be told without reading a body: the entries certainly matched, and how many only their bodies can decide. */
export function matchWithoutBodies(plan: SearchPlan<SearchEntry>, query: Query): { hits: SearchEntry[]; undecided: number } {
  const hits: SearchEntry[] = [];
  let undecided = 0;
  const c = plan.candidates(query);
  for (const e of c === null ? plan.entries : c.map((i) => plan.entries[i]!)) {
    const r = matchesWithoutBody(e.doc, query);
    if (r === true) hits.push(e);
    else if (r === undefined) undecided++;
  }
  return { hits, undecided };
}
