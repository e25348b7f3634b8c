/**
 * The extension's commands, one small factory each, registered together.
 * Command ids are part of the contract (package.json, keybindings, tests).
 */
import * as vscode from 'vscode';
import { ARCHES } from '../core/arch/arches';
import type { ExtensionParts } from './parts';
import { LAYOUT_VIEW_ID } from './layout/layoutViewProvider';

type CommandFactory = (parts: ExtensionParts) => (...args: unknown[]) => unknown;

const COMMANDS: Record<string, CommandFactory> = {
  'execmemLens.showLayout': () => () => vscode.commands.executeCommand(`${LAYOUT_VIEW_ID}.focus`),

  'execmemLens.selectArch': (parts) => async () => {
    const current = parts.state.arch;
    const picked = await vscode.window.showQuickPick(
      ARCHES.map((a) => ({
        label: a.name,
        description: a.name === current ? '(current)' : undefined,
        detail: `before: ${a.moduleAllocFile} · after: ${a.execmemSetupFile}`,
        arch: a.name,
      })),
      { title: 'Execmem Lens: architecture for layouts and lenses', placeHolder: `Current: ${current}`, matchOnDetail: true },
    );
    if (picked) await parts.state.setArch(picked.arch);
  },

  'execmemLens.showVersion': (parts) => () =>
    vscode.window.showInformationMessage(`Execmem Lens ${parts.version} on VS Code ${vscode.version}`),

  'execmemLens.openSettings': () => () => vscode.commands.executeCommand('workbench.action.openSettings', 'execmemLens'),

  'execmemLens.refreshSeries': (parts) => () => parts.mailSources.refresh(),
};

export function registerCommands(parts: ExtensionParts): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, factory(parts)));
}

/** For the manifest test: every id here must be contributed in package.json and back. */
export const COMMAND_IDS = Object.keys(COMMANDS);
