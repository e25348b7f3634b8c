/**
 * Simulate a call site, step through call sites (next / previous, like a
 * debugger's step), and scan the workspace for them.
 */
import * as vscode from 'vscode';
import type { CallSite } from '../../core/callsites/detect';
import type { LayoutViewProvider } from '../layout/layoutViewProvider';
import type { SimulationSession } from './session';
import type { CallSiteIndex } from './sites';

export interface CallSiteParts {
  index: CallSiteIndex;
  session: SimulationSession;
  layout: LayoutViewProvider;
}

const before = (a: { line: number; column: number }, b: { line: number; column: number }): boolean => a.line < b.line || (a.line === b.line && a.column < b.column);

async function moveTo(uri: vscode.Uri, site: CallSite): Promise<vscode.TextEditor> {
  const pos = new vscode.Position(site.line - 1, site.column);
  const editor = await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), preserveFocus: false, preview: false });
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** The site given by (uri, line, column) arguments, or the one at or before the cursor on the cursor's line. */
async function siteFromArgs(parts: CallSiteParts, args: unknown[]): Promise<{ uri: vscode.Uri; site: CallSite } | undefined> {
  const [u, line, column] = args;
  if (typeof u === 'string' && typeof line === 'number' && typeof column === 'number') {
    const uri = vscode.Uri.parse(u, true);
    const doc = await vscode.workspace.openTextDocument(uri);
    const site = (await parts.index.sitesOf(doc)).find((s) => s.line === line && s.column === column);
    return site ? { uri, site } : undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const sites = await parts.index.sitesOf(editor.document);
  const cur = editor.selection.active;
  const onLine = sites.filter((s) => s.line - 1 === cur.line);
  const site = onLine.find((s) => cur.character >= s.column && cur.character <= s.column + s.callee.length) ?? onLine[0];
  return site ? { uri: editor.document.uri, site } : undefined;
}

export async function simulateSite(parts: CallSiteParts, args: unknown[]): Promise<void> {
  const found = await siteFromArgs(parts, args);
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
  const here = (await parts.index.sitesOf(editor.document)).filter((s) => before(cur, s));
  if (here[0]) return { uri: editor.document.uri, site: here[0] };
  const all = parts.index.workspaceSites ?? [];
  const key = editor.document.uri.toString();
  const after = all.find((w) => w.uri.toString() > key);
  return after ? { uri: after.uri, site: after.site } : undefined;
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
  const prev = (await parts.index.sitesOf(editor.document)).filter((s) => before(s, cur)).pop();
  if (prev) await moveTo(editor.document.uri, prev);
}

export async function openStep(parts: CallSiteParts, step: number): Promise<void> {
  const s = parts.session.stepAt(step);
  if (s) await moveTo(s.uri, s.site);
}
