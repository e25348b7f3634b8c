/** What activation builds and the commands and views share. */
import type * as vscode from 'vscode';
import type { LensState } from './state';
import type { MailSourcesTree } from './views/mailSourcesTree';

export interface ExtensionParts {
  version: string;
  state: LensState;
  mailSources: MailSourcesTree;
  log: vscode.LogOutputChannel;
}
