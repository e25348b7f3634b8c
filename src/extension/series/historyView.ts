/**
 * The Mailing-List History view: for the C file in the active editor, and
 * the function under the cursor, the patches in the mail read that touched
 * it, newest first — version, author, date, the trailers given, and, when
 * the file is in a git work tree, whether a commit of the same subject is in
 * its history (applied). Picking one opens the patch's change to the file.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { uiText } from '../../core/mail/display';
import { functionAt, functionDefs } from '../../core/search/functions';
import type { HistoryHit } from '../../core/search/history';
import { appliedIn, committedSubjects } from '../../node/git/applied';
import { hitLabel, hitPath, type MailHistoryLens, reviewsOf } from './history';
import type { SeriesStore } from './store';
import { versionLabel } from './tree';

type Node = { kind: 'hit'; hit: HistoryHit; applied: boolean | undefined; fn: string | undefined } | { kind: 'note'; text: string };

export class MailHistoryView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private nodes: Node[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly applied = new Map<string, Promise<Set<string> | null>>();
  private viewSub: vscode.Disposable | undefined;
  private shown: vscode.TreeView<Node> | undefined;

  get view(): vscode.TreeView<Node> | undefined {
    return this.shown;
  }

  /** The view this provider feeds: its history is worked out when it becomes visible. */
  set view(v: vscode.TreeView<Node> | undefined) {
    this.viewSub?.dispose();
    this.shown = v;
    this.viewSub = v?.onDidChangeVisibility((e) => {
      if (e.visible) this.schedule();
    });
  }

  constructor(
    private readonly store: SeriesStore,
    private readonly lens: MailHistoryLens,
  ) {
    const later = () => this.schedule();
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(later),
      vscode.window.onDidChangeTextEditorSelection(later),
      store.onDidChange(() => {
        this.applied.clear();
        later();
      }),
    );
    later();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  }

  private async refresh(): Promise<void> {
    // Nothing to work out while nobody looks: the view is hidden until the user shows it.
    if (!this.view?.visible) return;
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    if (!doc || doc.uri.scheme !== 'file' || !/\.[ch]$/.test(doc.uri.fsPath)) {
      this.show([{ kind: 'note', text: 'Open a C file of a kernel tree: the patches on the list that touched it are listed here.' }], undefined);
      return;
    }
    if (!this.store.current) {
      if (this.store.preview) {
        // The tree shows the kept summary; the messages themselves are being read (or are now, for this view).
        this.show([{ kind: 'note', text: 'Reading the mail…' }], undefined);
        void this.store.ensure();
        return;
      }
      this.show([{ kind: 'note', text: 'No mail read yet: add a mail source in the Patch Series view.' }], undefined);
      return;
    }
    const fn = functionAt(functionDefs(doc.getText()), editor.selection.active.line)?.name;
    let hits = fn ? this.lens.history(doc.uri, fn) : [];
    let what = fn ? `${fn}()` : path.basename(doc.uri.fsPath);
    let at = hits.length > 0 ? fn : undefined;
    if (hits.length === 0) {
      hits = this.lens.history(doc.uri);
      what = path.basename(doc.uri.fsPath);
      at = undefined;
    }
    if (hits.length === 0) {
      this.show([{ kind: 'note', text: `No patch in the mail read touched ${path.basename(doc.uri.fsPath)}.` }], undefined);
      return;
    }
    let subjects = this.applied.get(doc.uri.fsPath);
    if (!subjects) this.applied.set(doc.uri.fsPath, (subjects = committedSubjects(doc.uri.fsPath)));
    const committed = await subjects;
    const nodes: Node[] = hits.map((hit) => ({ kind: 'hit', hit, applied: appliedIn(committed, hit.patch.subject.title), fn: at }));
    const versions = new Set(hits.map((h) => h.version.id)).size;
    this.show(nodes, `${what}: ${hits.length} patch${hits.length === 1 ? '' : 'es'} in ${versions} series version${versions === 1 ? '' : 's'}, newest first${committed ? '' : ' (not tracked by git: applied or not is not known)'}`);
  }

  private show(nodes: Node[], description: string | undefined): void {
    this.nodes = nodes;
    if (this.view) this.view.description = description ? uiText(description) : undefined;
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    return node ? [] : this.nodes;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'note') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    const { hit, applied } = node;
    const p = hit.patch;
    const item = new vscode.TreeItem(hitLabel(hit));
    const reviews = reviewsOf(hit);
    item.description = uiText(
      [p.message.from.name || p.message.from.address, (p.message.date ?? 'date unknown').slice(0, 10), reviews ? `${reviews} R/A/T` : '', applied === true ? 'applied' : applied === false ? 'not applied' : '']
        .filter(Boolean)
        .join(' · '),
    );
    // Mail text as text: appendText escapes it, so nothing from the mail is rendered as Markdown or HTML.
    const lines = [p.message.subject, `${p.message.from.name} <${p.message.from.address}>, ${p.message.date ?? 'date unknown'}`, `${hit.version.title} (${versionLabel(hit.version)})`];
    if (p.trailers.length) lines.push('', ...p.trailers.map((t) => `${t.name}: ${t.value}`));
    if (applied !== undefined) lines.push('', applied ? "A commit of this subject is in the file's git history." : "No commit of this subject in the file's git history.");
    item.tooltip = new vscode.MarkdownString().appendText(lines.join('\n'));
    item.iconPath = new vscode.ThemeIcon(applied ? 'pass-filled' : 'git-commit');
    item.command = {
      command: 'execmemLens.openFileDiff',
      title: 'Open the Change',
      arguments: [p.message.msgid, hitPath(hit), node.fn],
    };
    return item;
  }

  dispose(): void {
    this.viewSub?.dispose();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
