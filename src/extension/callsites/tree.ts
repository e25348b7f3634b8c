/**
 * The Call Sites view: every executable-memory call site of the workspace,
 * grouped by subsystem (modules, kprobes, ftrace, BPF, arch-specific), each
 * marked converted (execmem) or not (module_alloc era); a click opens it.
 */
import * as vscode from 'vscode';
import { SUBSYSTEMS, type Subsystem } from '../../core/callsites/detect';
import { readConfig } from '../config';
import type { CallSiteIndex, WorkspaceSite } from './sites';

export type CallSiteNode = { kind: 'group'; subsystem: Subsystem; sites: WorkspaceSite[] } | { kind: 'site'; entry: WorkspaceSite } | { kind: 'partial'; found: number };

const GROUP_LABEL: Record<Subsystem, string> = {
  modules: 'Modules',
  kprobes: 'kprobes',
  ftrace: 'ftrace',
  bpf: 'BPF',
  arch: 'Arch-specific',
};

export class CallSiteTree implements vscode.TreeDataProvider<CallSiteNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CallSiteNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly index: CallSiteIndex) {
    this.sub = index.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  async getChildren(node?: CallSiteNode): Promise<CallSiteNode[]> {
    if (!node) {
      if (!vscode.workspace.workspaceFolders?.length && readConfig().kernelSources.length === 0) return [];
      const sites = this.index.workspaceSites ?? (await this.index.scan());
      const groups: CallSiteNode[] = SUBSYSTEMS.map((subsystem) => ({ kind: 'group' as const, subsystem, sites: sites.filter((s) => s.site.subsystem === subsystem) })).filter((g) => g.sites.length > 0);
      return this.index.partial ? [{ kind: 'partial', found: sites.length }, ...groups] : groups;
    }
    return node.kind === 'group' ? node.sites.map((entry) => ({ kind: 'site' as const, entry })) : [];
  }

  getTreeItem(node: CallSiteNode): vscode.TreeItem {
    if (node.kind === 'partial') {
      const item = new vscode.TreeItem(`Scan cancelled: ${node.found} sites found so far. Scan again`, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('warning');
      item.command = { command: 'execmemLens.scanCallSites', title: 'Scan Workspace for Call Sites' };
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(GROUP_LABEL[node.subsystem], vscode.TreeItemCollapsibleState.Collapsed);
      const converted = node.sites.filter((s) => s.site.converted === true).length;
      const old = node.sites.filter((s) => s.site.converted === false).length;
      item.description = `${node.sites.length} sites · ${converted} execmem · ${old} module_alloc era`;
      item.id = `group:${node.subsystem}`;
      return item;
    }
    const { site, uri } = node.entry;
    const item = new vscode.TreeItem(`${site.callee}(${site.size ?? ''})`, vscode.TreeItemCollapsibleState.None);
    item.description = `${node.entry.tree ? `${node.entry.tree} · ` : ''}${site.path}:${site.line}${site.caller ? ` · ${site.caller}()` : ''}`;
    const state = site.converted === true ? 'converted (execmem)' : site.converted === false ? 'not converted (module_alloc era)' : 'wrapper';
    item.tooltip = `${site.text}\n${site.kind}${site.type ? ` · ${site.type}` : ''} · ${state}`;
    item.iconPath =
      site.converted === true
        ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
        : site.converted === false
          ? new vscode.ThemeIcon('history', new vscode.ThemeColor('editorWarning.foreground'))
          : new vscode.ThemeIcon('symbol-function');
    item.contextValue = `callSite.${site.converted === true ? 'converted' : site.converted === false ? 'old' : 'wrapper'}`;
    item.resourceUri = uri;
    item.id = `site:${uri.toString()}:${site.line}:${site.column}`;
    const pos = new vscode.Position(site.line - 1, site.column);
    item.command = { command: 'vscode.open', title: 'Open Call Site', arguments: [uri, { selection: new vscode.Range(pos, pos) }] };
    return item;
  }
}
