/**
 * The extension's state and lifetime in one object (rust-analyzer's ctx.ts
 * is the model): activation builds one Ctx, which makes each feature's parts
 * in dependence order, owns every Disposable they and their registrations
 * return, and is itself the one thing in context.subscriptions. Commands and
 * views take the Ctx (or the slice of it they need) instead of loose parts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ArchMapStore } from './archmap/store';
import { ArchMapTree } from './archmap/tree';
import { openStep } from './callsites/moveTo';
import { CallSiteLens } from './callsites/lens';
import { SimulationSession } from './callsites/session';
import { CallSiteIndex } from './callsites/sites';
import { CallSiteTree } from './callsites/tree';
import { LayoutViewProvider } from './layout/layoutViewProvider';
import { MyReview } from './review/myReview';
import { ReviewComments } from './series/comments';
import { SeriesDocuments } from './series/documents';
import { MailSources } from './series/sources';
import { SeriesStore } from './series/store';
import { ThreadDocuments } from './series/threads';
import { SeriesTree } from './series/tree';
import { MailHistoryLens } from './series/history';
import { MailHistoryView } from './series/historyView';
import { LensState } from './state';

export class Ctx implements vscode.Disposable {
  readonly version: string;
  readonly log: vscode.LogOutputChannel;
  readonly state: LensState;

  // Patch series
  readonly sources: MailSources;
  readonly store: SeriesStore;
  readonly comments: ReviewComments;
  readonly myReview: MyReview;
  readonly documents: SeriesDocuments;
  readonly threads: ThreadDocuments;
  readonly seriesTree: SeriesTree;
  readonly mailHistory: MailHistoryLens;
  readonly mailHistoryView: MailHistoryView;

  // Arch map
  readonly archMap: ArchMapStore;
  readonly archMapTree: ArchMapTree;

  // Call sites and the Memory Layout panel
  readonly callSites: CallSiteIndex;
  readonly session: SimulationSession;
  readonly layout: LayoutViewProvider;
  readonly callSiteTree: CallSiteTree;
  readonly callSiteLens: CallSiteLens;

  private readonly owned: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.version = String((extension.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
    this.log = this.own(vscode.window.createOutputChannel('Execmem Lens', { log: true }));
    this.state = this.own(new LensState(extension.workspaceState));

    this.sources = this.own(new MailSources(extension.workspaceState));
    this.store = this.own(new SeriesStore(this.sources, this.log, path.join(extension.globalStorageUri.fsPath, 'mail-index'), this.version));
    this.comments = this.own(new ReviewComments());
    this.myReview = this.own(new MyReview(extension.workspaceState, this.store, this.log));
    this.documents = this.own(new SeriesDocuments(this.store));
    this.threads = this.own(new ThreadDocuments(this.store));
    this.seriesTree = this.own(new SeriesTree(this.store));
    this.own(this.seriesTree.showReview(this.myReview, this.myReview.onDidChange));
    this.mailHistory = this.own(new MailHistoryLens(this.store));
    this.mailHistoryView = this.own(new MailHistoryView(this.store, this.mailHistory));

    this.archMap = this.own(new ArchMapStore(this.log));
    this.archMapTree = this.own(new ArchMapTree(this.archMap));

    this.callSites = this.own(new CallSiteIndex(this.log));
    this.session = this.own(new SimulationSession(this.state));
    // The panel's step list opens a step's site.
    this.layout = this.own(new LayoutViewProvider(extension.extensionUri, this.version, this.state, this.log, this.session, (step) => openStep(this.session, step)));
    this.callSiteTree = this.own(new CallSiteTree(this.callSites));
    this.callSiteLens = this.own(new CallSiteLens(this.callSites, this.state, this.session, this.log));
  }

  /** Takes ownership of a Disposable (disposed with the Ctx, last made first) and returns it. */
  own<T extends vscode.Disposable>(d: T): T {
    this.owned.push(d);
    return d;
  }

  dispose(): void {
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        // One failing dispose must not keep the rest alive; said where a user can look.
        console.error('Execmem Lens: dispose failed:', e);
      }
    }
  }
}
