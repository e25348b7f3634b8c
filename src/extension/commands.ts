/**
 * The extension's commands: each feature's table (a map of small command
 * factories, in the feature's folder) and the few that belong to none,
 * registered together. Command ids are part of the contract (package.json,
 * keybindings, tests).
 */
import * as vscode from 'vscode';
import { ARCHES } from '../core/arch/arches';
import { COMMANDS as ARCH_MAP_COMMANDS } from './archmap/commands';
import { COMMANDS as CALL_SITE_COMMANDS } from './callsites/commands';
import type { CommandTable } from './commandTable';
import type { Ctx } from './ctx';
import { LAYOUT_VIEW_ID } from './layout/layoutViewProvider';
import { COMMANDS as REVIEW_COMMANDS } from './review/commands';
import { COMMANDS as SERIES_COMMANDS } from './series/commands';

export const COMMANDS: CommandTable = {
  'execmemLens.showLayout': () => () => vscode.commands.executeCommand(`${LAYOUT_VIEW_ID}.focus`),

  'execmemLens.selectArch': (ctx) => async () => {
    const current = ctx.state.arch;
    const picked = await vscode.window.showQuickPick(
      ARCHES.map((a) => ({
        label: a.name,
        description: a.name === current ? '(current)' : undefined,
        detail: `before: ${a.moduleAllocFile} · after: ${a.execmemSetupFile}`,
        arch: a.name,
      })),
      { title: 'Execmem Lens: architecture for layouts and lenses', placeHolder: `Current: ${current}`, matchOnDetail: true },
    );
    if (picked) await ctx.state.setArch(picked.arch);
  },

  'execmemLens.showVersion': (ctx) => () =>
    vscode.window.showInformationMessage(`Execmem Lens ${ctx.version} on VS Code ${vscode.version}`),

  'execmemLens.openSettings': () => () => vscode.commands.executeCommand('workbench.action.openSettings', 'execmemLens'),
};

const TABLES: CommandTable[] = [COMMANDS, SERIES_COMMANDS, REVIEW_COMMANDS, ARCH_MAP_COMMANDS, CALL_SITE_COMMANDS];

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return TABLES.flatMap((table) => Object.entries(table).map(([id, factory]) => vscode.commands.registerCommand(id, factory(ctx))));
}
