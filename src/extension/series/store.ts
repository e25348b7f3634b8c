/**
 * The series of the workspace's mail: every source read (with progress, in
 * the Patch Series view), messages merged across sources with duplicates
 * kept once, grouped into series. A source is read again only when its file
 * changed.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { groupSeries } from '../../core/series/group';
import type { ReadError, SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { readSources } from '../../node/mail/read';
import type { MailSources } from './sources';

interface Cached {
  signature: string;
  messages: SourcedMessage[];
  errors: ReadError[];
}

/**
 * What changes when a source's mail changes: a file's size and time; for a
 * folder, those of the files in it and, for public-inbox epochs, of their
 * refs (new mail is a new commit, which moves a ref, not the folder's time).
 */
async function sourceSignature(p: string): Promise<string> {
  const st = await stat(p);
  if (!st.isDirectory()) return `${st.size}:${st.mtimeMs}`;
  const parts: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < 3 && (/^\d+\.git$/.test(entry.name) || entry.name === 'git' || entry.name === 'refs')) await visit(full, depth + 1);
        continue;
      }
      const s = await stat(full).catch(() => undefined);
      if (s) parts.push(`${full}:${s.size}:${s.mtimeMs}`);
    }
  };
  await visit(p, 0);
  return parts.sort().join('|');
}

export interface SourceState {
  path: string;
  error?: string;
  messages: number;
  unreadable: number;
}

export class SeriesStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private index: SeriesIndex | undefined;
  private states: SourceState[] = [];
  private loading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly sources: MailSources,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = sources.onDidChange(() => {
      this.reload().catch((e: unknown) => log.error(`reading mail: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  get current(): SeriesIndex | undefined {
    return this.index;
  }

  get sourceStates(): readonly SourceState[] {
    return this.states;
  }

  /** Loads again after any load in flight; a failed load does not stop later ones. */
  reload(force = false): Promise<void> {
    if (force) this.cache.clear();
    const run: Promise<void> = (this.loading ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.load())
      .finally(() => {
        if (this.loading === run) this.loading = undefined;
      });
    this.loading = run;
    return run;
  }

  /** Loads (once) and returns the index; a load already running is shared, not repeated. */
  async ensure(): Promise<SeriesIndex> {
    if (!this.index) await (this.loading ?? this.reload());
    return this.index!;
  }

  private async load(): Promise<void> {
    const paths = this.sources.paths();
    await vscode.window.withProgress(
      { location: { viewId: 'execmemLens.series' }, title: 'Reading mail', cancellable: false },
      async () => {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Execmem Lens: reading mail' },
          async (progress) => {
            const states: SourceState[] = [];
            const all: SourcedMessage[] = [];
            const errors: ReadError[] = [];
            const seen = new Set<string>();
            const started = Date.now();
            for (const p of paths) {
              progress.report({ message: p });
              try {
                const cached = await this.read(p, (n) => progress.report({ message: `${p}: ${n} messages` }));
                let added = 0;
                for (const m of cached.messages) {
                  if (seen.has(m.msgid)) continue;
                  seen.add(m.msgid);
                  all.push(m);
                  added++;
                }
                errors.push(...cached.errors);
                states.push({ path: p, messages: added, unreadable: cached.errors.length });
              } catch (e) {
                const message = e instanceof Error ? e.message : String(e);
                this.log.error(`mail source ${p}: ${message}`);
                states.push({ path: p, error: message, messages: 0, unreadable: 0 });
              }
            }
            this.index = groupSeries(all, errors);
            this.states = states;
            this.log.info(`read ${all.length} messages from ${paths.length} source(s): ${this.index.series.length} series versions in ${this.index.families.length} families (${Date.now() - started} ms)`);
          },
        );
      },
    );
    this.changed.fire();
  }

  private async read(p: string, onProgress: (n: number) => void): Promise<Cached> {
    const signature = await sourceSignature(p);
    const hit = this.cache.get(p);
    if (hit && hit.signature === signature) return hit;
    const result = await readSources([p], { onProgress });
    const entry = { signature, messages: result.messages, errors: result.errors };
    this.cache.set(p, entry);
    return entry;
  }

  /** Families whose first version came from this source (each family is listed once, under one source). */
  familiesOf(sourcePath: string): SeriesFamily[] {
    if (!this.index) return [];
    return this.index.families.filter((f) => {
      const head = f.versions[0]?.cover ?? f.versions[0]?.patches[0]?.message;
      return head?.sourceId === sourcePath || (head && !this.states.some((s) => s.path === head.sourceId) && this.states[0]?.path === sourcePath);
    });
  }

  version(id: string): SeriesVersion | undefined {
    return this.index?.series.find((s) => s.id === id);
  }

  message(msgid: string): SourcedMessage | undefined {
    return this.index?.byId.get(msgid);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
