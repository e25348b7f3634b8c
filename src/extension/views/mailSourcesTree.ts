/**
 * The top level of the Patch Series view: the mail sources the workspace is
 * configured with (execmemLens.mailSources), each with what kind of mail it
 * holds. Reading the series inside them is the series explorer's work.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { classifyMailSource, type MailSourceInfo, type MailSourceKind, type PathFacts } from '../../core/mail/sourceKind';
import { CONFIG_SECTION, readConfig, resolveConfiguredPath } from '../config';

/** Codicons by kind (not ThemeIcon.Folder: with resourceUri set it defers to the file icon theme, which may draw none). */
const KIND_ICONS: Record<MailSourceKind, string> = {
  mbox: 'mail',
  'mbox-folder': 'folder-library',
  'patch-folder': 'diff',
  'public-inbox': 'repo',
  unknown: 'warning',
};

export interface MailSourceNode {
  configured: string;
  uri: vscode.Uri;
  info: MailSourceInfo;
}

async function pathFacts(uri: vscode.Uri): Promise<PathFacts> {
  const name = path.basename(uri.fsPath);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) {
      const entries = await vscode.workspace.fs.readDirectory(uri);
      return { kind: 'directory', name, children: entries.map(([n]) => n) };
    }
    return { kind: 'file', name };
  } catch {
    return { kind: 'missing', name };
  }
}

export class MailSourcesTree implements vscode.TreeDataProvider<MailSourceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${CONFIG_SECTION}.mailSources`)) this.changed.fire();
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: MailSourceNode): Promise<MailSourceNode[]> {
    if (element) return [];
    const sources = readConfig().mailSources;
    return Promise.all(
      sources.map(async (configured) => {
        const uri = resolveConfiguredPath(configured);
        return { configured, uri, info: classifyMailSource(await pathFacts(uri)) };
      }),
    );
  }

  getTreeItem(node: MailSourceNode): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(node.uri.fsPath) || node.configured, vscode.TreeItemCollapsibleState.None);
    item.description = node.info.summary;
    item.tooltip = new vscode.MarkdownString();
    item.tooltip.appendText(`${node.uri.fsPath}\n\n${node.info.summary}`);
    item.resourceUri = node.uri;
    item.contextValue = `mailSource.${node.info.kind}`;
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[node.info.kind]);
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
