/** Putting the cursor on a call site: what stepping and the panel's step list share. */
import * as vscode from 'vscode';
import type { CallSite } from '../../core/callsites/detect';
import type { SimulationSession } from './session';

export async function moveTo(uri: vscode.Uri, site: CallSite): Promise<vscode.TextEditor> {
  const pos = new vscode.Position(site.line - 1, site.column);
  const editor = await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), preserveFocus: false, preview: false });
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Opens the site of a recorded step (the panel's step list). */
export async function openStep(session: SimulationSession, step: number): Promise<void> {
  const s = session.stepAt(step);
  if (s) await moveTo(s.uri, s.site);
}
