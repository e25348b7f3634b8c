/**
 * The Arch Map view: arches (icon by verdict) → execmem types → fields,
 * each field showing before → after; selecting a field opens both source
 * locations side by side. Findings hang under their arch.
 */
import * as vscode from 'vscode';
import type { ArchEntry, ExecmemType, Finding, Side, TypeEntry, Verdict } from '../../core/archmap/types';
import type { ArchMapResult, ArchMapStore } from './store';

export type ArchMapNode =
  | { kind: 'arch'; arch: string; entry: ArchEntry; findings: Finding[] }
  | { kind: 'type'; arch: string; type: ExecmemType; entry: TypeEntry }
  | { kind: 'field'; arch: string; type: ExecmemType; field: string; before: string; after: string; changed: boolean; entry: TypeEntry }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'message'; text: string; error?: boolean };

const FIELDS: (keyof Side)[] = ['origin', 'start', 'end', 'fallback_start', 'fallback_end', 'pgprot', 'alignment', 'kasan_shadow', 'vm_flags', 'conditions', 'location'];

const show = (v: Side[keyof Side] | undefined): string =>
  v === undefined ? '—' : v === null ? 'unset' : Array.isArray(v) ? (v.length ? v.join(' | ') : 'none') : String(v);

function verdictIcon(v: Verdict, errors: number): vscode.ThemeIcon {
  if (errors > 0) return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  if (v === 'same') return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (v === 'changed') return new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'));
  return new vscode.ThemeIcon('question');
}

/** An arch's verdict: unknown if any type is, else changed if any is, else same. */
function archVerdict(entry: ArchEntry): Verdict {
  const vs = Object.values(entry.types).map((t) => t!.verdict);
  return vs.includes('unknown') ? 'unknown' : vs.includes('changed') ? 'changed' : 'same';
}

export class ArchMapTree implements vscode.TreeDataProvider<ArchMapNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ArchMapNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  private result: ArchMapResult | undefined;

  constructor(private readonly store: ArchMapStore) {
    this.sub = store.onDidChange(() => this.changed.fire(undefined));
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  get last(): ArchMapResult | undefined {
    return this.result;
  }

  async getChildren(node?: ArchMapNode): Promise<ArchMapNode[]> {
    if (!node) {
      try {
        this.result = await this.store.get();
      } catch (e) {
        return [{ kind: 'message', text: `Could not read the kernel C: ${e instanceof Error ? e.message : String(e)}`, error: true }];
      }
      const { map, problems } = this.result;
      return [
        ...problems.map((p): ArchMapNode => ({ kind: 'message', text: p, error: true })),
        ...Object.entries(map.arches).map(([arch, entry]): ArchMapNode => ({ kind: 'arch', arch, entry, findings: map.findings.filter((f) => f.arch === arch) })),
      ];
    }
    if (node.kind === 'arch') {
      return [
        ...Object.entries(node.entry.types).map(([type, entry]) => ({ kind: 'type' as const, arch: node.arch, type: type as ExecmemType, entry: entry! })),
        ...node.findings.map((finding) => ({ kind: 'finding' as const, finding })),
      ];
    }
    if (node.kind === 'type') {
      const { before, after, changed } = node.entry;
      return FIELDS.map((field) => ({
        kind: 'field' as const,
        arch: node.arch,
        type: node.type,
        field,
        before: show(before?.[field]),
        after: show(after?.[field]),
        changed: (changed as string[]).includes(field),
        entry: node.entry,
      }));
    }
    return [];
  }

  getTreeItem(node: ArchMapNode): vscode.TreeItem {
    switch (node.kind) {
      case 'arch': {
        const errors = node.findings.filter((f) => f.severity === 'error').length;
        const item = new vscode.TreeItem(node.arch, vscode.TreeItemCollapsibleState.Collapsed);
        const verdict = archVerdict(node.entry);
        item.description = `${verdict}${node.findings.length ? ` · ${node.findings.length} finding${node.findings.length > 1 ? 's' : ''}` : ''}`;
        item.iconPath = verdictIcon(verdict, errors);
        item.contextValue = 'arch';
        item.id = `arch:${node.arch}`;
        return item;
      }
      case 'type': {
        const item = new vscode.TreeItem(node.type, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.entry.verdict === 'changed' ? `changed: ${node.entry.changed.join(', ')}` : node.entry.verdict;
        item.iconPath = verdictIcon(node.entry.verdict, 0);
        const sim = node.entry.simulation;
        item.tooltip = `${node.entry.before ? `before: ${node.entry.before.origin} at ${node.entry.before.location}` : 'no before side'}\n${node.entry.after ? `after: ${node.entry.after.origin} at ${node.entry.after.location}` : 'no after side'}${sim ? `\nsimulated, ${sim.workload}: ${sim.summary}` : ''}`;
        item.id = `type:${node.arch}:${node.type}`;
        return item;
      }
      case 'field': {
        const item = new vscode.TreeItem(node.field, vscode.TreeItemCollapsibleState.None);
        item.description = node.before === node.after ? node.after : `${node.before} → ${node.after}`;
        item.tooltip = `${node.field}\nbefore: ${node.before}\nafter: ${node.after}`;
        item.iconPath = new vscode.ThemeIcon(node.changed ? 'diff-modified' : 'circle-small');
        item.command = { command: 'execmemLens.openArchMapSides', title: 'Open Both Sides', arguments: [node.arch, node.type] };
        item.id = `field:${node.arch}:${node.type}:${node.field}`;
        return item;
      }
      case 'finding': {
        const item = new vscode.TreeItem(node.finding.message, vscode.TreeItemCollapsibleState.None);
        item.description = node.finding.location;
        item.tooltip = `${node.finding.severity}: ${node.finding.message}\n${node.finding.location}`;
        item.iconPath = new vscode.ThemeIcon(node.finding.severity === 'error' ? 'error' : node.finding.severity === 'warning' ? 'warning' : 'info');
        item.command = { command: 'execmemLens.openArchMapLocation', title: 'Open', arguments: ['after', node.finding.location] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        if (node.error) {
          item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
          item.tooltip = node.text;
        }
        return item;
      }
    }
  }
}
