/**
 * Search Mail…: lore's query language over the mail the Patch Series view
 * has read, in a quick pick whose results follow the query as it is typed,
 * opening the message picked. Rows are given in series order, newest group
 * first, each naming its series; VS Code's quick pick (sortByLabel, not
 * settable through the stable API) moves rows whose label matches the typed
 * text up and hides separators while text is typed, so the detail line
 * carries the series too.
 * The query language and matching are core/search; this is the adapter.
 */
import * as vscode from 'vscode';
import { uiText } from '../../core/mail/display';
import { groupHits, type SearchEntry } from '../../core/search/docs';
import type { SearchPlan } from '../../core/search/plan';
import { parseQuery } from '../../core/search/query';
import { matchEntries, matchWithoutBodies } from './match';
import { openMessage } from './actions';
import type { SeriesStore } from './store';
import { versionLabel } from './tree';

type Item = vscode.QuickPickItem & { msgid?: string };

/** Hits shown at most; the title says how many there were. */
const SHOWN = 200;

const ROLE_ICON: Record<SearchEntry['role'], string> = { cover: '$(mail)', patch: '$(git-commit)', reply: '$(comment)', other: '$(inbox)' };

/**
 * The quick pick's rows for a query: a separator per series (or "Other
 * mail"), then its hits, each naming its series. What needs bodies that are
 * not held (indexed mail) is counted in `undecided`; `hits` gives the rows
 * once those bodies were read (see searchMail).
 */
export function searchItems(plan: SearchPlan<SearchEntry>, query: string, hits?: readonly SearchEntry[]): { items: Item[]; total: number; undecided: number; error?: string } {
  if (query.trim() === '') return { items: [], total: 0, undecided: 0 };
  const parsed = parseQuery(query);
  if (!parsed.ok) return { items: [], total: 0, undecided: 0, error: parsed.error };
  let undecided = 0;
  if (!hits) ({ hits, undecided } = matchWithoutBodies(plan, parsed.value));
  return { ...rows(hits), undecided };
}

function rows(hits: readonly SearchEntry[]): { items: Item[]; total: number } {
  const items: Item[] = [];
  let shown = 0;
  for (const group of groupHits(hits)) {
    if (shown >= SHOWN) break;
    const v = group.series;
    items.push({ label: v ? uiText(`${versionLabel(v)}: ${v.title}`) : 'Other mail', kind: vscode.QuickPickItemKind.Separator });
    for (const h of group.hits.slice(0, SHOWN - shown)) {
      shown++;
      items.push({
        label: `${ROLE_ICON[h.role]} ${uiText(h.doc.subject)}`,
        description: `${uiText(h.doc.from.name || h.doc.from.address)} · ${h.doc.time === null ? 'date unknown' : new Date(h.doc.time).toISOString().slice(0, 10)}`,
        detail: v ? uiText(`${versionLabel(v)}: ${v.title}`) : undefined,
        msgid: h.doc.msgid,
        // The query already chose: the quick pick must not filter the rows again by its own fuzzy match.
        alwaysShow: true,
      });
    }
  }
  return { items, total: hits.length };
}

export async function searchMail(store: SeriesStore, initial?: string): Promise<void> {
  await store.ensure();
  const plan = store.searchPlan();
  const entries = plan.entries;
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'Search Mail';
  pick.placeholder = 's:subject f:from b:body m:msgid d:2023-06-01.. dfn:path/file.c dfhh:function — AND OR NOT "phrase" word*';
  pick.matchOnDescription = false;
  let reading: AbortController | undefined;
  const title = (r: { total: number; error?: string }, more: string) =>
    r.error
      ? `Search Mail: ${r.error}`
      : pick.value.trim() === ''
        ? `Search Mail: ${entries.length} messages`
        : `Search Mail: ${r.total} hit${r.total === 1 ? '' : 's'}${r.total > SHOWN ? ` (newest ${SHOWN} shown)` : ''}${more}`;
  const update = (): void => {
    reading?.abort();
    reading = undefined;
    const r = searchItems(plan, pick.value);
    pick.items = r.items;
    pick.title = title(r, r.undecided ? ` so far; reading ${r.undecided} messages' text…` : '');
    pick.busy = r.undecided > 0;
    if (!r.undecided) return;
    // Only the message bodies can decide the rest: read them again from the mail, then show all hits.
    const parsed = parseQuery(pick.value);
    if (!parsed.ok) return;
    const mine = (reading = new AbortController());
    const value = pick.value;
    matchEntries(plan, parsed.value, mine.signal).then(
      (hits) => {
        if (mine.signal.aborted || pick.value !== value) return;
        const done = searchItems(plan, value, hits);
        pick.items = done.items;
        pick.title = title(done, '');
        pick.busy = false;
      },
      (e: unknown) => {
        if (mine.signal.aborted) return;
        pick.busy = false;
        pick.title = `Search Mail: the mail could not be read again (${e instanceof Error ? e.message : String(e)})`;
      },
    );
  };
  pick.onDidChangeValue(update);
  pick.onDidAccept(() => {
    const msgid = pick.selectedItems[0]?.msgid;
    if (msgid) void openMessage(store, msgid);
    pick.hide();
  });
  pick.onDidHide(() => {
    reading?.abort();
    pick.dispose();
  });
  if (initial) pick.value = initial;
  update();
  pick.show();
}
