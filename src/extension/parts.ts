/** What activation builds and the commands and views share. */
import type * as vscode from 'vscode';
import type { ReviewComments } from './series/comments';
import type { MailSources } from './series/sources';
import type { SeriesStore } from './series/store';
import type { ThreadDocuments } from './series/threads';
import type { LensState } from './state';
import type { ArchMapStore } from './archmap/store';
import type { ArchMapTree } from './archmap/tree';
import type { CallSiteParts } from './callsites/commands';
import type { SimulationSession } from './callsites/session';
import type { CallSiteIndex } from './callsites/sites';
import type { LayoutViewProvider } from './layout/layoutViewProvider';

export interface ExtensionParts {
  version: string;
  state: LensState;
  log: vscode.LogOutputChannel;
  sources: MailSources;
  store: SeriesStore;
  comments: ReviewComments;
  threads: ThreadDocuments;
  archMap: ArchMapStore;
  archMapTree: ArchMapTree;
  callSites: CallSiteIndex;
  session: SimulationSession;
  layout: LayoutViewProvider;
  siteParts: CallSiteParts;
}
