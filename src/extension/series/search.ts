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
import { groupHits, searchEntries, type SearchEntry } from '../../core/search/docs';
import { matches, parseQuery } from '../../core/search/query';
import type { SeriesIndex } from '../../core/series/model';
import { openMessage } from './actions';
import type { SeriesStore } from './store';
import { versionLabel } from './tree';

type Item = vscode.QuickPickItem & { msgid?: string };

/** Hits shown at most; the title says how many there were. */
const SHOWN = 200;

const ROLE_ICON: Record<SearchEntry['role'], string> = { cover: '$(mail)', patch: '$(git-commit)', reply: '$(comment)', other: '$(inbox)' };

/** The quick pick's rows for a query: a separator per series (or "Other mail"), then its hits, each naming its series. */
export function searchItems(entries: readonly SearchEntry[], query: string): { items: Item[]; total: number; error?: string } {
  if (query.trim() === '') return { items: [], total: 0 };
  const parsed = parseQuery(query);
  if (!parsed.ok) return { items: [], total: 0, error: parsed.error };
  const hits = entries.filter((e) => matches(e.doc, parsed.value));
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
  const index: SeriesIndex = await store.ensure();
  const entries = searchEntries(index);
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'Search Mail';
  pick.placeholder = 's:subject f:from b:body m:msgid d:2023-06-01.. dfn:path/file.c dfhh:function — AND OR NOT "phrase" word*';
  pick.matchOnDescription = false;
  const update = (): void => {
    const r = searchItems(entries, pick.value);
    pick.items = r.items;
    pick.title = r.error
      ? `Search Mail: ${r.error}`
      : pick.value.trim() === ''
        ? `Search Mail: ${entries.length} messages`
        : `Search Mail: ${r.total} hit${r.total === 1 ? '' : 's'}${r.total > SHOWN ? ` (newest ${SHOWN} shown)` : ''}`;
  };
  pick.onDidChangeValue(update);
  pick.onDidAccept(() => {
    const msgid = pick.selectedItems[0]?.msgid;
    if (msgid) void openMessage(store, msgid);
    pick.hide();
  });
  pick.onDidHide(() => pick.dispose());
  if (initial) pick.value = initial;
  update();
  pick.show();
}
