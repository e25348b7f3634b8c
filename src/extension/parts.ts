/** What activation builds and the commands and views share. */
import type * as vscode from 'vscode';
import type { ReviewComments } from './series/comments';
import type { MailSources } from './series/sources';
import type { SeriesStore } from './series/store';
import type { LensState } from './state';
import type { ArchMapStore } from './archmap/store';
import type { ArchMapTree } from './archmap/tree';

export interface ExtensionParts {
  version: string;
  state: LensState;
  log: vscode.LogOutputChannel;
  sources: MailSources;
  store: SeriesStore;
  comments: ReviewComments;
  archMap: ArchMapStore;
  archMapTree: ArchMapTree;
}
