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
  layoutCsp,
  parsePanelToHost,
} from '../../core/protocol/layout';
import { makeNonce } from '../../core/protocol/nonce';
import type { LensState } from '../state';
import type { SimulationSession } from '../callsites/session';

export const LAYOUT_VIEW_ID = 'execmemLens.layout';

export class LayoutViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly extensionVersion: string,
    private readonly state: LensState,
    private readonly log: vscode.LogOutputChannel,
    private readonly session: SimulationSession,
    /** Opens the call site of a step (the command that moves the cursor there). */
    private readonly openStep: (step: number) => Promise<void>,
  ) {
    this.disposables.push(
      state.onDidChangeArch((arch) => this.post({ type: 'archChanged', arch })),
      session.onDidChange((what) => (what === 'step' ? this.post({ type: 'step', step: session.index }) : this.postLayout())),
    );
  }

  /** Shows the panel without taking the focus from the editor when it already exists. */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${LAYOUT_VIEW_ID}.focus`);
  }

  private postLayout(): void {
    if (!this.view) return;
    const started = Date.now();
    let v;
    try {
      v = this.session.view();
    } catch (e) {
      this.post({ type: 'clear', reason: `Simulation failed: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (!v) {
      this.post({ type: 'clear', reason: 'Use Simulate or Step from here on a call site (the code lens above module_alloc(), execmem_alloc() and friends).' });
      return;
    }
    this.post({ type: 'layout', variant: v.variant, compare: v.compare, step: v.step, primary: v.primary, secondary: v.secondary });
    this.log.debug(`layout panel: ${v.primary.steps.length} steps, ${v.primary.allocs.id.length} allocations posted in ${Date.now() - started} ms`);
  }

  private async export(kind: 'png' | 'json', data?: string): Promise<void> {
    const v = this.session.view();
    const name = `execmem-layout-${this.state.arch}-${v?.variant ?? 'none'}.${kind}`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: kind === 'png' ? { 'PNG image': ['png'] } : { JSON: ['json'] },
      title: kind === 'png' ? 'Export the memory layout as PNG' : 'Export the simulation as JSON',
    });
    if (!target) return;
    const bytes =
      kind === 'png'
        ? Buffer.from(data!.slice(data!.indexOf(',') + 1), 'base64')
        : Buffer.from(`${JSON.stringify({ arch: this.state.arch, variant: v?.variant ?? null, compare: v?.compare ?? null, step: v?.step ?? null, primary: v?.primary ?? null, secondary: v?.secondary ?? null }, null, 2)}\n`);
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Execmem Lens: wrote ${vscode.workspace.asRelativePath(target)}`);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const mediaRoot = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot, mediaRoot] };
    view.webview.html = this.html(view.webview, webviewRoot, mediaRoot);
    // A view resolved again (hidden, then shown) drops the listeners of the one before.
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) =>
        this.receive(raw).catch((e: unknown) => {
          const text = e instanceof Error ? e.message : String(e);
          this.log.error(`layout panel: ${text}`);
          void vscode.window.showErrorMessage(`Execmem Lens: ${text}`);
        }),
      ),
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
        this.postLayout();
        return;
      case 'selectArch':
        await this.state.setArch(msg.arch);
        return;
      case 'selectVariant':
        this.session.setVariant(msg.variant);
        return;
      case 'setCompare':
        this.session.setCompare(msg.variant);
        return;
      case 'selectStep':
        if (this.session.select(msg.step)) await this.openStep(msg.step);
        return;
      case 'openSite':
        await this.openStep(msg.step);
        return;
      case 'exportPng':
        await this.export('png', msg.data);
        return;
      case 'exportJson':
        await this.export('json');
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
    const csp = layoutCsp(webview.cspSource, nonce);
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
    for (const d of [...this.disposables.splice(0), ...this.viewDisposables.splice(0)]) d.dispose();
  }
}
