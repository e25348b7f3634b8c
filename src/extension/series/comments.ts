/**
 * Review replies on the lines they quote, through VS Code's Comments API:
 * when a file of a patch is opened in a diff editor, every reply to that patch
 * (or below it) that quotes the file's hunks becomes a comment thread on the
 * quoted line: the reviewer's name, the date, and the reply without the
 * quoted part, shown as plain text.
 */
import * as vscode from 'vscode';
import type { PatchFile } from '../../core/patch/patch';
import { hunkSides, sideLineOf } from '../../core/patch/sides';
import { reviewAnchors, type ReviewAnchor } from '../../core/review/quotes';
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
      const anchors = reviewAnchors(reply.body, [file]);
      for (const a of anchors) {
        const uri = a.side === 'new' ? right : left;
        const line = this.lineFor(a, mode, sides, rightText);
        if (line < 0) continue;
        const comment: vscode.Comment = {
          author: { name: reply.from.name || reply.from.address },
          body: new vscode.MarkdownString().appendText(a.text),
          mode: vscode.CommentMode.Preview,
          timestamp: reply.time ? new Date(reply.time) : undefined,
          label: reply.date ? reply.date.slice(0, 10) : undefined,
          contextValue: 'mailReply',
        };
        const thread = this.controller.createCommentThread(uri, new vscode.Range(line, 0, line, 0), [comment]);
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

  /** 0-based line of the anchor in the shown document, or -1. */
  private lineFor(a: ReviewAnchor, mode: 'hunks' | 'applied', sides: ReturnType<typeof hunkSides>, rightText?: string): number {
    if (mode === 'hunks') return sideLineOf(a.side === 'new' ? sides.new : sides.old, a.line);
    if (a.side === 'old' || !rightText) return a.line - 1;
    // The patch may have applied at an offset: look for the quoted line near where the hunk said.
    const want = a.quoted.slice(1).replace(/\s+/g, ' ').trim();
    const lines = rightText.split('\n');
    for (let d = 0; d < 200; d++) {
      for (const i of [a.line - 1 - d, a.line - 1 + d]) {
        if (i >= 0 && i < lines.length && lines[i]!.replace(/\s+/g, ' ').trim() === want) return i;
      }
    }
    return a.line - 1;
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
