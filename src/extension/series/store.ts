/**
 * The series of the workspace's mail: every source read (with progress, in
 * the Patch Series view), merged in order (a message read again from a later
 * source is a duplicate of that source, listed there), grouped into series,
 * and every message read accounted for under its source. A source is read
 * again only when its files changed.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { accountBySource, extendWithRead, mergeSources, sourceFailure, type SourceRead } from '../../core/series/bysource';
import { searchEntries, type SearchEntry } from '../../core/search/docs';
import { SearchPlan } from '../../core/search/plan';
import { groupSeries } from '../../core/series/group';
import type { DuplicateMessage, ReadError, SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { familiesOfSource, summarize, SUMMARY_VERSION, type FamilySummary, type SourceState, type SourceSummary, type TreeSummary } from '../../core/series/summary';
import { answersOf, threadsOf } from '../../core/series/thread';
import type { ReadMark } from '../../node/index/indexer';
import { IndexWorker } from '../../node/index/remote';
import { readSummary, writeSummary, type SummaryKey } from '../../node/index/summaryFile';
import { expandSources, readSources } from '../../node/mail/read';
import { sourceSignature } from '../../node/mail/signature';
import { readConfig } from '../config';
import type { MailSources } from './sources';

interface Cached {
  signature: string;
  read: SourceRead;
  /** Where the read through the index ended (a later read extends it with what was added). */
  mark?: ReadMark;
  /** This read is the one before it with new mail added at its end (the index said so). */
  extends?: SourceRead;
}

export type { SourceState };

