/**
 * The mail sources of this workspace: the execmemLens.mailSources setting
 * (workspace level, so they persist with the workspace and can be edited by
 * hand), or, with no folder open, the workspace state.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION, readConfig, resolveConfiguredPath, SETTING_NAMES, SETTINGS } from '../config';

/** Without a folder open, the list lives in the workspace state under the setting's own name. */
const STATE_KEY = SETTINGS.mailSources;

export class MailSources implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: vscode.Memento) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.mailSources)) this.changed.fire();
    });
  }

  /** Configured paths, as written. */
  list(): string[] {
    const fromState = this.state.get<string[]>(STATE_KEY, []);
    return [...new Set([...readConfig().mailSources, ...fromState])];
  }

  /** Absolute file-system paths of the configured sources. */
  paths(): string[] {
    return this.list().map((p) => resolveConfiguredPath(p).fsPath);
  }

  async add(fsPath: string): Promise<boolean> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const rel = folder && fsPath.startsWith(`${folder.uri.fsPath}/`) ? fsPath.slice(folder.uri.fsPath.length + 1) : fsPath;
    if (this.paths().includes(fsPath)) return false;
    if (folder) {
      const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
      const current = cfg.inspect<string[]>(SETTING_NAMES.mailSources)?.workspaceValue ?? [];
      await cfg.update(SETTING_NAMES.mailSources, [...current, rel], vscode.ConfigurationTarget.Workspace);
    } else {
      await this.state.update(STATE_KEY, [...this.state.get<string[]>(STATE_KEY, []), fsPath]);
      this.changed.fire();
    }
    return true;
  }

  async remove(fsPath: string): Promise<void> {
    const keep = (list: string[]) => list.filter((p) => resolveConfiguredPath(p).fsPath !== fsPath);
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const inspected = cfg.inspect<string[]>(SETTING_NAMES.mailSources);
    if (inspected?.workspaceValue) await cfg.update(SETTING_NAMES.mailSources, keep(inspected.workspaceValue), vscode.ConfigurationTarget.Workspace);
    if (inspected?.workspaceFolderValue && vscode.workspace.workspaceFolders?.[0]) {
      await cfg.update(SETTING_NAMES.mailSources, keep(inspected.workspaceFolderValue), vscode.ConfigurationTarget.WorkspaceFolder);
    }
    await this.state.update(STATE_KEY, keep(this.state.get<string[]>(STATE_KEY, [])));
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
