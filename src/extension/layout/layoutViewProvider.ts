/**
 * Host side of the Memory Layout panel (view execmemLens.layout): a webview
 * view in the panel area whose page is the separate browser build under
 * dist/webview. It may load only what the extension ships (dist/webview,
 * media), runs only scripts carrying this page's nonce, and every message it
 * posts is checked against the protocol in src/core before it is acted on.
 */
import * as vscode from 'vscode';
import { ARCH_NAMES } from '../../core/arch/arches';
import {
  type HostToPanel,
  LAYOUT_PROTOCOL_VERSION,
  parsePanelToHost,
} from '../../core/protocol/layout';
import type { LensState } from '../state';

export const LAYOUT_VIEW_ID = 'execmemLens.layout';

export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}

export class LayoutViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly extensionVersion: string,
    private readonly state: LensState,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(state.onDidChangeArch((arch) => this.post({ type: 'archChanged', arch })));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const mediaRoot = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot, mediaRoot] };
    view.webview.html = this.html(view.webview, webviewRoot, mediaRoot);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parsePanelToHost(raw);
    if (!parsed.ok) {
      this.log.warn(`layout panel: dropped a message: ${parsed.error}`);
      return;
    }
    const msg = parsed.value;
    switch (msg.type) {
      case 'ready':
        if (msg.protocol !== LAYOUT_PROTOCOL_VERSION) {
          this.log.warn(`layout panel speaks protocol ${msg.protocol}, the extension ${LAYOUT_PROTOCOL_VERSION}`);
        }
        this.post({
          type: 'init',
          protocol: LAYOUT_PROTOCOL_VERSION,
          extensionVersion: this.extensionVersion,
          arches: [...ARCH_NAMES],
          arch: this.state.arch,
        });
        return;
      case 'selectArch':
        await this.state.setArch(msg.arch);
        return;
    }
  }

  private post(msg: HostToPanel): void {
    void this.view?.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview, webviewRoot: vscode.Uri, mediaRoot: vscode.Uri): string {
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'layout.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'layout.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Memory Layout</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="loading">Loading the memory layout panel…</p></main>
<script type="module" nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