/** A source's signature, or what kept it from having one (the key of a summary names both alike). */
async function signatureOf(p: string): Promise<string> {
  try {
    return await sourceSignature(p);
  } catch (e) {
    return `unreadable:${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
}

/** The code that grouped the mail: a summary made by another build is not shown. */
function producer(version: string): string {
  let built = '';
  try {
    built = String(statSync(__filename).mtimeMs);
  } catch {
    // Bundled code is a file; anything else just goes by the version.
  }
  return `${version}:${built}:${SUMMARY_VERSION}`;
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
  /** The reads the index was made from, source by source. */
  private loadedFrom: SourceRead[] = [];
  private states: SourceState[] = [];
  private bySource = new Map<string, SourceMail>();
  private answers: Map<string, SourcedMessage[]> | undefined;
  private plan: SearchPlan<SearchEntry> | undefined;
  /** What the view shows while the full model is read, when the summary kept for these sources still holds. */
  private summary: TreeSummary | undefined;
  private loading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;
  /** SQLite on a worker thread that ends 15 s after its last use (see remote.ts). */
  private readonly indexWorker = new IndexWorker(15_000);

  constructor(
    private readonly sources: MailSources,
    private readonly log: vscode.LogOutputChannel,
    /** Where each source's mail index is kept (the extension's global storage); none: mail is read in full. */
    private readonly indexDir?: string,
    /** The extension's version (a summary kept by another build is not shown). */
    private readonly producerVersion = '0.0.0',
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

  private summaryShown: (() => void) | undefined;

  /** Whether the Patch Series view is on screen (set by whoever made the view). */
  viewVisible: () => boolean = () => false;

  /** Called by the tree once it has handed out the families' lines from the summary. */
  treeShown(): void {
    this.summaryShown?.();
  }

  /** The summary shown before the full model is read (undefined once it is, or when none held). */
  get preview(): TreeSummary | undefined {
    return this.index ? undefined : this.summary;
  }

  get sourceStates(): readonly SourceState[] {
    return this.states;
  }

  /** Loads again after any load in flight; a failed load does not stop later ones. */
  reload(force = false): Promise<void> {
    if (force) this.cache.clear();
    // A load waiting for the tree to show its summary goes on: this one comes after it.
    this.summaryShown?.();
    const run: Promise<void> = (this.loading ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.load())
      .finally(() => {
        if (this.loading === run) this.loading = undefined;
      });
    this.loading = run;
    return run;
  }

  /** Settled once the view has something to show: the kept summary, or the model (see whenShowable). */
  private showable: { promise: Promise<void>; resolve: () => void } | undefined;

  /**
   * Resolves as soon as the tree can show its sources and families: at once
   * when the model or a summary is there, else when the load in flight (or
   * one started now) has read the summary kept for these sources, or has
   * finished. The tree's first lines must not wait for the whole model.
   */
  whenShowable(): Promise<void> {
    if (this.index || this.summary) return Promise.resolve();
    if (!this.showable) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.showable = { promise, resolve };
    }
    const { resolve, promise } = this.showable;
    (this.loading ?? this.reload()).then(resolve, resolve);
    return promise;
  }

  /** Loads (once) and returns the index; a load already running is shared, not repeated. */
  async ensure(): Promise<SeriesIndex> {
    // The model is needed now: a load waiting for the tree to show its summary goes on.
    this.summaryShown?.();
    if (!this.index) await (this.loading ?? this.reload());
    return this.index!;
  }

  private async load(): Promise<void> {
    // A folder of lists (grokmirror/lei layout) is each of its lists, one source each.
    const paths = await expandSources(this.sources.paths());
    // Taken once, before anything is read: mail that comes during the read makes the next ones differ.
    const signatures = await Promise.all(paths.map(async (p) => ({ path: p, signature: await signatureOf(p) })));
    const summaries = this.indexDir !== undefined && readConfig().mailIndex;
    const key: SummaryKey | undefined = summaries ? { producer: producer(this.producerVersion), sources: signatures } : undefined;
    if (key && !this.index && !this.summary) {
      const started = Date.now();
      const kept = await readSummary(this.indexDir!, key);
      if (kept) {
        this.summary = kept;
        this.states = kept.sources.map((s) => s.state);
        this.showable?.resolve();
        this.log.info(`the tree shown from the summary kept for these sources (${kept.sources.length} source(s), ${kept.seriesVersions} series versions) in ${Date.now() - started} ms; reading the mail itself`);
        this.changed.fire();
        // Reading the model holds this thread for seconds at a time, and every step of showing the
        // tree is a round trip to it: the model is read once the tree's lines have gone out, or
        // when something needs it first (a family expanded, a search, new mail, a command), or
        // after a few seconds when the view is not on screen (a view closed or collapsed asks for
        // nothing; the lenses want the model). A view on screen whose window is still coming back
        // (a reload under load took 8 s to ask for the families) is given up to 30 s.
        await new Promise<void>((r) => {
          this.summaryShown = r;
          const started = Date.now();
          const tick = () => (this.viewVisible() && Date.now() - started < 30_000 ? setTimeout(tick, 1000) : r());
          setTimeout(tick, 5000);
        });
        this.summaryShown = undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await vscode.window.withProgress(
      { location: { viewId: 'execmemLens.series' }, title: 'Reading mail', cancellable: false },
      async () => {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Execmem Lens: reading mail' },
          async (progress) => {
            const started = Date.now();
            const reads: SourceRead[] = [];
            const entries: Cached[] = [];
            const tried: { path: string; sourceId: string; error?: string }[] = [];
            const taken = new Set<string>();
            for (const p of paths) {
              const sourceId = path.resolve(p);
              if (taken.has(sourceId)) continue;
              taken.add(sourceId);
              progress.report({ message: p });
              try {
                const entry = await this.read(p, sourceId, signatures.find((x) => x.path === p)!.signature, (n) => progress.report({ message: `${p}: ${n} messages` }));
                entries.push(entry);
                reads.push(entry.read);
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
            const index = this.extended(entries, tried) ?? this.grouped(reads);
            // What a read extended is said once (and the read before it not held on to).
            for (const e of entries) delete e.extends;
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
            this.loadedFrom = reads;
            this.bySource = bySource;
            this.answers = undefined;
            this.plan = undefined;
            this.states = states;
            this.summary = undefined;
            if (key) this.keepSummaryLater(key);
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

  /** The sources' mail merged and grouped, from scratch. */
  private grouped(reads: SourceRead[]): SeriesIndex {
    const merged = mergeSources(reads);
    return groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
  }

  /**
   * The model already loaded with the new mail put in, when that gives what
   * grouping all again would: the same sources as last time, all read as they
   * were but the last, whose read only gained mail at its end, and that mail
   * only answering what is there (see extendSeries). Else undefined.
   */
  private extended(entries: readonly Cached[], tried: readonly { sourceId: string; error?: string }[]): SeriesIndex | undefined {
    const index = this.index;
    const last = entries[entries.length - 1];
    const before = last?.extends;
    if (!index || !last || !before || tried.some((t) => t.error) || this.loadedFrom.length !== entries.length) return undefined;
    if (entries.some((e, i) => (i < entries.length - 1 ? e.read !== this.loadedFrom[i] : this.loadedFrom[i] !== before))) return undefined;
    const started = Date.now();
    const out = extendWithRead(index, before, last.read);
    if (!out) return undefined;
    this.log.info(`${last.read.messages.length - before.messages.length} new message(s) put into the loaded series in ${Date.now() - started} ms, without grouping all the mail again`);
    return out;
  }

  private pendingSummary: { key: SummaryKey; timer: NodeJS.Timeout } | undefined;

  /**
   * The summary kept a moment after the tree has been told of the new mail
   * (writing it took up to 200 ms of a list archive's update, before the tree
   * could ask for its lines); only the newest is written, and one still
   * waiting when the window closes is written then.
   */
  private keepSummaryLater(key: SummaryKey): void {
    if (this.pendingSummary) clearTimeout(this.pendingSummary.timer);
    const timer = setTimeout(() => {
      this.pendingSummary = undefined;
      this.keepSummary(key);
    }, 1000);
    this.pendingSummary = { key, timer };
  }

  /** The view's summary of what was just read, kept for the next window; failing to keep it only costs that window time. */
  private keepSummary(key: SummaryKey): void {
    if (!this.index) return;
    try {
      writeSummary(this.indexDir!, key, summarize(this.index!, this.states));
    } catch (e) {
      this.log.warn(`the tree's summary could not be kept: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A source's line in the summary, while it is shown. */
  private summaryOf(sourceId: string): SourceSummary | undefined {
    return this.preview?.sources.find((s) => s.state.sourceId === sourceId);
  }

  /** The families' lines of a source while only the summary is read. */
  familyStubs(sourceId: string): FamilySummary[] {
    return this.summaryOf(sourceId)?.families ?? [];
  }

  /** How many of each a source has, from the model or, before it is read, from the summary. */
  countOf(sourceId: string, what: 'families' | 'others' | 'otherThreads' | 'duplicates' | 'identical' | 'errors'): number {
    const s = this.summaryOf(sourceId);
    if (s) return what === 'families' ? s.families.length : s[what];
    switch (what) {
      case 'families':
        return this.familiesOf(sourceId).length;
      case 'others':
        return this.othersOf(sourceId).length;
      case 'otherThreads':
        return threadsOf(this.othersOf(sourceId), this.index?.parentOf ?? new Map()).length;
      case 'duplicates':
        return this.duplicatesOf(sourceId).length;
      case 'identical':
        return this.duplicatesOf(sourceId).filter((d) => d.identical).length;
      case 'errors':
        return this.errorsOf(sourceId).length;
    }
  }

  /** One family of the model by its id (its first Message-ID). */
  family(id: string): SeriesFamily | undefined {
    return this.index?.families.find((f) => f.id === id);
  }

  /** One source alone (its own duplicates filed); the merge with the others happens in load(). */
  private async read(p: string, sourceId: string, taken: string, onProgress: (n: number) => void): Promise<Cached> {
    // A source that could not be looked at is tried again, so that its own error (no such file, ...) is the one said.
    const signature = taken.startsWith('unreadable:') ? await sourceSignature(p) : taken;
    const hit = this.cache.get(sourceId);
    if (hit && hit.signature === signature) return hit;
    if (this.indexDir !== undefined && readConfig().mailIndex) {
      const entry = await this.readIndexed(p, signature, onProgress, hit?.mark ? { read: hit.read, mark: hit.mark } : undefined);
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
  private async readIndexed(p: string, signature: string, onProgress: (n: number) => void, prior?: { read: SourceRead; mark: ReadMark }): Promise<Cached> {
    const started = Date.now();
    const { read, fresh, notes, mark, extended } = await this.indexWorker.load(this.indexDir!, p, { onProgress }, prior);
    for (const n of notes) this.log.warn(`mail index: ${n}`);
    for (const n of notes.filter((x) => x.includes('.broken'))) void vscode.window.showWarningMessage(`Execmem Lens: ${n}`);
    this.log.info(`mail index of ${p}: ${read.seen} messages (${fresh} read now) in ${Date.now() - started} ms${extended ? '; the messages already loaded were kept, the new ones added' : ''}`);
    return { signature, read, mark, ...(extended && prior ? { extends: prior.read } : {}) };
  }

  /** Readies the index worker for the kept texts of every indexed source (see IndexWorker.warm); a failure only costs time later. */
  async warm(): Promise<void> {
    if (this.indexDir === undefined || !readConfig().mailIndex) return;
    await Promise.all(this.states.filter((s) => !s.error).map((s) => this.indexWorker.warm(this.indexDir!, s.path).catch(() => undefined)));
  }

  /** Families whose first version came from this source (each family is listed once, under one source). */
  familiesOf(sourceId: string): SeriesFamily[] {
    return this.index ? familiesOfSource(this.index, this.states, sourceId) : [];
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
    if (this.pendingSummary) {
      clearTimeout(this.pendingSummary.timer);
      this.keepSummary(this.pendingSummary.key);
      this.pendingSummary = undefined;
    }
    for (const w of this.watchers) w.dispose();
    void this.indexWorker.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
