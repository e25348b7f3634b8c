/**
 * Activation: one Ctx builds the shared parts (src/extension/ctx.ts); here
 * every view, command and provider is registered, each Disposable owned by
 * the Ctx, which VS Code disposes on deactivation.
 */
import * as vscode from 'vscode';
import { ArchMapHover } from './archmap/hover';
import { CallSiteHover } from './callsites/lens';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { LAYOUT_VIEW_ID } from './layout/layoutViewProvider';
import { addSource } from './series/actions';
import { DIFF_SCHEME, MAIL_SCHEME, SIDE_SCHEME } from './series/documents';
import type { MailSources } from './series/sources';
import type { SeriesStore } from './series/store';
import { THREAD_SCHEME } from './series/threads';
import { SettingsCheck } from './settingsCheck';

/** Kernel C: .c files, and headers (VS Code gives .h files the cpp language unless told otherwise). */
const C_FILES: vscode.DocumentFilter[] = [{ language: 'c' }, { language: 'cpp', pattern: '**/*.h' }];
/** Patches: the explorer's .patch documents and diff files, read for their changed lines. */
const PATCH_FILES: vscode.DocumentFilter[] = [{ language: 'diff' }];

export function activate(context: vscode.ExtensionContext): void {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  registerSeries(ctx);
  registerArchMap(ctx);
  registerCallSites(ctx);
  ctx.own(new SettingsCheck(ctx.store, ctx.sources, ctx.log));
  for (const d of registerCommands(ctx)) ctx.own(d);
  ctx.log.info(`Execmem Lens ${ctx.version} activated (VS Code ${vscode.version}, arch ${ctx.state.arch})`);
}

function registerSeries(ctx: Ctx): void {
  ctx.own(ctx.store.onDidChange(() => ctx.comments.clear()));
  for (const scheme of [MAIL_SCHEME, SIDE_SCHEME, DIFF_SCHEME]) ctx.own(vscode.workspace.registerTextDocumentContentProvider(scheme, ctx.documents));
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(THREAD_SCHEME, ctx.threads));
  ctx.own(vscode.languages.registerFoldingRangeProvider({ scheme: THREAD_SCHEME }, ctx.threads));
  ctx.seriesTree.view = ctx.own(vscode.window.createTreeView('execmemLens.series', { treeDataProvider: ctx.seriesTree, showCollapseAll: true }));
  ctx.own(offerMboxes(ctx.sources, ctx.store));
  ctx.own(vscode.languages.registerCodeLensProvider(C_FILES.map((f) => ({ ...f, scheme: 'file' })), ctx.mailHistory));
  ctx.mailHistoryView.view = ctx.own(vscode.window.createTreeView('execmemLens.mailHistory', { treeDataProvider: ctx.mailHistoryView }));
}

function registerArchMap(ctx: Ctx): void {
  ctx.own(vscode.window.createTreeView('execmemLens.archMap', { treeDataProvider: ctx.archMapTree, showCollapseAll: true }));
  ctx.own(vscode.languages.registerHoverProvider(C_FILES.map((f) => ({ ...f, scheme: 'file' })), new ArchMapHover(ctx.archMap)));
}

function registerCallSites(ctx: Ctx): void {
  const archStatus = ctx.own(vscode.window.createStatusBarItem('execmemLens.arch', vscode.StatusBarAlignment.Left, 10));
  archStatus.name = 'Execmem Lens Architecture';
  archStatus.command = 'execmemLens.selectArch';
  const showArch = (): void => {
    archStatus.text = `$(chip) ${ctx.state.arch}`;
    archStatus.tooltip = `Execmem Lens: layouts and lenses are for ${ctx.state.arch}. Click to choose another architecture.`;
  };
  showArch();
  archStatus.show();
  ctx.own(ctx.state.onDidChangeArch(showArch));

  ctx.own(vscode.window.createTreeView('execmemLens.callSites', { treeDataProvider: ctx.callSiteTree, showCollapseAll: true }));
  ctx.own(vscode.languages.registerCodeLensProvider([...C_FILES, ...PATCH_FILES], ctx.callSiteLens));
  ctx.own(vscode.languages.registerHoverProvider([...C_FILES, ...PATCH_FILES], new CallSiteHover(ctx.callSites, ctx.state, ctx.archMap)));
  ctx.own(vscode.window.registerWebviewViewProvider(LAYOUT_VIEW_ID, ctx.layout));
}

/** Opening an .mbox file in the editor offers to read it as patch series. */
function offerMboxes(sources: MailSources, store: SeriesStore): vscode.Disposable {
  const offered = new Set<string>();
  const offer = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme !== 'file' || !/\.(mbox|mboxrd)$/i.test(doc.uri.fsPath)) return;
    if (offered.has(doc.uri.fsPath) || sources.paths().includes(doc.uri.fsPath)) return;
    offered.add(doc.uri.fsPath);
    void vscode.window
      .showInformationMessage(`${vscode.workspace.asRelativePath(doc.uri)} is mail. Show its patch series in Execmem Lens?`, 'Show Series')
      .then((answer) => (answer ? addSource(sources, store, doc.uri) : undefined));
  };
  vscode.workspace.textDocuments.forEach(offer);
  return vscode.workspace.onDidOpenTextDocument(offer);
}

export function deactivate(): void {
  // Everything is disposed through the Ctx in context.subscriptions.
}
