/**
 * A whole discussion as one read-only document:
 *   execmem-thread:/<root msgid>/Thread <name>.txt
 * every message of the thread from its root, in reading order, each with a
 * small header; quoted text ("> …") is given as comment folds and folded
 * when the document is opened. Text only: nothing in the mail is interpreted.
 */
import * as vscode from 'vscode';
import type { SeriesIndex } from '../../core/series/model';
import { quoteFolds, readingOrder, renderThread, splitLines, threadRootOf, type FoldRange, type ThreadDocument } from '../../core/series/thread';
import { MAIL_SCHEME, parseMailUri, slug } from './documents';
import type { SeriesStore } from './store';

export const THREAD_SCHEME = 'execmem-thread';

/** The folding command that closes comment folds, as VS Code 1.100 names it. */
const FOLD_COMMENTS = 'editor.foldAllBlockComments';

function threadUri(rootId: string, subject: string): vscode.Uri {
  return vscode.Uri.from({ scheme: THREAD_SCHEME, path: `/${encodeURIComponent(rootId)}/Thread ${slug(subject)}.txt` });
}

/** The first message of the thread a threadUri shows. */
export function parseThreadUri(uri: vscode.Uri): { rootId: string } {
  return { rootId: decodeURIComponent(uri.path.split('/')[1] ?? '') };
}

const FOLD_KINDS: Record<FoldRange['kind'], vscode.FoldingRangeKind | undefined> = {
  quote: vscode.FoldingRangeKind.Comment,
  message: undefined,
  contents: vscode.FoldingRangeKind.Region,
};

/** How many rendered threads are kept (a thread of a long series is a few hundred kilobytes). */
const KEPT = 8;

export class ThreadDocuments implements vscode.TextDocumentContentProvider, vscode.FoldingRangeProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly rendered = new Map<string, { index: SeriesIndex; doc: ThreadDocument }>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: SeriesStore) {
    // New mail can change a thread: open thread documents are read again.
    this.subscription = store.onDidChange(() => {
      this.rendered.clear();
      for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === THREAD_SCHEME) this.changed.fire(d.uri);
    });
  }

  /** The thread that starts at rootId, rendered once per load. */
  render(rootId: string): ThreadDocument | undefined {
    const index = this.store.current;
    const root = index?.byId.get(rootId);
    if (!index || !root) return undefined;
    const hit = this.rendered.get(rootId);
    if (hit && hit.index === index) return hit.doc;
    const doc = renderThread(readingOrder(root, this.store.threadAnswers(rootId)));
    this.rendered.delete(rootId);
    this.rendered.set(rootId, { index, doc });
    if (this.rendered.size > KEPT) this.rendered.delete(this.rendered.keys().next().value!);
    return doc;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.render(parseThreadUri(uri).rootId)?.text ?? `This thread is no longer among the loaded mail (${parseThreadUri(uri).rootId}).\n`;
  }

  /** Thread documents whose folding ranges an editor has asked for, and who waits to hear it. */
  private readonly foldingAsked = new Set<string>();
  private readonly foldingWaiters = new Map<string, (() => void)[]>();

  /**
   * Resolves once an editor has asked this provider for the document's
   * folding ranges (or after `ms`): folding all quotes before that folds
   * nothing, which happened under load.
   */
  whenFoldingAsked(uri: vscode.Uri, ms: number): Promise<void> {
    const key = uri.toString();
    if (this.foldingAsked.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const list = this.foldingWaiters.get(key) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.foldingWaiters.set(key, list);
    });
  }

  provideFoldingRanges(document: vscode.TextDocument): vscode.FoldingRange[] {
    const key = document.uri.toString();
    this.foldingAsked.add(key);
    // Told after the ranges are returned: the editor applies them when this returns.
    const waiting = this.foldingWaiters.get(key);
    if (waiting) {
      this.foldingWaiters.delete(key);
      setTimeout(() => waiting.forEach((w) => w()), 0);
    }
    const doc = this.render(parseThreadUri(document.uri).rootId);
    const text = document.getText();
    // The document may be older than the mail loaded now: then fold its quotes as they stand.
    const folds = doc && doc.text === text ? doc.folds : quoteFolds(splitLines(text));
    return folds.map((f) => new vscode.FoldingRange(f.start, f.end, FOLD_KINDS[f.kind]));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Opens the thread a message is in, folded, with that message at the top (the root: the document's start). */
export async function openThread(store: SeriesStore, threads: ThreadDocuments, msgid: string | undefined): Promise<void> {
  const index = await store.ensure();
  let id = msgid;
  if (id === undefined) {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === MAIL_SCHEME) id = parseMailUri(active).msgid;
  }
  if (id === undefined) {
    const pick = await vscode.window.showQuickPick(
      [...store.versionStubs()].reverse().map((v) => ({
        label: `${v.label}: ${v.title}`,
        description: `${v.author.name || v.author.address} · ${(v.date ?? '').slice(0, 10)}`,
        id: v.head ?? undefined,
      })),
      { title: 'Open the thread of which series?', matchOnDescription: true },
    );
    id = pick?.id;
  }
  if (id === undefined) return;
  if (!index.byId.has(id)) {
    void vscode.window.showWarningMessage(`Execmem Lens: message <${id}> is not among the loaded mail.`);
    return;
  }
  const rootId = threadRootOf(id, index.parentOf);
  // The thread's bodies are read at once when it is made: the index worker is readied first, off this thread.
  await store.warm();
  const doc = await vscode.workspace.openTextDocument(threadUri(rootId, index.byId.get(rootId)!.subject));
  const editor = await vscode.window.showTextDocument(doc, { preview: true });
  const line = id === rootId ? 0 : (threads.render(rootId)?.lineOf.get(id) ?? 0);
  const at = new vscode.Range(line, 0, line, 0);
  // The message is put at the top at once, and again after each fold (folds above it move it), but
  // only while the cursor is still where it was put: a reader who already clicked or paged on
  // is not sent back (seen in CI, where the fold command returned after the test had paged down).
  const reveal = (): void => {
    if (!editor.selection.active.isEqual(at.start) || !editor.selection.isEmpty) return;
    editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
  };
  editor.selection = new vscode.Selection(at.start, at.start);
  editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
  await threads.whenFoldingAsked(doc.uri, 3000);
  // Under load the editor can take in the ranges only after the fold command ran, which then folds
  // nothing (seen in CI). Folding changes what is in view; when nothing has changed a moment later
  // (no fold, no scroll, no quote opened by hand), the quotes are folded once more.
  let moved = false;
  const watching = vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
    if (e.textEditor === editor) moved = true;
  });
  setTimeout(() => {
    watching.dispose();
    if (moved || vscode.window.activeTextEditor !== editor) return;
    void Promise.resolve(vscode.commands.executeCommand(FOLD_COMMENTS)).then(reveal, () => undefined);
  }, 1000);
  await vscode.commands.executeCommand(FOLD_COMMENTS);
  reveal();
}
