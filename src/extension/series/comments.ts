/**
 * Review replies on the lines they quote, through VS Code's Comments API:
 * when a file of a patch is opened in a diff editor, every reply to that patch
 * (or below it) is split at its quote blocks (core/review/quotes.ts), and each
 * part of the reviewer's own text that sits under a quote of this file becomes
 * a comment thread on the quoted lines: the reviewer's name, the date, and
 * that part of the reply, shown as plain text. A part under a quote of another
 * file of the patch is shown on that file, not this one.
 */
import * as vscode from 'vscode';
import type { PatchFile } from '../../core/patch/patch';
import { hunkSides, sideLineOf } from '../../core/patch/sides';
import { splitReview, type ReviewAnchor } from '../../core/review/quotes';
import type { PatchEntry, SeriesVersion } from '../../core/series/model';

export class ReviewComments implements vscode.Disposable {
  private readonly controller = vscode.comments.createCommentController('execmemLens.review', 'Mailing-list review');
  private readonly threads = new Map<string, vscode.CommentThread[]>();

  constructor() {
    this.controller.options = { prompt: 'Replies are read from mail; answer on the list.', placeHolder: '' };
  }

  /** Shows the review of one file of a patch on the two documents of its diff editor. */
  show(version: SeriesVersion, patch: PatchEntry, file: PatchFile, left: vscode.Uri, right: vscode.Uri, mode: 'hunks' | 'applied', rightText?: string): number {
    const key = `${left.toString()}|${right.toString()}`;
    for (const t of this.threads.get(key) ?? []) t.dispose();
    const sides = hunkSides(file.structured);
    const created: vscode.CommentThread[] = [];
    for (const reply of patch.replies) {
      // Placed against every file of the patch, so a quote of another file is not taken for this one.
      const anchors = splitReview(reply.body, patch.files).anchors.filter((a) => a.path === file.path);
      for (const a of anchors) {
        const uri = a.side === 'new' ? right : left;
        const line = this.lineFor(a, a.line, mode, sides, rightText);
        if (line < 0) continue;
        const start = a.startLine === a.line ? line : this.lineFor(a, a.startLine, mode, sides, rightText);
        const comment: vscode.Comment = {
          author: { name: reply.from.name || reply.from.address },
          body: new vscode.MarkdownString().appendText(a.text),
          mode: vscode.CommentMode.Preview,
          timestamp: reply.time ? new Date(reply.time) : undefined,
          label: reply.date ? reply.date.slice(0, 10) : undefined,
          contextValue: 'mailReply',
        };
        const thread = this.controller.createCommentThread(uri, new vscode.Range(start >= 0 && start <= line ? start : line, 0, line, 0), [comment]);
        thread.label = `${reply.from.name || reply.from.address} on ${String(patch.index).padStart(2, '0')}/${version.total} v${version.version}`;
        thread.canReply = false;
        thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
        thread.contextValue = 'mailReview';
        created.push(thread);
      }
    }
    this.threads.set(key, created);
    return created.length;
  }

  /** 0-based line in the shown document of file line `fileLine` of the anchor's side, or -1. */
  private lineFor(a: ReviewAnchor, fileLine: number, mode: 'hunks' | 'applied', sides: ReturnType<typeof hunkSides>, rightText?: string): number {
    if (mode === 'hunks') return sideLineOf(a.side === 'new' ? sides.new : sides.old, fileLine);
    if (a.side === 'old' || !rightText) return fileLine - 1;
    return fileLine - 1 + this.offset(a, rightText);
  }

  /** How far the patch applied from where its hunk said: the quoted line is looked for near there. */
  private offset(a: ReviewAnchor, rightText: string): number {
    const want = a.quoted.slice(1).replace(/\s+/g, ' ').trim();
    const lines = rightText.split('\n');
    for (let d = 0; d < 200; d++) {
      for (const i of [a.line - 1 - d, a.line - 1 + d]) {
        if (i >= 0 && i < lines.length && lines[i]!.replace(/\s+/g, ' ').trim() === want) return i - (a.line - 1);
      }
    }
    return 0;
  }

  clear(): void {
    for (const list of this.threads.values()) for (const t of list) t.dispose();
    this.threads.clear();
  }

  dispose(): void {
    this.clear();
    this.controller.dispose();
  }
}
