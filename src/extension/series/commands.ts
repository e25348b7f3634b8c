/** The Patch Series commands: sources, messages, threads, diffs, versions, copies. */
import * as vscode from 'vscode';
import { b4AmCommand } from '../../core/mail/b4';
import type { SourcedMessage } from '../../core/series/model';
import { parseQuery } from '../../core/search/query';
import type { CommandTable } from '../commandTable';
import { compareVersionsCommand, openFileDiff, openMessage, pickAndAdd } from './actions';
import { showMailHistory } from './history';
import { searchMail } from './search';
import { openThread } from './threads';
import type { SeriesNode } from './tree';

export const COMMANDS: CommandTable = {
  'execmemLens.filterSeries': (ctx) => async () => {
    const text = await vscode.window.showInputBox({
      title: 'Filter Patch Series',
      prompt: "Show the series versions with a message matching a lore query (s: f: b: m: d: dfn: dfhh:, AND OR NOT)",
      value: ctx.seriesTree.filterText ?? '',
      validateInput: (v) => {
        if (v.trim() === '') return undefined;
        const r = parseQuery(v);
        return r.ok ? undefined : r.error;
      },
    });
    if (text === undefined) return;
    if (text.trim() === '') return ctx.seriesTree.setFilter(undefined);
    const q = parseQuery(text);
    if (q.ok) {
      await ctx.store.ensure();
      await vscode.window.withProgress({ location: { viewId: 'execmemLens.series' } }, () => ctx.seriesTree.setFilter(text.trim(), q.value));
    }
  },

  'execmemLens.clearSeriesFilter': (ctx) => () => ctx.seriesTree.setFilter(undefined),

  'execmemLens.showMailHistory': (ctx) => (uri?: unknown, fn?: unknown) => showMailHistory(ctx.store, ctx.mailHistory, uri, fn),

  'execmemLens.searchMail': (ctx) => (query?: unknown) => searchMail(ctx.store, typeof query === 'string' ? query : undefined),

  'execmemLens.refreshSeries': (ctx) => () => ctx.store.reload(true),

  'execmemLens.openMbox': (ctx) => (uri?: unknown) => pickAndAdd(ctx.sources, ctx.store, 'mbox', uri),

  'execmemLens.openPublicInbox': (ctx) => (uri?: unknown) => pickAndAdd(ctx.sources, ctx.store, 'public-inbox', uri),

  'execmemLens.addMailSource': (ctx) => (uri?: unknown) => pickAndAdd(ctx.sources, ctx.store, 'any', uri),

  'execmemLens.removeMailSource': (ctx) => async (node?: unknown) => {
    const state = (node as SeriesNode | undefined)?.kind === 'source' ? (node as Extract<SeriesNode, { kind: 'source' }>).state : undefined;
    const target = state?.path ?? (await vscode.window.showQuickPick(ctx.sources.paths(), { title: 'Remove which mail source?' }));
    if (target) await ctx.sources.remove(target);
  },

  'execmemLens.openMessage': (ctx) => (msgid?: unknown, copy?: unknown) => openMessage(ctx.store, msgid, copy),

  'execmemLens.openThread': (ctx) => (node?: unknown) =>
    openThread(ctx.store, ctx.threads, typeof node === 'string' ? node : messageOf(node as SeriesNode | undefined)?.msgid),

  'execmemLens.openFileDiff': (ctx) => (msgid?: unknown, filePath?: unknown, fn?: unknown) => openFileDiff(ctx.store, ctx.comments, msgid, filePath, fn),

  'execmemLens.compareVersions': (ctx) => (node?: unknown) => compareVersionsCommand(ctx.store, node),

  'execmemLens.copyMessageId': () => async (node?: unknown) => {
    const msg = messageOf(node as SeriesNode | undefined);
    if (msg) await copied(msg.msgid, 'Message-ID');
  },

  'execmemLens.copyB4Command': () => async (node?: unknown) => {
    const msg = messageOf(node as SeriesNode | undefined);
    if (!msg) return;
    if (msg.syntheticId) {
      void vscode.window.showWarningMessage('Execmem Lens: this message has no Message-ID (it came from a file), so b4 cannot fetch it.');
      return;
    }
    await copied(b4AmCommand(msg.msgid), 'b4 command');
  },
};

/** Copies and says what was copied, as the Git views do, in the status bar for a few seconds. */
async function copied(text: string, what: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  // The text comes from mail: "$(…)" in it must not turn into an icon.
  const shown = (text.length > 80 ? `${text.slice(0, 79)}…` : text).replace(/\$\(/g, '\\$(');
  vscode.window.setStatusBarMessage(`$(copy) Copied ${what}: ${shown}`, 5000);
}

/** The message a tree node stands for: a version's head, a cover, a patch, a reply, other mail. */
function messageOf(node: SeriesNode | undefined): SourcedMessage | undefined {
  switch (node?.kind) {
    case 'version':
    case 'cover':
      return node.version.cover ?? node.version.patches[0]?.message ?? node.version.extras[0]?.message;
    case 'patch':
    case 'file':
      return node.patch.message;
    case 'reply':
    case 'other':
      return node.node.msg;
    case 'otherThread':
      return node.thread.root.msg;
    case 'duplicate':
      return node.dup.message;
    default:
      return undefined;
  }
}

