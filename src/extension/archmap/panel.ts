/**
 * The full arch map as a table in an editor webview (the page is built in
 * core/archmap/tableHtml.ts). No script runs in it; its file:line locations
 * are command links that open the source, and the webview allows that one
 * command and no other.
 */
import * as vscode from 'vscode';
import { locationCommandUri, OPEN_LOCATION } from '../../core/archmap/links';
import { archMapHtml } from '../../core/archmap/tableHtml';
import { makeNonce } from '../../core/protocol/nonce';
import type { ArchMap } from '../../core/archmap/types';

export const ARCH_MAP_PANEL = 'execmemLens.archMapTable';

export function showArchMapPanel(map: ArchMap, summary: string, existing?: vscode.WebviewPanel): vscode.WebviewPanel {
  const panel =
    existing ??
    vscode.window.createWebviewPanel(ARCH_MAP_PANEL, 'Arch Map', vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: [OPEN_LOCATION],
      localResourceRoots: [],
    });
  panel.webview.html = archMapHtml(map, summary, makeNonce(), panel.webview.cspSource, locationCommandUri);
  panel.reveal();
  return panel;
}
