/** The review commands: draft comments, Compose Reply, the outbox, review state. */
import * as vscode from 'vscode';
import { REVIEW_STATES, STATE_LABELS } from '../../core/review/state';
import type { CommandTable } from '../commandTable';
import { parseSideUri, SIDE_SCHEME } from '../series/documents';
import type { SeriesNode } from '../series/tree';
import { DraftNote } from './myReview';

/** The Message-ID a command was given: a tree node (patch, cover), a draft thread, a note, or the text itself. */
function msgidOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof DraftNote) return msgidOf(arg.thread);
  const thread = arg as vscode.CommentThread | undefined;
  if (thread && thread.uri instanceof vscode.Uri && thread.uri.scheme === SIDE_SCHEME) return parseSideUri(thread.uri).msgid;
  const node = arg as SeriesNode | undefined;
  switch (node?.kind) {
    case 'cover':
      return node.version.cover?.msgid;
    case 'patch':
    case 'file':
      return node.patch.message.msgid;
    default:
      return undefined;
  }
}

export const COMMANDS: CommandTable = {
  'execmemLens.review.addComment': (ctx) => (reply: unknown) => ctx.myReview.addComment(reply as vscode.CommentReply),
  'execmemLens.review.editComment': (ctx) => (note: unknown) => note instanceof DraftNote && ctx.myReview.editComment(note),
  'execmemLens.review.saveComment': (ctx) => (note: unknown) => note instanceof DraftNote && ctx.myReview.saveComment(note),
  'execmemLens.review.cancelEdit': (ctx) => (note: unknown) => note instanceof DraftNote && ctx.myReview.cancelEdit(note),
  'execmemLens.review.deleteComment': (ctx) => (note: unknown) => note instanceof DraftNote && ctx.myReview.deleteComment(note),

  'execmemLens.review.composeReply': (ctx) => async (arg?: unknown) => {
    let msgid = msgidOf(arg);
    if (!msgid) {
      // From the palette: the messages with drafts.
      const counts = [...ctx.myReview.draftCounts()];
      if (counts.length === 0) {
        void vscode.window.showInformationMessage('Execmem Lens: no draft comments. Comment on a line of a patch, or use Compose Reply from a patch in the Patch Series view.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        counts.map(([id, n]) => ({ label: ctx.store.message(id)?.subject ?? id, description: `${n} draft${n === 1 ? '' : 's'}`, msgid: id })),
        { title: 'Compose Reply to…' },
      );
      msgid = pick?.msgid;
    }
    if (msgid) await ctx.myReview.compose(msgid);
  },

  'execmemLens.review.saveToOutbox': (ctx) => () => ctx.myReview.saveToOutbox(),
  'execmemLens.review.sendWithGit': (ctx) => () => ctx.myReview.sendWithGit(),
  'execmemLens.review.copyAsText': (ctx) => () => ctx.myReview.copyAsText(),

  'execmemLens.review.setState': (ctx) => async (arg?: unknown) => {
    const msgid = msgidOf(arg);
    if (!msgid) return;
    const now = ctx.myReview.currentState(msgid);
    const pick = await vscode.window.showQuickPick(
      REVIEW_STATES.map((s) => ({ label: STATE_LABELS[s], description: s === now ? '(now)' : undefined, state: s })),
      { title: `Review state of ${ctx.store.message(msgid)?.subject ?? msgid}` },
    );
    if (pick) await ctx.myReview.setState(msgid, pick.state);
  },

  'execmemLens.review.exportStates': (ctx) => async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({ title: 'Export Review States', filters: { JSON: ['json'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'review-states.json') } : {}) });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(ctx.myReview.exportStates()));
    void vscode.window.showInformationMessage(`Execmem Lens: review states written to ${vscode.workspace.asRelativePath(target)}.`);
  },
};
