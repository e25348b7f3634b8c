/**
 * The Patch Series view: source → series family → version → cover letter and
 * patches → files, in the shape reviewers know from b4 and patchwork.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { classifyMailSource, type MailSourceKind } from '../../core/mail/sourceKind';
import type { PatchFile } from '../../core/patch/patch';
import type { PatchEntry, SeriesFamily, SeriesVersion } from '../../core/series/model';
import type { SeriesStore, SourceState } from './store';

export type SeriesNode =
  | { kind: 'source'; state: SourceState }
  | { kind: 'family'; family: SeriesFamily }
  | { kind: 'version'; version: SeriesVersion }
  | { kind: 'cover'; version: SeriesVersion }
  | { kind: 'patch'; version: SeriesVersion; patch: PatchEntry }
  | { kind: 'file'; version: SeriesVersion; patch: PatchEntry; file: PatchFile; index: number };

const KIND_ICONS: Record<MailSourceKind, string> = {
  mbox: 'mail',
  'mbox-folder': 'folder-library',
  'patch-folder': 'diff',
  'public-inbox': 'repo',
  unknown: 'warning',
};

export function versionLabel(v: SeriesVersion): string {
  return `${v.rfc ? 'RFC ' : ''}${v.resend ? 'RESEND ' : ''}v${v.version}${v.versionInferred ? ' (inferred)' : ''}`;
}

function pad(n: number, total: number): string {
  return String(n).padStart(String(total).length, '0');
}

function trailerCounts(p: PatchEntry): string {
  const counts = new Map<string, number>();
  for (const t of p.trailers) {
    if (t.from !== 'followup') continue;
    const short = t.name.replace(/^(\w)\w*-(\w)\w*$/, '$1-$2').replace(/^(\w)\w*-(\w)\w*-(\w)\w*$/, '$1-$2-$3');
    counts.set(short, (counts.get(short) ?? 0) + 1);
  }
  return [...counts].map(([n, c]) => `${n} ×${c}`).join(' ');
}

function reviewCount(v: SeriesVersion): number {
  const seen = new Set<string>();
  for (const p of v.patches) for (const t of p.trailers) if (t.from === 'followup' && /^(Reviewed|Acked)-by$/.test(t.name)) seen.add(`${p.index}\u0000${t.value}`);
  return seen.size;
}

function plain(text: string): vscode.MarkdownString {
  return new vscode.MarkdownString().appendText(text);
}

export class SeriesTree implements vscode.TreeDataProvider<SeriesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SeriesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly parents = new WeakMap<object, SeriesNode>();

  constructor(private readonly store: SeriesStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: SeriesNode): Promise<SeriesNode[]> {
    if (!node) {
      if (!this.store.current) await this.store.ensure();
      return this.store.sourceStates.map((state) => ({ kind: 'source', state }));
    }
    const children = this.children(node);
    for (const c of children) this.parents.set(c, node);
    return children;
  }

  private children(node: SeriesNode): SeriesNode[] {
    switch (node.kind) {
      case 'source':
        return this.store.familiesOf(node.state.path).map((family) => ({ kind: 'family', family }));
      case 'family':
        return [...node.family.versions].reverse().map((version) => ({ kind: 'version', version }));
      case 'version': {
        const list: SeriesNode[] = node.version.cover ? [{ kind: 'cover', version: node.version }] : [];
        for (const patch of [...node.version.patches, ...node.version.extras]) list.push({ kind: 'patch', version: node.version, patch });
        return list;
      }
      case 'patch':
        return node.patch.files.map((file, index) => ({ kind: 'file', version: node.version, patch: node.patch, file, index }));
      default:
        return [];
    }
  }

  getParent(node: SeriesNode): SeriesNode | undefined {
    return this.parents.get(node);
  }

  getTreeItem(node: SeriesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'source':
        return this.sourceItem(node.state);
      case 'family': {
        const f = node.family;
        const newest = f.versions[f.versions.length - 1]!;
        const item = new vscode.TreeItem(f.title, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${f.versions.length} version${f.versions.length === 1 ? '' : 's'} · latest ${versionLabel(newest)}`;
        item.tooltip = plain(`${f.title}\n\nVersions: ${f.versions.map(versionLabel).join(', ')}\nFirst posted as: ${f.id}`);
        item.iconPath = new vscode.ThemeIcon('versions');
        item.contextValue = 'seriesFamily';
        item.id = `family:${f.id}`;
        return item;
      }
      case 'version':
        return this.versionItem(node.version);
      case 'cover': {
        const v = node.version;
        const item = new vscode.TreeItem(`${pad(0, v.total)}/${v.total} cover letter`, vscode.TreeItemCollapsibleState.None);
        item.description = `${v.coverReplies.length} repl${v.coverReplies.length === 1 ? 'y' : 'ies'}`;
        item.tooltip = plain(v.cover!.subject);
        item.iconPath = new vscode.ThemeIcon('mail');
        item.command = { command: 'execmemLens.openMessage', title: 'Open Cover Letter', arguments: [v.cover!.msgid] };
        item.contextValue = 'seriesMessage';
        item.id = `cover:${v.id}`;
        return item;
      }
      case 'patch': {
        const { version: v, patch: p } = node;
        const item = new vscode.TreeItem(`${pad(p.index, v.total)}/${v.total} ${p.subject.title}`, vscode.TreeItemCollapsibleState.Collapsed);
        const trailers = trailerCounts(p);
        item.description = [`${p.replies.length} repl${p.replies.length === 1 ? 'y' : 'ies'}`, trailers, `+${p.stat.additions} −${p.stat.deletions}`].filter(Boolean).join(' · ');
        const lines = [p.message.subject, `${p.message.from.name} <${p.message.from.address}>, ${p.message.date ?? 'date unknown'}`, ''];
        const own = p.trailers.filter((t) => t.from === 'patch');
        const given = p.trailers.filter((t) => t.from === 'followup');
        if (own.length) lines.push('Carried by the patch:', ...own.map((t) => `  ${t.name}: ${t.value}`));
        if (given.length) lines.push('Given in replies:', ...given.map((t) => `  ${t.name}: ${t.value}`));
        item.tooltip = plain(lines.join('\n'));
        item.iconPath = new vscode.ThemeIcon(p.index > v.total ? 'diff-added' : 'git-commit');
        item.command = { command: 'execmemLens.openMessage', title: 'Open Patch', arguments: [p.message.msgid] };
        item.contextValue = 'seriesMessage';
        item.id = `patch:${p.message.msgid}`;
        return item;
      }
      case 'file': {
        const f = node.file;
        const item = new vscode.TreeItem(f.path, vscode.TreeItemCollapsibleState.None);
        item.description = `+${f.additions} −${f.deletions}${f.status === 'modified' ? '' : ` · ${f.status}`}`;
        item.resourceUri = vscode.Uri.file(`/${f.path}`);
        item.tooltip = plain(`${f.path}\n${f.status}, ${f.additions} insertions, ${f.deletions} deletions\nClick to see the change in a diff editor.`);
        item.command = { command: 'execmemLens.openFileDiff', title: 'Open Diff', arguments: [node.patch.message.msgid, f.path] };
        item.contextValue = 'seriesFile';
        // The same path can come twice (a patch inline and attached): the position keeps ids unique.
        item.id = `file:${node.patch.message.msgid}:${node.index}:${f.path}`;
        return item;
      }
    }
  }

  private sourceItem(state: SourceState): vscode.TreeItem {
    const name = path.basename(state.path) || state.path;
    const families = this.store.familiesOf(state.path).length;
    const item = new vscode.TreeItem(name, families ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    if (state.error) {
      item.description = /no such file/.test(state.error) ? 'not found' : 'unreadable';
      item.tooltip = plain(`${state.path}\n\n${state.error}`);
      item.iconPath = new vscode.ThemeIcon('warning');
    } else {
      const kind = /\.(mbox|mboxrd|mbx)$/i.test(name) ? classifyMailSource({ kind: 'file', name }) : null;
      item.description = `${kind?.summary ?? 'mail'} · ${state.messages} messages · ${families} series${state.unreadable ? ` · ${state.unreadable} unreadable` : ''}`;
      item.tooltip = plain(`${state.path}\n\n${state.messages} messages, ${families} series families${state.unreadable ? `, ${state.unreadable} messages could not be read (see the Execmem Lens output)` : ''}`);
      item.iconPath = new vscode.ThemeIcon(KIND_ICONS[kind?.kind ?? 'mbox-folder']);
    }
    item.resourceUri = undefined;
    item.contextValue = 'mailSource';
    item.id = `source:${state.path}`;
    return item;
  }

  private versionItem(v: SeriesVersion): vscode.TreeItem {
    const item = new vscode.TreeItem(`${versionLabel(v)}: ${v.title}`, vscode.TreeItemCollapsibleState.Collapsed);
    const reviews = reviewCount(v);
    const parts = [
      `${v.patches.length}/${v.total}`,
      v.author.name || v.author.address,
      (v.date ?? '').slice(0, 10),
      v.missing.length ? `missing ${v.missing.join(',')}` : '',
      reviews ? `R/A ${reviews}` : '',
      v.superseded ? 'superseded' : '',
    ];
    item.description = parts.filter(Boolean).join(' · ');
    const lines = [
      `${versionLabel(v)}: ${v.title}`,
      `${v.author.name} <${v.author.address}>, ${v.date ?? 'date unknown'}`,
      `${v.patches.length} of ${v.total} patches${v.cover ? ' and a cover letter' : ', no cover letter'}; ${v.stat.files} files, +${v.stat.additions} −${v.stat.deletions}`,
    ];
    if (v.missing.length) lines.push(`Missing: ${v.missing.join(', ')}`);
    if (v.extras.length) lines.push(`Extra patches: ${v.extras.map((p) => p.index).join(', ')}`);
    if (v.resendOf) lines.push(`A resend: the same patches were sent before (${v.resendOf}).`);
    for (const f of v.findings) lines.push(`Note: ${f}`);
    if (!v.threaded) lines.push('Not threaded as one sending.');
    if (v.superseded) lines.push(`Superseded: the same version was sent again (${v.supersededBy}).`);
    if (v.baseCommit) lines.push(`base-commit: ${v.baseCommit}`);
    if (v.changeId) lines.push(`change-id: ${v.changeId}`);
    lines.push(`Replies: ${v.replyCount}; Reviewed-by/Acked-by given: ${reviews}`);
    item.tooltip = plain(lines.join('\n'));
    item.iconPath = new vscode.ThemeIcon(v.superseded ? 'circle-slash' : v.missing.length ? 'warning' : 'git-pull-request');
    item.contextValue = 'seriesVersion';
    item.id = `version:${v.id}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
