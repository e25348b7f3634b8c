/**
 * The full arch map as a table in an editor webview (the page is built in
 * core/archmap/tableHtml.ts). No script runs in it; its file:line locations
 * are command links that open the source, and the webview allows that one
 * command and no other.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { archMapHtml } from '../../core/archmap/tableHtml';
import type { ArchMap } from '../../core/archmap/types';

export const ARCH_MAP_PANEL = 'execmemLens.archMapTable';
const OPEN_LOCATION = 'execmemLens.openArchMapLocation';

/** A command link that opens a location of the map: its arguments are JSON, URI-encoded, never spliced in bare. */
export function locationCommandUri(side: 'before' | 'after' | 'either', location: string): string {
  return `command:${OPEN_LOCATION}?${encodeURIComponent(JSON.stringify([side, location]))}`;
}

export function showArchMapPanel(map: ArchMap, summary: string, existing?: vscode.WebviewPanel): vscode.WebviewPanel {
  const panel =
    existing ??
    vscode.window.createWebviewPanel(ARCH_MAP_PANEL, 'Arch Map', vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: [OPEN_LOCATION],
      localResourceRoots: [],
    });
  panel.webview.html = archMapHtml(map, summary, randomBytes(16).toString('base64'), panel.webview.cspSource, locationCommandUri);
  panel.reveal();
  return panel;
}
