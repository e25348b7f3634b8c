/**
 * The extension's commands, one small factory each, registered together.
 * Command ids are part of the contract (package.json, keybindings, tests).
 */
import * as vscode from 'vscode';
import { ARCHES } from '../core/arch/arches';
import type { ExtensionParts } from './parts';
import { compareVersionsCommand, openFileDiff, openMessage, pickAndAdd } from './series/actions';
import { openThread } from './series/threads';
import type { SeriesNode } from './series/tree';
import { b4AmCommand } from '../core/mail/b4';
import type { SourcedMessage } from '../core/series/model';
import { LAYOUT_VIEW_ID } from './layout/layoutViewProvider';
import { nextCallSite, previousCallSite, simulateSite } from './callsites/commands';
import { showArchMapPanel } from './archmap/panel';
import { locationUri } from './archmap/store';
import type { ExecmemType } from '../core/archmap/types';
import { buildArchMap } from '../core/archmap/build';
import { factsOfSeries } from '../node/archmap/inputs';

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

type CommandFactory = (parts: ExtensionParts) => (...args: unknown[]) => unknown;

const COMMANDS: Record<string, CommandFactory> = {
  'execmemLens.showLayout': () => () => vscode.commands.executeCommand(`${LAYOUT_VIEW_ID}.focus`),

  'execmemLens.simulateCallSite': (parts) => (...args: unknown[]) => simulateSite(parts.siteParts, args),

  'execmemLens.stepFromHere': (parts) => (...args: unknown[]) => simulateSite(parts.siteParts, args),

  'execmemLens.nextCallSite': (parts) => () => nextCallSite(parts.siteParts),

  'execmemLens.previousCallSite': (parts) => () => previousCallSite(parts.siteParts),

  'execmemLens.scanCallSites': (parts) => () => parts.callSites.scan(true),

  'execmemLens.clearSimulation': (parts) => () => parts.session.clear(),

  'execmemLens.selectArch': (parts) => async () => {
    const current = parts.state.arch;
    const picked = await vscode.window.showQuickPick(
      ARCHES.map((a) => ({
        label: a.name,
        description: a.name === current ? '(current)' : undefined,
        detail: `before: ${a.moduleAllocFile} · after: ${a.execmemSetupFile}`,
        arch: a.name,
      })),
      { title: 'Execmem Lens: architecture for layouts and lenses', placeHolder: `Current: ${current}`, matchOnDetail: true },
    );
    if (picked) await parts.state.setArch(picked.arch);
  },

  'execmemLens.showArchMap': (parts) => async () => {
    const r = await parts.archMap.get();
    if (Object.keys(r.map.arches).length === 0) {
      void vscode.window.showInformationMessage('Execmem Lens: no module_alloc overrides or execmem tables found. Open a kernel tree, and add the other one to execmemLens.kernelSources.');
    }
    showTable(r.map, r.summary);
  },

  'execmemLens.refreshArchMap': (parts) => () => parts.archMap.invalidate(),

  'execmemLens.showSeriesArchMap': (parts) => async (node?: unknown) => {
    const n = node as SeriesNode | undefined;
    if (n?.kind !== 'version') return;
    const v = n.version;
    const facts = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading the C in v${v.version} ${v.title}` }, () => factsOfSeries(v));
    // Both sides of a series are read against the kernel it was posted for.
    const map = buildArchMap(facts.before, facts.after, { afterEra: 'before', simulate: true });
    parts.log.info(`arch map of v${v.version} ${v.title}: ${Object.keys(map.arches).length} arches from ${facts.patches} patches`);
    showTable(map, `v${v.version} ${v.title}: '-' lines are the before side, '+' lines the after side (${facts.patches} patches)`);
  },

  'execmemLens.openArchMapSides': (parts) => async (arch?: unknown, type?: unknown) => {
    const r = await parts.archMap.get();
    const e = typeof arch === 'string' ? r.map.arches[arch]?.types[type as ExecmemType] : undefined;
    if (!e) return;
    if (e.before) await openLocation(r.beforeRoot, e.before.location, vscode.ViewColumn.One);
    if (e.after) await openLocation(r.afterRoot, e.after.location, e.before ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  },

  'execmemLens.openArchMapLocation': (parts) => async (side?: unknown, location?: unknown) => {
    const r = await parts.archMap.get();
    if (typeof location !== 'string') return;
    const root = side === 'before' ? r.beforeRoot : r.afterRoot;
    if (await openLocation(root, location, vscode.ViewColumn.Active)) return;
    if (await openLocation(side === 'before' ? r.afterRoot : r.beforeRoot, location, vscode.ViewColumn.Active)) return;
    void vscode.window.showWarningMessage(`Execmem Lens: ${location} is in neither kernel tree read (${[r.beforeRoot, r.afterRoot].filter(Boolean).join(', ') || 'none'}).`);
  },

  'execmemLens.showVersion': (parts) => () =>
    vscode.window.showInformationMessage(`Execmem Lens ${parts.version} on VS Code ${vscode.version}`),

  'execmemLens.openSettings': () => () => vscode.commands.executeCommand('workbench.action.openSettings', 'execmemLens'),

  'execmemLens.refreshSeries': (parts) => () => parts.store.reload(true),

  'execmemLens.openMbox': (parts) => (uri?: unknown) => pickAndAdd(parts.sources, parts.store, 'mbox', uri),

  'execmemLens.openPublicInbox': (parts) => (uri?: unknown) => pickAndAdd(parts.sources, parts.store, 'public-inbox', uri),

  'execmemLens.addMailSource': (parts) => (uri?: unknown) => pickAndAdd(parts.sources, parts.store, 'any', uri),

  'execmemLens.removeMailSource': (parts) => async (node?: unknown) => {
    const state = (node as SeriesNode | undefined)?.kind === 'source' ? (node as Extract<SeriesNode, { kind: 'source' }>).state : undefined;
    const target = state?.path ?? (await vscode.window.showQuickPick(parts.sources.paths(), { title: 'Remove which mail source?' }));
    if (target) await parts.sources.remove(target);
  },

  'execmemLens.openMessage': (parts) => (msgid?: unknown, copy?: unknown) => openMessage(parts.store, msgid, copy),

  'execmemLens.openThread': (parts) => (node?: unknown) =>
    openThread(parts.store, parts.threads, typeof node === 'string' ? node : messageOf(node as SeriesNode | undefined)?.msgid),

  'execmemLens.openFileDiff': (parts) => (msgid?: unknown, filePath?: unknown) => openFileDiff(parts.store, parts.comments, msgid, filePath),

  'execmemLens.compareVersions': (parts) => (node?: unknown) => compareVersionsCommand(parts.store, node),

  'execmemLens.copyMessageId': () => async (node?: unknown) => {
    const msg = messageOf(node as SeriesNode | undefined);
    if (msg) await copied(msg.msgid, 'Message-ID');
  },

  'execmemLens.copyB4Command': () => async (node?: unknown) => {
    const msg = messageOf(node as SeriesNode | undefined);
    if (!msg) return;
    if (msg.syntheticId) {
      void vscode.window.showWarningMessage('Execmem Lens: this message has no Message-ID (it came from a file), so b4 cannot fetch it.');
      return;
    }
    await copied(b4AmCommand(msg.msgid), 'b4 command');
  },
};

/** Copies and says what was copied, as the Git views do, in the status bar for a few seconds. */
async function copied(text: string, what: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  // The text comes from mail: "$(…)" in it must not turn into an icon.
  const shown = (text.length > 80 ? `${text.slice(0, 79)}…` : text).replace(/\$\(/g, '\\$(');
  vscode.window.setStatusBarMessage(`$(copy) Copied ${what}: ${shown}`, 5000);
}

/** The message a tree node stands for: a version's head, a cover, a patch, a reply, other mail. */
function messageOf(node: SeriesNode | undefined): SourcedMessage | undefined {
  switch (node?.kind) {
    case 'version':
    case 'cover':
      return node.version.cover ?? node.version.patches[0]?.message ?? node.version.extras[0]?.message;
    case 'patch':
    case 'file':
      return node.patch.message;
    case 'reply':
    case 'other':
      return node.node.msg;
    case 'otherThread':
      return node.thread.root.msg;
    case 'duplicate':
      return node.dup.message;
    default:
      return undefined;
  }
}

export function registerCommands(parts: ExtensionParts): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, factory(parts)));
}

/** For the manifest test: every id here must be contributed in package.json and back. */
export const COMMAND_IDS = Object.keys(COMMANDS);
