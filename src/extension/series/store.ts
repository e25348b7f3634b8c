/**
 * The series of the workspace's mail: every source read (with progress, in
 * the Patch Series view), merged in order (a message read again from a later
 * source is a duplicate of that source, listed there), grouped into series,
 * and every message read accounted for under its source. A source is read
 * again only when its files changed.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { accountBySource, mergeSources, sourceFailure, type SourceAccounting, type SourceRead } from '../../core/series/bysource';
import { searchEntries, type SearchEntry } from '../../core/search/docs';
import { SearchPlan } from '../../core/search/plan';
import { groupSeries } from '../../core/series/group';
import type { DuplicateMessage, ReadError, SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { answersOf } from '../../core/series/thread';
import { loadSource } from '../../node/index/indexer';
import { expandSources, readSources } from '../../node/mail/read';
import { readConfig } from '../config';
import type { MailSources } from './sources';

interface Cached {
  signature: string;
  read: SourceRead;
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
        // Epochs, their refs and refs/heads: a push to a mirror moves a loose ref there.
        if (depth < 4 && (/^\d+\.git$/.test(entry.name) || entry.name === 'git' || entry.name === 'refs' || entry.name === 'heads')) await visit(full, depth + 1);
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
  /** The configured path, absolute. */
  path: string;
  /** How its messages name it (SourcedMessage.sourceId). */
  sourceId: string;
  /** The source gave no mail, and why: a path that is not there, a file that is not mail. */
  error?: string;
  /** Every message read from it, by bucket. */
  counts: SourceAccounting;
}

/** What the index holds of one source besides its series. */
interface SourceMail {
  others: SourcedMessage[];
  duplicates: DuplicateMessage[];
  errors: ReadError[];
}

const NO_MAIL: SourceMail = { others: [], duplicates: [], errors: [] };

