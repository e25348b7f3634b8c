/**
 * State the extension's parts share: the architecture the reviewer is looking
 * at. Persisted per workspace so a reload keeps it.
 */
import * as vscode from 'vscode';
import { type ArchName, DEFAULT_ARCH, isArchName } from '../core/arch/arches';

const ARCH_KEY = 'execmemLens.arch';

export class LensState implements vscode.Disposable {
  private readonly archEmitter = new vscode.EventEmitter<ArchName>();
  readonly onDidChangeArch = this.archEmitter.event;

  constructor(private readonly memento: vscode.Memento) {}

  get arch(): ArchName {
    const stored = this.memento.get<unknown>(ARCH_KEY);
    return isArchName(stored) ? stored : DEFAULT_ARCH;
  }

  async setArch(arch: ArchName): Promise<void> {
    if (arch === this.arch) return;
    await this.memento.update(ARCH_KEY, arch);
    this.archEmitter.fire(arch);
  }

  dispose(): void {
    this.archEmitter.dispose();
  }
}
