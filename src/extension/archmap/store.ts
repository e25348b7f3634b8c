/**
 * The arch map of the workspace: the workspace folder and the trees in
 * execmemLens.kernelSources are read (tree-sitter, src/node/archmap); the
 * one holding module_alloc overrides is the before side, the one holding
 * execmem tables the after side. Computed on first use and again when a C
 * file under arch/ is saved or the setting changes.
 */
import * as vscode from 'vscode';
import { buildArchMap } from '../../core/archmap/build';
import type { FileFacts } from '../../core/archmap/facts';
import type { ArchMap } from '../../core/archmap/types';
import { factsOfTree } from '../../node/archmap/inputs';
import { kernelRoots, SETTINGS } from '../config';

export interface ArchMapResult {
  map: ArchMap;
  /** Absolute root of the tree each relative location is in, for before and after. */
  beforeRoot: string | null;
  afterRoot: string | null;
  /** What was read, for the log and the tree's description. */
  summary: string;
  /** Trees that could not be read, each "path: reason" (shown atop the Arch Map view). */
  problems: string[];
}

export class ArchMapStore implements vscode.Disposable {
  private current: Promise<ArchMapResult> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by invalidate(): a computation of an older generation stops reading files. */
  private generation = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/arch/**/*.{c,h}');
    // A checkout touches hundreds of files at once: one recompute after things settle.
    const invalidate = (): void => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.invalidate(), 500);
    };
    this.subscriptions.push(
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SETTINGS.kernelSources) && invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
      this.changed,
    );
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
  }

  invalidate(): void {
    this.generation++;
    this.current = undefined;
    this.changed.fire();
  }

  get(): Promise<ArchMapResult> {
    if (this.current) return this.current;
    const p: Promise<ArchMapResult> = this.compute().catch((e: unknown) => {
      this.log.error(`arch map: ${e instanceof Error ? e.message : String(e)}`);
      // Forget only this computation, not a newer one started after an invalidate.
      if (this.current === p) this.current = undefined;
      throw e;
    });
    this.current = p;
    return p;
  }

  private async compute(): Promise<ArchMapResult> {
    const gen = this.generation;
    const roots = kernelRoots().map((r) => r.path);
    const started = Date.now();
    const problems: string[] = [];
    const trees = await vscode.window.withProgress(
      { location: { viewId: 'execmemLens.archMap' }, title: 'Reading kernel C for the arch map' },
      async () =>
        Promise.all(
          roots.map((r) =>
            factsOfTree(r, { isCancelled: () => gen !== this.generation }).catch((e: unknown) => {
              // A mistyped kernelSources path or an unreadable file is said, not silently skipped; the other trees still map.
              const problem = `${r}: ${e instanceof Error ? e.message : String(e)}`;
              this.log.warn(`arch map: ${problem}`);
              problems.push(problem);
              return null;
            }),
          ),
        ),
    );
    let before: { root: string; files: FileFacts[] } | null = null;
    let after: { root: string; files: FileFacts[] } | null = null;
    for (const t of trees) {
      if (!t) continue;
      const overrides = t.files.filter((f) => f.overrides.length > 0).length;
      const tables = t.files.filter((f) => f.tables.length > 0).length;
      if (overrides > tables && !before) before = { root: t.root, files: t.files };
      else if (tables > 0 && !after) after = { root: t.root, files: t.files };
    }
    const sim = { simulate: true };
    const map = before && after ? buildArchMap(before.files, after.files, sim) : before ? buildArchMap(before.files, before.files, sim) : after ? buildArchMap(after.files, after.files, sim) : { arches: {}, findings: [] };
    const summary = `${before ? `before: ${before.root}` : 'no module_alloc tree'} · ${after ? `after: ${after.root}` : 'no execmem tree'}`;
    this.log.info(`arch map: ${Object.keys(map.arches).length} arches, ${map.findings.length} findings in ${Date.now() - started} ms (${summary})`);
    return { map, beforeRoot: before?.root ?? null, afterRoot: after?.root ?? null, summary, problems };
  }
}

/** "path:line" of a side, made a location in the tree it came from. */
export function locationUri(root: string | null, location: string): { uri: vscode.Uri; line: number } | null {
  const m = /^(.*):(\d+)$/.exec(location);
  if (!m || !root) return null;
  const p = m[1]!;
  return { uri: p.startsWith('/') ? vscode.Uri.file(p) : vscode.Uri.joinPath(vscode.Uri.file(root), p), line: Number(m[2]) };
}
