/**
 * The mailing-list history of the code in front of you: above each function
 * of a C file, a lens "N series on the list" when patches in the mail read
 * touched it; the lens, or "Show Mailing-List History" from the palette (the
 * function at the cursor, else the whole file), lists those patches newest
 * first and opens the one picked in the diff editor.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { uiText } from '../../core/mail/display';
import { functionAt, functionDefs } from '../../core/search/functions';
import { historyOf, narrowToFunction, type HistoryHit, type TouchCache } from '../../core/search/history';
import { kernelRoots } from '../config';
import type { SeriesStore } from './store';
import { versionLabel } from './tree';

/** The document's path inside the kernel tree it belongs to (a workspace folder or a configured source), and whether one was found. */
function treePath(uri: vscode.Uri): { file: string; exact: boolean } {
  const inside = kernelRoots()
    .map((r) => path.relative(r.path, uri.fsPath))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    .sort((a, b) => a.length - b.length)[0];
  return { file: (inside ?? vscode.workspace.asRelativePath(uri, false)).split(path.sep).join('/'), exact: inside !== undefined };
}

/** A history hit as its lines say it: "v1 04/13 mm/jitalloc, arch: convert…". */
export function hitLabel(h: HistoryHit): string {
  return uiText(`${versionLabel(h.version)} ${String(h.patch.index).padStart(2, '0')}/${h.version.total} ${h.patch.subject.title}`);
}

/** The trailers of a hit's patch that say it was reviewed, acked or tested. */
export function reviewsOf(h: HistoryHit): number {
  return h.patch.trailers.filter((t) => /^(Reviewed|Acked|Tested)-by$/i.test(t.name)).length;
}

/** The patch's own path of the file a hit is about (the hit may name it by its name before a rename). */
export function hitPath(h: HistoryHit): string {
  return h.patch.files.find((f) => f.path === h.path || f.oldPath === h.path)?.path ?? h.path;
}

function distinctVersions(hits: readonly HistoryHit[]): number {
  return new Set(hits.map((h) => h.version.id)).size;
}

export class MailHistoryLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly cache: TouchCache = new WeakMap();
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: SeriesStore) {
    this.sub = store.onDidChange(() => this.changed.fire());
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  history(uri: vscode.Uri, fn?: string): HistoryHit[] {
    if (!this.store.current) return [];
    const { file, exact } = treePath(uri);
    return historyOf(this.store.versionsTouching(file, exact), file, fn, this.cache, exact);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    // The mail the Patch Series view has read; a lens never starts reading an archive by itself.
    if (!this.store.current || doc.uri.scheme !== 'file') return [];
    // The file's history once; each function's is a part of it.
    const fileHits = this.history(doc.uri);
    if (fileHits.length === 0) return [];
    const out: vscode.CodeLens[] = [];
    for (const def of functionDefs(doc.getText())) {
      const hits = narrowToFunction(fileHits, def.name, this.cache);
      if (hits.length === 0) continue;
      const n = distinctVersions(hits);
      out.push(
        new vscode.CodeLens(new vscode.Range(def.line, 0, def.line, 0), {
          title: `$(history) ${n} series version${n === 1 ? '' : 's'} on the list`,
          tooltip: `Patches in the mail read that touched ${def.name}(): ${hits.length}`,
          command: 'execmemLens.showMailHistory',
          arguments: [doc.uri.toString(), def.name],
        }),
      );
    }
    return out;
  }
}

export async function showMailHistory(store: SeriesStore, lens: MailHistoryLens, uriArg?: unknown, fnArg?: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg, true) : editor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Execmem Lens: open a C file of a kernel tree to see its history on the list.');
    return;
  }
  await store.ensure();
  let fn = typeof fnArg === 'string' ? fnArg : undefined;
  if (fn === undefined && editor && editor.document.uri.toString() === uri.toString()) {
    fn = functionAt(functionDefs(editor.document.getText()), editor.selection.active.line)?.name;
  }
  let hits = lens.history(uri, fn);
  const { file } = treePath(uri);
  let what = fn ? `${fn}() in ${file}` : file;
  if (hits.length === 0 && fn) {
    hits = lens.history(uri);
    what = `${file} (nothing touched ${fn}())`;
  }
  if (hits.length === 0) {
    void vscode.window.showInformationMessage(`Execmem Lens: no patch in the mail read touched ${file}.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    hits.map((h) => ({
      label: hitLabel(h),
      description: `${uiText(h.patch.message.from.name || h.patch.message.from.address)} · ${(h.patch.message.date ?? 'date unknown').slice(0, 10)}`,
      detail: `${uiText(h.version.title)} · ${reviewsOf(h)} Reviewed/Acked/Tested`,
      hit: h,
    })),
    { title: `On the list: ${uiText(what)}: ${hits.length} patch${hits.length === 1 ? '' : 'es'} in ${distinctVersions(hits)} series versions, newest first`, matchOnDescription: true, matchOnDetail: true },
  );
  if (picked) {
    // At the function when the history was a function's (and not the whole file's, after nothing touched it).
    const at = fn && what.startsWith(`${fn}()`) ? fn : undefined;
    await vscode.commands.executeCommand('execmemLens.openFileDiff', picked.hit.patch.message.msgid, hitPath(picked.hit), at);
  }
}