export class SeriesStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private index: SeriesIndex | undefined;
  private states: SourceState[] = [];
  private bySource = new Map<string, SourceMail>();
  private answers: Map<string, SourcedMessage[]> | undefined;
  private plan: SearchPlan<SearchEntry> | undefined;
  private loading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly sources: MailSources,
    private readonly log: vscode.LogOutputChannel,
    /** Where each source's mail index is kept (the extension's global storage); none: mail is read in full. */
    private readonly indexDir?: string,
  ) {
    this.subscription = sources.onDidChange(() => {
      this.watch();
      this.reload().catch((e: unknown) => log.error(`reading mail: ${e instanceof Error ? e.message : String(e)}`));
    });
    this.watch();
  }

  private watchers: vscode.Disposable[] = [];
  private settle: NodeJS.Timeout | undefined;

  /**
   * Watches each source for new mail: an mbox file, the files of a patch
   * folder, the refs of public-inbox epochs (new mail is a new commit, which
   * moves a ref). A change reloads, a moment later (a mail delivery writes in
   * bursts); through the index only what is new is read.
   */
  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const changed = () => {
      if (this.settle) clearTimeout(this.settle);
      this.settle = setTimeout(() => {
        this.settle = undefined;
        this.log.info('mail sources changed on disk: reading what is new');
        this.reload().catch((e: unknown) => this.log.error(`reading mail: ${e instanceof Error ? e.message : String(e)}`));
      }, 500);
    };
    for (const p of this.sources.paths()) {
      const base = vscode.Uri.file(path.dirname(p));
      const name = path.basename(p);
      // The source itself (an mbox), anything in a patch folder, and the refs and packed-refs of epochs below it.
      for (const glob of [name, `${name}/*`, `${name}/**/refs/**`, `${name}/**/packed-refs`]) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, glob));
        w.onDidChange(changed);
        w.onDidCreate(changed);
        w.onDidDelete(changed);
        this.watchers.push(w);
      }
    }
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
    // A folder of lists (grokmirror/lei layout) is each of its lists, one source each.
    const paths = await expandSources(this.sources.paths());
    await vscode.window.withProgress(
      { location: { viewId: 'execmemLens.series' }, title: 'Reading mail', cancellable: false },
      async () => {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Execmem Lens: reading mail' },
          async (progress) => {
            const started = Date.now();
            const reads: SourceRead[] = [];
            const tried: { path: string; sourceId: string; error?: string }[] = [];
            const taken = new Set<string>();
            for (const p of paths) {
              const sourceId = path.resolve(p);
              if (taken.has(sourceId)) continue;
              taken.add(sourceId);
              progress.report({ message: p });
              try {
                reads.push((await this.read(p, sourceId, (n) => progress.report({ message: `${p}: ${n} messages` }))).read);
                tried.push({ path: p, sourceId });
              } catch (e) {
                // A path that is not there says so plainly (the raw error names the system call).
                const message = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${p}: no such file or folder` : e instanceof Error ? e.message : String(e);
                this.log.error(`mail source ${p}: ${message}`);
                tried.push({ path: p, sourceId, error: message });
              }
            }
            // A source no longer configured need not be kept in memory.
            for (const id of this.cache.keys()) if (!taken.has(id)) this.cache.delete(id);
            const merged = mergeSources(reads);
            const index = groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
            const bySource = new Map<string, SourceMail>();
            const mailOf = (id: string | undefined): SourceMail => {
              let m = bySource.get(id ?? '');
              if (!m) bySource.set(id ?? '', (m = { others: [], duplicates: [], errors: [] }));
              return m;
            };
            for (const m of index.others) mailOf(m.sourceId).others.push(m);
            for (const d of index.duplicates) mailOf(d.sourceId).duplicates.push(d);
            for (const e of index.errors) mailOf(e.sourceId).errors.push(e);
            const read = new Map(tried.map((t) => [t.sourceId, 0]));
            for (const r of reads) read.set(r.sourceId, r.seen);
            const counts = accountBySource(index, read);
            const states = tried.map((t): SourceState => {
              const c = counts.get(t.sourceId)!;
              const error = t.error ?? sourceFailure(c, bySource.get(t.sourceId)?.errors ?? []) ?? undefined;
              if (!t.error && error) this.log.warn(`mail source ${t.path}: ${error}`);
              if (c.unaccounted !== 0) this.log.error(`mail source ${t.path}: ${c.unaccounted} of ${c.messages} messages are not accounted for`);
              return { path: t.path, sourceId: t.sourceId, ...(error ? { error } : {}), counts: c };
            });
            this.index = index;
            this.bySource = bySource;
            this.answers = undefined;
            this.plan = undefined;
            this.states = states;
            this.log.info(
              `read ${index.messageCount} messages from ${paths.length} source(s): ${index.series.length} series versions in ${index.families.length} families, ` +
                `${index.replyCount} replies, ${index.others.length} other, ${index.duplicates.length} duplicates, ${index.errors.length} unreadable (${Date.now() - started} ms)`,
            );
          },
        );
      },
    );
    this.changed.fire();
  }

  /** One source alone (its own duplicates filed); the merge with the others happens in load(). */
  private async read(p: string, sourceId: string, onProgress: (n: number) => void): Promise<Cached> {
    const signature = await sourceSignature(p);
    const hit = this.cache.get(sourceId);
    if (hit && hit.signature === signature) return hit;
    if (this.indexDir !== undefined && readConfig().mailIndex) {
      const entry: Cached = { signature, read: await this.readIndexed(p, onProgress) };
      this.cache.set(sourceId, entry);
      return entry;
    }
    const result = await readSources([p], { onProgress });
    const entry: Cached = { signature, read: { sourceId, messages: result.messages, duplicates: result.duplicates, errors: result.errors, seen: result.seen } };
    this.cache.set(sourceId, entry);
    return entry;
  }

  /**
   * A source through its index: brought up to date (only new mail is read),
   * then its messages taken from the index with their facts, bodies left
   * where they lie. What the indexer has to say (an index rebuilt, a file
   * rewritten) goes to the log; a damaged index is also shown.
   */
  private async readIndexed(p: string, onProgress: (n: number) => void): Promise<SourceRead> {
    const started = Date.now();
    const { read, fresh, notes } = await loadSource(this.indexDir!, p, { onProgress });
    for (const n of notes) this.log.warn(`mail index: ${n}`);
    for (const n of notes.filter((x) => x.includes('.broken'))) void vscode.window.showWarningMessage(`Execmem Lens: ${n}`);
    this.log.info(`mail index of ${p}: ${read.seen} messages (${fresh} read now) in ${Date.now() - started} ms`);
    return read;
  }

  /** Families whose first version came from this source (each family is listed once, under one source). */
  familiesOf(sourceId: string): SeriesFamily[] {
    if (!this.index) return [];
    return this.index.families.filter((f) => {
      const v = f.versions[0];
      const head = v?.cover ?? v?.patches[0]?.message ?? v?.extras[0]?.message;
      return head?.sourceId === sourceId || (head && !this.states.some((s) => s.sourceId === head.sourceId) && this.states[0]?.sourceId === sourceId);
    });
  }

  /** Mail of this source that is neither a series nor a reply to one. */
  othersOf(sourceId: string): SourcedMessage[] {
    return (this.bySource.get(sourceId) ?? NO_MAIL).others;
  }

  /** Messages read from this source whose Message-ID had been read before. */
  duplicatesOf(sourceId: string): DuplicateMessage[] {
    return (this.bySource.get(sourceId) ?? NO_MAIL).duplicates;
  }

  /** Messages (files, epochs) of this source that could not be read. */
  errorsOf(sourceId: string): ReadError[] {
    return (this.bySource.get(sourceId) ?? NO_MAIL).errors;
  }

  /** The copy of `msgid` read at `origin` of `sourceId`, when it was a duplicate. */
  duplicate(msgid: string, sourceId: string, origin: string): DuplicateMessage | undefined {
    return this.duplicatesOf(sourceId).find((d) => d.msgid === msgid && d.origin === origin);
  }

  /** The answers to each message, oldest first (for threads in reading order). */
  answersOf(): Map<string, SourcedMessage[]> {
    if (!this.answers) this.answers = this.index ? answersOf(this.index.parentOf, this.index.byId) : new Map();
    return this.answers;
  }

  /** The mail as search documents, with posting lists built as queries need them (kept until the mail changes). */
  searchPlan(): SearchPlan<SearchEntry> {
    if (!this.plan) this.plan = new SearchPlan(this.index ? searchEntries(this.index) : []);
    return this.plan;
  }

  version(id: string): SeriesVersion | undefined {
    return this.index?.series.find((s) => s.id === id);
  }

  message(msgid: string): SourcedMessage | undefined {
    return this.index?.byId.get(msgid);
  }

  dispose(): void {
    if (this.settle) clearTimeout(this.settle);
    for (const w of this.watchers) w.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
