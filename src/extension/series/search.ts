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
import { groupHits, type SearchHit } from '../../core/search/docs';
import { parseQuery } from '../../core/search/query';
import { openMessage } from './actions';
import type { SeriesStore } from './store';

type Item = vscode.QuickPickItem & { msgid?: string };

/** Hits shown at most; the title says how many there were. */
const SHOWN = 200;

const ROLE_ICON: Record<SearchHit['role'], string> = { cover: '$(mail)', patch: '$(git-commit)', reply: '$(comment)', other: '$(inbox)' };

/** The quick pick's rows for hits: a separator per series (or "Other mail"), then its hits, each naming its series. */
export function searchRows(hits: readonly SearchHit[]): { items: Item[]; total: number } {
  const items: Item[] = [];
  let shown = 0;
  for (const group of groupHits(hits)) {
    if (shown >= SHOWN) break;
    const v = group.series;
    const name = v ? uiText(`${v.label}: ${v.title}`) : undefined;
    items.push({ label: name ?? 'Other mail', kind: vscode.QuickPickItemKind.Separator });
    for (const h of group.hits.slice(0, SHOWN - shown)) {
      shown++;
      items.push({
        label: `${ROLE_ICON[h.role]} ${uiText(h.subject)}`,
        description: `${uiText(h.from.name || h.from.address)} · ${h.time === null ? 'date unknown' : new Date(h.time).toISOString().slice(0, 10)}`,
        detail: name,
        msgid: h.msgid,
        // The query already chose: the quick pick must not filter the rows again by its own fuzzy match.
        alwaysShow: true,
      });
    }
  }
  return { items, total: hits.length };
}

export async function searchMail(store: SeriesStore, initial?: string): Promise<void> {
  await store.ensure();
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'Search Mail';
  pick.placeholder = 's:subject f:from b:body m:msgid d:2023-06-01.. dfn:path/file.c dfhh:function — AND OR NOT "phrase" word*';
  pick.matchOnDescription = false;
  let asking: AbortController | undefined;
  const title = (total: number, more: string) => `Search Mail: ${total} hit${total === 1 ? '' : 's'}${total > SHOWN ? ` (newest ${SHOWN} shown)` : ''}${more}`;
  const failed = (mine: AbortController) => (e: unknown) => {
    if (mine.signal.aborted) return;
    pick.busy = false;
    pick.title = `Search Mail: the mail could not be searched (${e instanceof Error ? e.message : String(e)})`;
  };
  const update = (): void => {
    asking?.abort();
    asking = undefined;
    const value = pick.value;
    if (value.trim() === '') {
      pick.items = [];
      pick.title = `Search Mail: ${store.messageCount} messages`;
      pick.busy = false;
      return;
    }
    const parsed = parseQuery(value);
    if (!parsed.ok) {
      pick.items = [];
      pick.title = `Search Mail: ${parsed.error}`;
      pick.busy = false;
      return;
    }
    const mine = (asking = new AbortController());
    pick.busy = true;
    // What headers and facts decide comes first; only the message bodies can decide the rest: they are read again from the mail.
    store.search(parsed.value, { bodies: false }).then((r) => {
      if (mine.signal.aborted || pick.value !== value) return;
      const shown = searchRows(r.hits);
      pick.items = shown.items;
      pick.title = title(shown.total, r.undecided ? ` so far; reading ${r.undecided} messages' text…` : '');
      pick.busy = r.undecided > 0;
      if (!r.undecided) return;
      store.search(parsed.value, { bodies: true, signal: mine.signal }).then((all) => {
        if (mine.signal.aborted || pick.value !== value) return;
        const done = searchRows(all.hits);
        pick.items = done.items;
        pick.title = title(done.total, '');
        pick.busy = false;
      }, failed(mine));
    }, failed(mine));
  };
  pick.onDidChangeValue(update);
  pick.onDidAccept(() => {
    const msgid = pick.selectedItems[0]?.msgid;
    if (msgid) void openMessage(store, msgid);
    pick.hide();
  });
  pick.onDidHide(() => {
    asking?.abort();
    pick.dispose();
  });
  if (initial) pick.value = initial;
  update();
  pick.show();
}
