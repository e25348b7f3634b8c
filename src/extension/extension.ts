/**
 * Activation: build the shared parts once, register every view, command and
 * provider, and hand each Disposable to VS Code so deactivation cleans up.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { addSource } from './series/actions';
import { LAYOUT_VIEW_ID, LayoutViewProvider } from './layout/layoutViewProvider';
import type { ExtensionParts } from './parts';
import { LensState } from './state';
import { ArchMapHover } from './archmap/hover';
import { ArchMapStore } from './archmap/store';
import { ArchMapTree } from './archmap/tree';
import { nextCallSite, openStep, previousCallSite, simulateSite, type CallSiteParts } from './callsites/commands';
import { CallSiteHover, CallSiteLens } from './callsites/lens';
import { SimulationSession } from './callsites/session';
import { CallSiteIndex } from './callsites/sites';
import { CallSiteTree } from './callsites/tree';
import { ReviewComments } from './series/comments';
import { DIFF_SCHEME, MAIL_SCHEME, SeriesDocuments, SIDE_SCHEME } from './series/documents';
import { MailSources } from './series/sources';
import { SeriesStore } from './series/store';
import { THREAD_SCHEME, ThreadDocuments } from './series/threads';
import { SeriesTree } from './series/tree';
import { SettingsCheck } from './settingsCheck';

/** Kernel C: .c files, and headers (VS Code gives .h files the cpp language unless told otherwise). */
const C_FILES: vscode.DocumentFilter[] = [{ language: 'c' }, { language: 'cpp', pattern: '**/*.h' }];
/** Patches: the explorer's .patch documents and diff files, read for their changed lines. */
const PATCH_FILES: vscode.DocumentFilter[] = [{ language: 'diff' }];

export function activate(context: vscode.ExtensionContext): void {
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const log = vscode.window.createOutputChannel('Execmem Lens', { log: true });
  const state = new LensState(context.workspaceState);
  const sources = new MailSources(context.workspaceState);
  const store = new SeriesStore(sources, log);
  const comments = new ReviewComments();
  const documents = new SeriesDocuments(store);
  const threads = new ThreadDocuments(store);
  const seriesTree = new SeriesTree(store);
  const archMap = new ArchMapStore(log);
  const archMapTree = new ArchMapTree(archMap);
  const callSites = new CallSiteIndex(log);
  const session = new SimulationSession(state);
  const siteParts = {} as CallSiteParts;
  const layout = new LayoutViewProvider(context.extensionUri, version, state, log, session, (step) => openStep(siteParts, step));
  Object.assign(siteParts, { index: callSites, session, layout, store });
  const callSiteTree = new CallSiteTree(callSites);
  const callSiteLens = new CallSiteLens(callSites, state, session);
  const parts: ExtensionParts = { version, state, log, sources, store, comments, threads, archMap, archMapTree, callSites, session, layout, siteParts };

  const archStatus = vscode.window.createStatusBarItem('execmemLens.arch', vscode.StatusBarAlignment.Left, 10);
  archStatus.name = 'Execmem Lens Architecture';
  archStatus.command = 'execmemLens.selectArch';
  const showArch = (): void => {
    archStatus.text = `$(chip) ${state.arch}`;
    archStatus.tooltip = `Execmem Lens: layouts and lenses are for ${state.arch}. Click to choose another architecture.`;
  };
  showArch();
  archStatus.show();

  context.subscriptions.push(
    log,
    state,
    sources,
    store,
    comments,
    documents,
    seriesTree,
    store.onDidChange(() => comments.clear()),
    ...[MAIL_SCHEME, SIDE_SCHEME, DIFF_SCHEME].map((scheme) => vscode.workspace.registerTextDocumentContentProvider(scheme, documents)),
    threads,
    vscode.workspace.registerTextDocumentContentProvider(THREAD_SCHEME, threads),
    vscode.languages.registerFoldingRangeProvider({ scheme: THREAD_SCHEME }, threads),
    vscode.window.createTreeView('execmemLens.series', { treeDataProvider: seriesTree, showCollapseAll: true }),
    offerMboxes(sources, store),
    archStatus,
    state.onDidChangeArch(showArch),
    archMap,
    archMapTree,
    vscode.window.createTreeView('execmemLens.archMap', { treeDataProvider: archMapTree, showCollapseAll: true }),
    vscode.languages.registerHoverProvider(C_FILES.map((f) => ({ ...f, scheme: 'file' })), new ArchMapHover(archMap)),
    callSites,
    session,
    callSiteTree,
    vscode.window.createTreeView('execmemLens.callSites', { treeDataProvider: callSiteTree, showCollapseAll: true }),
    callSiteLens,
    vscode.languages.registerCodeLensProvider([...C_FILES, ...PATCH_FILES], callSiteLens),
    vscode.languages.registerHoverProvider([...C_FILES, ...PATCH_FILES], new CallSiteHover(callSites, state, archMap)),
    layout,
    vscode.window.registerWebviewViewProvider(LAYOUT_VIEW_ID, layout),
    new SettingsCheck(store, sources, log),
    ...registerCommands(parts),
  );
  log.info(`Execmem Lens ${version} activated (VS Code ${vscode.version}, arch ${state.arch})`);
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
  // Everything is disposed through context.subscriptions.
}
