/** The arch map's commands: the table, a series' map, and opening the source of a field. */
import * as vscode from 'vscode';
import { buildArchMap } from '../../core/archmap/build';
import type { ExecmemType } from '../../core/archmap/types';
import { factsOfSeries } from '../../node/archmap/inputs';
import type { CommandTable } from '../commandTable';
import type { SeriesNode } from '../series/tree';
import { showArchMapPanel } from './panel';
import { locationUri } from './store';

let archMapPanel: vscode.WebviewPanel | undefined;

/** One table panel, reused; its dispose listener is added once, when it is created. */
function showTable(map: Parameters<typeof showArchMapPanel>[0], summary: string): void {
  const fresh = !archMapPanel;
  archMapPanel = showArchMapPanel(map, summary, archMapPanel);
  if (fresh) archMapPanel.onDidDispose(() => (archMapPanel = undefined));
}

async function openLocation(root: string | null, location: string, column: vscode.ViewColumn): Promise<boolean> {
  const at = locationUri(root, location);
  if (!at) return false;
  try {
    await vscode.workspace.fs.stat(at.uri);
  } catch {
    return false; // not in this tree: the caller tries the other side's
  }
  const pos = new vscode.Position(Math.max(0, at.line - 1), 0);
  await vscode.window.showTextDocument(at.uri, { viewColumn: column, selection: new vscode.Range(pos, pos), preview: true });
  return true;
}

export const COMMANDS: CommandTable = {
  'execmemLens.showArchMap': (ctx) => async () => {
    const r = await ctx.archMap.get();
    if (Object.keys(r.map.arches).length === 0) {
      void vscode.window.showInformationMessage('Execmem Lens: no module_alloc overrides or execmem tables found. Open a kernel tree, and add the other one to execmemLens.kernelSources.');
    }
    showTable(r.map, r.summary);
  },

  'execmemLens.refreshArchMap': (ctx) => () => ctx.archMap.invalidate(),

  'execmemLens.showSeriesArchMap': (ctx) => async (node?: unknown) => {
    const n = node as SeriesNode | undefined;
    if (n?.kind !== 'version') return;
    const v = n.version;
    const facts = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading the C in v${v.version} ${v.title}` }, () => factsOfSeries(v));
    // Both sides of a series are read against the kernel it was posted for.
    const map = buildArchMap(facts.before, facts.after, { afterEra: 'before', simulate: true });
    ctx.log.info(`arch map of v${v.version} ${v.title}: ${Object.keys(map.arches).length} arches from ${facts.patches} patches`);
    showTable(map, `v${v.version} ${v.title}: '-' lines are the before side, '+' lines the after side (${facts.patches} patches)`);
  },

  'execmemLens.openArchMapSides': (ctx) => async (arch?: unknown, type?: unknown) => {
    const r = await ctx.archMap.get();
    const e = typeof arch === 'string' ? r.map.arches[arch]?.types[type as ExecmemType] : undefined;
    if (!e) return;
    if (e.before) await openLocation(r.beforeRoot, e.before.location, vscode.ViewColumn.One);
    if (e.after) await openLocation(r.afterRoot, e.after.location, e.before ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  },

  'execmemLens.openArchMapLocation': (ctx) => async (side?: unknown, location?: unknown) => {
    const r = await ctx.archMap.get();
    if (typeof location !== 'string') return;
    const root = side === 'before' ? r.beforeRoot : r.afterRoot;
    if (await openLocation(root, location, vscode.ViewColumn.Active)) return;
    if (await openLocation(side === 'before' ? r.afterRoot : r.beforeRoot, location, vscode.ViewColumn.Active)) return;
    void vscode.window.showWarningMessage(`Execmem Lens: ${location} is in neither kernel tree read (${[r.beforeRoot, r.afterRoot].filter(Boolean).join(', ') || 'none'}).`);
  },
};
