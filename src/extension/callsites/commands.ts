/**
 * Simulate a call site, step through call sites (next / previous, like a
 * debugger's step), and scan the workspace for them.
 */
import * as vscode from 'vscode';
import type { CallSite } from '../../core/callsites/detect';
import type { CommandTable } from '../commandTable';
import type { Ctx } from '../ctx';
import { moveTo } from './moveTo';
import { hunkSides } from '../../core/patch/sides';
import { CALL_INTEREST } from '../../core/callsites/detect';
import { sitesOfText } from '../../node/callsites/scan';
import { findPatch, parseSideUri, SIDE_SCHEME } from '../series/documents';

const isSide = (s: ReturnType<typeof parseSideUri>, side: 'old' | 'new', filePath: string, msgid: string): boolean =>
  s.side === side && s.filePath === filePath && s.msgid === msgid;

/** What the call-site commands use of the Ctx. */
export type CallSiteParts = Pick<Ctx, 'callSites' | 'session' | 'layout' | 'store'>;

const before = (a: { line: number; column: number }, b: { line: number; column: number }): boolean => a.line < b.line || (a.line === b.line && a.column < b.column);

/** The site given by (uri, line, column) arguments, or the one at or before the cursor on the cursor's line. */
async function siteFromArgs(parts: CallSiteParts, args: unknown[]): Promise<{ uri: vscode.Uri; site: CallSite } | undefined> {
  const [u, line, column] = args;
  if (typeof u === 'string' && typeof line === 'number' && typeof column === 'number') {
    const uri = vscode.Uri.parse(u, true);
    const doc = await vscode.workspace.openTextDocument(uri);
    const site = (await parts.callSites.sitesOf(doc)).find((s) => s.line === line && s.column === column);
    return site ? { uri, site } : undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const sites = await parts.callSites.sitesOf(editor.document);
  const cur = editor.selection.active;
  const onLine = sites.filter((s) => s.line - 1 === cur.line);
  const site = onLine.find((s) => cur.character >= s.column && cur.character <= s.column + s.callee.length) ?? onLine[0];
  return site ? { uri: editor.document.uri, site } : undefined;
}

/** With no site under the cursor (from the palette, the walkthrough): choose one of the workspace's. */
async function pickSite(parts: CallSiteParts): Promise<{ uri: vscode.Uri; site: CallSite } | undefined> {
  const all = parts.callSites.workspaceSites ?? (await parts.callSites.scan());
  if (all.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(
    all.map((w) => ({
      label: `${w.site.callee}(${w.site.size ?? ''})`,
      description: `${w.tree ? `${w.tree} · ` : ''}${w.site.path}:${w.site.line}`,
      detail: `${w.site.type ?? 'type unknown'}${w.site.caller ? ` · in ${w.site.caller}()` : ''}`,
      w,
    })),
    // ignoreFocusOut: run from the walkthrough, the page can take focus back
    // a moment after the pick opens, which would close it unseen.
    { title: 'Simulate which call site?', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  return picked ? { uri: picked.w.uri, site: picked.w.site } : undefined;
}

export async function simulateSite(parts: CallSiteParts, args: unknown[]): Promise<void> {
  const found = (await siteFromArgs(parts, args)) ?? (args.length === 0 ? await pickSite(parts) : undefined);
  if (!found) {
    void vscode.window.showInformationMessage('Execmem Lens: no executable-memory call site here (module_alloc, execmem_alloc, alloc_insn_page…).');
    return;
  }
  parts.session.start(found);
  await parts.layout.reveal();
  await moveTo(found.uri, found.site);
}

/** The call site after the cursor: in this file, then in the next file of the workspace scan. */
async function nextSite(parts: CallSiteParts): Promise<{ uri: vscode.Uri; site: CallSite } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const cur = { line: editor.selection.active.line + 1, column: editor.selection.active.character };
  const here = (await parts.callSites.sitesOf(editor.document)).filter((s) => before(cur, s));
  if (here[0]) return { uri: editor.document.uri, site: here[0] };
  if (editor.document.uri.scheme === SIDE_SCHEME) return nextInSeries(parts, editor.document.uri);
  const all = parts.callSites.workspaceSites ?? (await parts.callSites.scan());
  const key = editor.document.uri.toString();
  const after = all.find((w) => w.uri.toString() > key);
  return after ? { uri: after.uri, site: after.site } : undefined;
}

/**
 * Walking a series: after the last site of a patch's file, the next file of
 * the same patch with a site (on its new side, or its old side when only
 * removed lines have one), then the files of the following patches, in
 * series order. The file opens in the diff editor as the explorer opens it.
 */
async function nextInSeries(parts: CallSiteParts, current: vscode.Uri): Promise<{ uri: vscode.Uri; site: CallSite } | undefined> {
  const { msgid, filePath: path } = parseSideUri(current);
  const found = findPatch(parts.store, msgid);
  if (!found) return undefined;
  const { version } = found;
  const patches = version.patches.filter((p) => p.index >= found.patch.index);
  let passed = false;
  for (const patch of patches) {
    for (const file of patch.files) {
      if (!passed) {
        if (patch.message.msgid === msgid && (file.path === path || file.oldPath === path)) passed = true;
        continue;
      }
      if (!/\.[ch]$/.test(file.path)) continue;
      const sides = hunkSides(file.structured);
      const has = CALL_INTEREST.test(sides.new.text) || CALL_INTEREST.test(sides.old.text);
      if (!has || ((await sitesOfText(file.path, sides.new.text)).length === 0 && (await sitesOfText(file.path, sides.old.text)).length === 0)) continue;
      await vscode.commands.executeCommand('execmemLens.openFileDiff', patch.message.msgid, file.path);
      const editor = vscode.window.activeTextEditor;
      if (!editor) return undefined;
      const site = (await parts.callSites.sitesOf(editor.document))[0];
      if (site) return { uri: editor.document.uri, site };
      // Only the old side has a site: step onto it.
      const oldDoc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === SIDE_SCHEME && isSide(parseSideUri(d.uri), 'old', file.oldPath ?? file.path, patch.message.msgid));
      const oldSite = oldDoc ? (await parts.callSites.sitesOf(oldDoc))[0] : undefined;
      if (oldDoc && oldSite) return { uri: oldDoc.uri, site: oldSite };
    }
  }
  return undefined;
}

export async function nextCallSite(parts: CallSiteParts): Promise<void> {
  const next = await nextSite(parts);
  if (!next) {
    void vscode.window.setStatusBarMessage('Execmem Lens: no further call site', 3000);
    return;
  }
  await moveTo(next.uri, next.site);
  if (parts.session.length === 0) parts.session.start(next);
  else parts.session.push(next);
  await parts.layout.reveal();
}

export async function previousCallSite(parts: CallSiteParts): Promise<void> {
  const back = parts.session.back();
  if (back) {
    await moveTo(back.uri, back.site);
    return;
  }
  // No recorded step to go back to: just move to the previous site in this file.
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const cur = { line: editor.selection.active.line + 1, column: editor.selection.active.character };
  const prev = (await parts.callSites.sitesOf(editor.document)).filter((s) => before(s, cur)).pop();
  if (prev) await moveTo(editor.document.uri, prev);
}

export const COMMANDS: CommandTable = {
  'execmemLens.simulateCallSite': (ctx) => (...args: unknown[]) => simulateSite(ctx, args),

  'execmemLens.stepFromHere': (ctx) => (...args: unknown[]) => simulateSite(ctx, args),

  'execmemLens.nextCallSite': (ctx) => () => nextCallSite(ctx),

  'execmemLens.previousCallSite': (ctx) => () => previousCallSite(ctx),

  'execmemLens.scanCallSites': (ctx) => () => ctx.callSites.scan(true),

  'execmemLens.clearSimulation': (ctx) => () => ctx.session.clear(),
};
