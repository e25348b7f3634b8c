/**
 * Settings that do not do what they say are said, where a user looks: a
 * warning naming the setting, the path and the reason, with a button that
 * fixes it (open the setting; for a mail source, remove it). Not a log line.
 *
 *   execmemLens.kernelSources  a path that is not there, not a folder, or a
 *                              folder with no arch/ in it (not a kernel tree)
 *   execmemLens.mailSources    a source that gave no mail: a path that is not
 *                              there, a file that is not mail (a Makefile)
 *
 * Each problem is said once per session, and again only when it changes.
 *
 * The same checks set the walkthrough's context keys execmemLens.kernelTreeOpen
 * (some workspace folder or configured source reads as a kernel tree) and
 * execmemLens.mailRead (some mail source gave mail).
 */
import * as vscode from 'vscode';
import { kernelTreeProblem } from '../node/archmap/inputs';
import { kernelRoots, openSetting, SETTINGS, type SettingKey } from './config';
import type { MailSources } from './series/sources';
import type { SeriesStore } from './series/store';
import { setWalkthroughContext, WALKTHROUGH_CONTEXT } from './walkthrough';

export class SettingsCheck implements vscode.Disposable {
  private readonly said = new Set<string>();
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly store: SeriesStore,
    private readonly sources: MailSources,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.kernelSources)) void this.checkKernelSources();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.checkKernelSources()),
      store.onDidChange(() => this.checkMailSources()),
    ];
    void this.checkKernelSources();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }

  async checkKernelSources(): Promise<void> {
    let anyTree = false;
    for (const root of kernelRoots()) {
      const problem = await kernelTreeProblem(root.path);
      if (!problem) anyTree = true;
      // A workspace folder need not be a kernel tree; a configured source must be one.
      else if (root.configured) this.warn(SETTINGS.kernelSources, root.path, problem);
    }
    await setWalkthroughContext(WALKTHROUGH_CONTEXT.kernelTreeOpen, anyTree);
  }

  checkMailSources(): void {
    let anyMail = false;
    for (const s of this.store.sourceStates) {
      if (s.error) this.warn(SETTINGS.mailSources, s.path, s.error, () => this.sources.remove(s.path));
      else anyMail = true;
    }
    void setWalkthroughContext(WALKTHROUGH_CONTEXT.mailRead, anyMail);
  }

  private warn(key: SettingKey, fsPath: string, problem: string, remove?: () => Thenable<void> | Promise<void>): void {
    const id = `${key}\u0000${fsPath}\u0000${problem}`;
    if (this.said.has(id)) return;
    this.said.add(id);
    this.log.warn(`${key}: ${fsPath}: ${problem}`);
    const actions = remove ? ['Open Settings', 'Remove Source'] : ['Open Settings'];
    void vscode.window.showWarningMessage(`Execmem Lens: ${key}: ${fsPath}: ${problem}`, ...actions).then(async (picked) => {
      if (picked === 'Open Settings') await openSetting(key);
      else if (picked === 'Remove Source' && remove) await remove();
    });
  }
}
