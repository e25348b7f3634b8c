/**
 * Activation: build the shared parts once, register every view, command and
 * provider, and hand each Disposable to VS Code so deactivation cleans up.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { LAYOUT_VIEW_ID, LayoutViewProvider } from './layout/layoutViewProvider';
import type { ExtensionParts } from './parts';
import { LensState } from './state';
import { EmptyTree } from './views/emptyTree';
import { MailSourcesTree } from './views/mailSourcesTree';

export function activate(context: vscode.ExtensionContext): void {
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const log = vscode.window.createOutputChannel('Execmem Lens', { log: true });
  const state = new LensState(context.workspaceState);
  const mailSources = new MailSourcesTree();
  const parts: ExtensionParts = { version, state, mailSources, log };
  const layout = new LayoutViewProvider(context.extensionUri, version, state, log);

  const archStatus = vscode.window.createStatusBarItem('execmemLens.arch', vscode.StatusBarAlignment.Left, 10);
  archStatus.name = 'Execmem Lens Architecture';
  archStatus.command = 'execmemLens.selectArch';
  const showArch = (): void => {
    archStatus.text = `$(chip) ${state.arch}`;
    archStatus.tooltip = `Execmem Lens: layouts and lenses are for ${state.arch}. Click to choose another architecture.`;
  };
  showArch();
  archStatus.show();

  context.subscriptions.push(
    log,
    state,
    mailSources,
    archStatus,
    state.onDidChangeArch(showArch),
    vscode.window.registerTreeDataProvider('execmemLens.series', mailSources),
    vscode.window.registerTreeDataProvider('execmemLens.archMap', new EmptyTree()),
    vscode.window.registerTreeDataProvider('execmemLens.callSites', new EmptyTree()),
    layout,
    vscode.window.registerWebviewViewProvider(LAYOUT_VIEW_ID, layout),
    ...registerCommands(parts),
  );
  log.info(`Execmem Lens ${version} activated (VS Code ${vscode.version}, arch ${state.arch})`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
