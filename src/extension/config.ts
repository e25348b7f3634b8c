/** Typed access to the extension's settings (contributes.configuration). */
import * as vscode from 'vscode';

export const CONFIG_SECTION = 'execmemLens';

/** Every setting's name within the section (for getConfiguration(CONFIG_SECTION).get/inspect/update). */
export const SETTING_NAMES = {
  mailSources: 'mailSources',
  kernelSources: 'kernelSources',
  mailIndex: 'mailIndex',
  replyOutbox: 'replyOutbox',
} as const;

/** Every setting's full key, in one place (menus, listeners and messages name them from here). */
export const SETTINGS = {
  mailSources: `${CONFIG_SECTION}.${SETTING_NAMES.mailSources}`,
  kernelSources: `${CONFIG_SECTION}.${SETTING_NAMES.kernelSources}`,
  mailIndex: `${CONFIG_SECTION}.${SETTING_NAMES.mailIndex}`,
  replyOutbox: `${CONFIG_SECTION}.${SETTING_NAMES.replyOutbox}`,
} as const;

export type SettingKey = (typeof SETTINGS)[keyof typeof SETTINGS];

export interface ExecmemLensConfig {
  /** Paths of mbox files, public-inbox repositories or patch folders. */
  mailSources: string[];
  /** Extra kernel source trees to read besides the workspace. */
  kernelSources: string[];
  /** Keep a mail index per source in the extension's storage. */
  mailIndex: boolean;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

export function readConfig(scope?: vscode.ConfigurationScope): ExecmemLensConfig {
  const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  return {
    mailSources: stringList(cfg.get(SETTING_NAMES.mailSources)),
    kernelSources: stringList(cfg.get(SETTING_NAMES.kernelSources)),
    mailIndex: cfg.get(SETTING_NAMES.mailIndex) !== false,
  };
}

/** Resolves a configured path: absolute as it is, relative from the first workspace folder. */
export function resolveConfiguredPath(p: string): vscode.Uri {
  const expanded = p.startsWith('~/') && process.env.HOME ? `${process.env.HOME}${p.slice(1)}` : p;
  if (expanded.startsWith('/')) return vscode.Uri.file(expanded);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, expanded) : vscode.Uri.file(expanded);
}

/**
 * The kernel trees to read: the workspace folders, then execmemLens.kernelSources
 * (resolved), each once. `configured` marks the ones from the setting.
 */
export function kernelRoots(): { path: string; configured: boolean }[] {
  const out: { path: string; configured: boolean }[] = [];
  const add = (path: string, configured: boolean) => {
    if (!out.some((r) => r.path === path)) out.push({ path, configured });
  };
  for (const f of vscode.workspace.workspaceFolders ?? []) add(f.uri.fsPath, false);
  for (const p of readConfig().kernelSources) add(resolveConfiguredPath(p).fsPath, true);
  return out;
}

/** Opens the Settings editor on one setting. */
export function openSetting(key: SettingKey): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', key);
}
