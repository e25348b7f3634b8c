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
import { mergeSources, type SourceRead } from '../../core/series/bysource';
import { hitOf, searchEntries, type SearchEntry, type SearchHit } from '../../core/search/docs';
import type { Query } from '../../core/search/query';
import { matchEntries, matchWithoutBodies } from '../../node/search/match';
import { SearchPlan } from '../../core/search/plan';
import { samePath } from '../../core/search/history';
import { groupSeries } from '../../core/series/group';
import type { DuplicateMessage, ReadError, SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { familiesOfSource, familySummary, sourceStates, SUMMARY_VERSION, type FamilySummary, type SourceProblem, type SourceState, type SourceSummary, type TreeSummary, type TriedSource } from '../../core/series/summary';
import { answersOf, threadsOf } from '../../core/series/thread';
import type { PatchEntry } from '../../core/series/model';
import { IndexWorker } from '../../node/index/remote';
import { imageFileFor, imageKey, lazyIndex, ModelImage, versionStubOf, type VersionStub } from '../../node/index/image';
import { sourceReadError, type BuildReport } from '../../node/index/model';
import { keyText, type SummaryKey } from '../../node/index/summaryFile';
import { expandSources, readSources } from '../../node/mail/read';
import { sourceSignature } from '../../node/mail/signature';
import { readConfig } from '../config';
import type { MailSources } from './sources';

interface Cached {
  signature: string;
  read: SourceRead;
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
  private states: SourceState[] = [];
  private bySource = new Map<string, SourceMail>();
  private answers: Map<string, SourcedMessage[]> | undefined;
  private plan: SearchPlan<SearchEntry> | undefined;
  /** What the view shows while the full model is read, when the summary kept for these sources still holds. */
  private summary: TreeSummary | undefined;
  private loading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;
  /**
   * With the mail index: the model as the worker wrote it (image.ts), read a
   * slice at a time; this thread never holds the whole of a list archive.
   */
  private image: ModelImage | undefined;
  /** What the image was written under (the worker searches it). */
  private imageInputs = '';
  /** The next load makes the model again whatever is kept (the Refresh command). */
  private rebuild = false;
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

  /** The summary shown before the full model is read (undefined once it is, or when none held). */
  get preview(): TreeSummary | undefined {
    return this.index && !this.image ? undefined : this.summary;
  }

  /** The model is read from an image, a slice at a time: the tree lists families from the summary and reads one when it is expanded. */
  get lazy(): boolean {
    return this.image !== undefined;
  }

  get sourceStates(): readonly SourceState[] {
    return this.states;
  }

  /** Loads again after any load in flight; a failed load does not stop later ones. */
  reload(force = false): Promise<void> {
    if (force) {
      this.cache.clear();
      // Refresh makes the model again even when the sources look unchanged (a kept model is not trusted blindly).
      this.rebuild = true;
    }
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
    if (!this.index) await (this.loading ?? this.reload());
    return this.index!;
  }

  private async load(): Promise<void> {
    // A folder of lists (grokmirror/lei layout) is each of its lists, one source each.
    const paths = await expandSources(this.sources.paths());
    // Taken once, before anything is read: mail that comes during the read makes the next ones differ.
    const signatures = await Promise.all(paths.map(async (p) => ({ path: p, signature: await signatureOf(p) })));
    const summaries = this.indexDir !== undefined && readConfig().mailIndex;
    if (summaries) {
      await this.loadImage(paths, { producer: producer(this.producerVersion), sources: signatures });
      this.changed.fire();
      return;
    }
    this.image = undefined;
    await vscode.window.withProgress(
      { location: { viewId: 'execmemLens.series' }, title: 'Reading mail', cancellable: false },
      async () => {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Execmem Lens: reading mail' },
          async (progress) => {
            const started = Date.now();
            const reads: SourceRead[] = [];
            const tried: TriedSource[] = [];
            const taken = new Set<string>();
            for (const p of paths) {
              const sourceId = path.resolve(p);
              if (taken.has(sourceId)) continue;
              taken.add(sourceId);
              progress.report({ message: p });
              try {
                const entry = await this.read(p, sourceId, signatures.find((x) => x.path === p)!.signature, (n) => progress.report({ message: `${p}: ${n} messages` }));
                reads.push(entry.read);
                tried.push({ path: p, sourceId });
              } catch (e) {
                const message = sourceReadError(p, e);
                this.log.error(`mail source ${p}: ${message}`);
                tried.push({ path: p, sourceId, error: message });
              }
            }
            // A source no longer configured need not be kept in memory.
            for (const id of this.cache.keys()) if (!taken.has(id)) this.cache.delete(id);
            const index = this.grouped(reads);
            const bySource = new Map<string, SourceMail>();
            const mailOf = (id: string | undefined): SourceMail => {
              let m = bySource.get(id ?? '');
              if (!m) bySource.set(id ?? '', (m = { others: [], duplicates: [], errors: [] }));
              return m;
            };
            for (const m of index.others) mailOf(m.sourceId).others.push(m);
            for (const d of index.duplicates) mailOf(d.sourceId).duplicates.push(d);
            for (const e of index.errors) mailOf(e.sourceId).errors.push(e);
            const { states, problems } = sourceStates(index, tried, reads);
            this.logProblems(problems);
            this.index = index;
            this.bySource = bySource;
            this.answers = undefined;
            this.plan = undefined;
            this.states = states;
            this.summary = undefined;
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

  /**
   * Through the mail index: the image kept for exactly these sources as they
   * are now, or one the worker makes (each index brought up to date, the
   * mail grouped there, new replies put into the model it still holds).
   */
  private async loadImage(paths: string[], key: SummaryKey): Promise<void> {
    const dir = this.indexDir!;
    const inputs = keyText(key);
    const file = imageFileFor(dir, paths);
    const started = Date.now();
    const loaders = (sourceId: string, addresses: () => readonly string[]) => this.indexWorker.textLoader(dir, sourceId, addresses);
    const force = this.rebuild;
    this.rebuild = false;
    let img = force ? undefined : ModelImage.open(file, imageKey(inputs), loaders);
    if (img) {
      this.log.info(`the model kept for these sources opened in ${Date.now() - started} ms: ${img.header.messageCount} messages, ${img.header.versionCount} series versions`);
    } else {
      const report = await vscode.window.withProgress({ location: { viewId: 'execmemLens.series' }, title: 'Reading mail', cancellable: false }, () =>
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Execmem Lens: reading mail' }, (progress) =>
          this.indexWorker.model(dir, paths, inputs, file, (p, n) => progress.report({ message: `${p}: ${n} messages` }), force),
        ),
      );
      this.logBuild(report, Date.now() - started);
      img = ModelImage.open(file, imageKey(inputs), loaders);
      if (!img) throw new Error(`${file}: the model the index worker wrote could not be read back`);
    }
    // The image before is not closed: what the views still hold of it reads its file until it is let go.
    this.image = img;
    this.imageInputs = inputs;
    const told = new Set<string>();
    this.index = lazyIndex(img, (what) => {
      if (told.has(what)) return;
      told.add(what);
      this.log.info(`the whole model was read for ${what}`);
    });
    this.states = img.header.states;
    this.summary = img.header.summary;
    this.bySource = new Map();
    this.answers = undefined;
    this.plan = undefined;
    this.showable?.resolve();
  }

  private logProblems(problems: readonly SourceProblem[]): void {
    for (const p of problems) {
      if (p.error) this.log.error(p.text);
      else this.log.warn(p.text);
    }
  }

  private logBuild(r: BuildReport, ms: number): void {
    for (const s of r.sources) this.log.info(`mail index of ${s.path}: ${s.seen} messages (${s.fresh} read now) in ${s.ms} ms${s.extended ? '; the messages already loaded were kept, the new ones added' : ''}`);
    for (const n of r.notes) this.log.warn(`mail index: ${n}`);
    for (const n of r.notes.filter((x) => x.includes('.broken'))) void vscode.window.showWarningMessage(`Execmem Lens: ${n}`);
    for (const f of r.failed) this.log.error(`mail source ${f.path}: ${f.message}`);
    this.logProblems(r.problems);
    const c = r.counts;
    this.log.info(
      `read ${c.messages} messages from ${r.sources.length + r.failed.length} source(s): ${c.versions} series versions in ${c.families} families, ` +
        `${c.replies} replies, ${c.others} other, ${c.duplicates} duplicates, ${c.errors} unreadable (${ms} ms; ` +
        `${r.grouped === 'extended' ? 'new mail put into the model already made' : 'grouped'} in ${r.groupMs} ms, the model image written in ${r.image.ms} ms: ${(r.image.written / 1e6).toFixed(1)} of ${(r.image.bytes / 1e6).toFixed(1)} MB)`,
    );
  }

  /** The sources' mail merged and grouped, from scratch. */
  private grouped(reads: SourceRead[]): SeriesIndex {
    const merged = mergeSources(reads);
    return groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
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
    if (this.image) return this.image.family(id);
    return this.index?.families.find((f) => f.id === id);
  }

  /** The versions whose patches may have touched `file` (all of them without an image; with one, only the families whose patches name such a path are read). */
  versionsTouching(file: string, exact: boolean): Pick<SeriesIndex, 'series'> {
    if (!this.image) return { series: this.index?.series ?? [] };
    // Lenses ask again at every edit and scroll: the last few files' families are kept (the same image only).
    const key = `${exact ? '=' : '~'}${file}`;
    const hit = this.touching.get(key);
    if (hit && hit.image === this.image) {
      this.touching.delete(key);
      this.touching.set(key, hit);
      return hit.found;
    }
    const found = { series: this.image.familiesTouching((p) => samePath(p, file, exact)).flatMap((f) => f.versions) };
    this.touching.set(key, { image: this.image, found });
    if (this.touching.size > 4) this.touching.delete(this.touching.keys().next().value!);
    return found;
  }

  /** The versions whose patches touched each file asked of versionsTouching lately, with the image they came from. */
  private readonly touching = new Map<string, { image: ModelImage; found: Pick<SeriesIndex, 'series'> }>();

  /** Every family's line, source by source, without reading the families. */
  allFamilyStubs(): FamilySummary[] {
    if (this.image) return this.summary?.sources.flatMap((s) => s.families) ?? [];
    return (this.index?.families ?? []).map(familySummary);
  }

  /** Every series version as pickers list them, oldest first, without reading their families. */
  versionStubs(): VersionStub[] {
    if (this.image) return this.image.versionStubs();
    return (this.index?.series ?? []).map((v) => versionStubOf(v, -1));
  }

  /** The id of the family a version is in. */
  familyIdOf(versionId: string): string | undefined {
    if (this.image) return this.image.familyOfVersion(versionId)?.id;
    return this.index?.series.find((v) => v.id === versionId)?.family;
  }

  /** The series version (and patch) a message is the cover or a patch of. */
  placeOf(msgid: string): { version: SeriesVersion; patch: PatchEntry | null } | undefined {
    const versions = this.image ? (this.image.familyHolding(msgid)?.versions ?? []) : (this.index?.series ?? []);
    for (const version of versions) {
      if (version.cover?.msgid === msgid) return { version, patch: null };
      const patch = [...version.patches, ...version.extras].find((p) => p.message.msgid === msgid);
      if (patch) return { version, patch };
    }
    return undefined;
  }

  /** The answers to each message of the thread that starts at rootId, oldest first. */
  threadAnswers(rootId: string): Map<string, SourcedMessage[]> {
    if (!this.image) return this.answersOf();
    const t = this.image.thread(rootId);
    return answersOf(t.parentOf, new Map(t.messages.map((m) => [m.msgid, m])));
  }

  /** One source alone (its own duplicates filed); the merge with the others happens in load(). */
  private async read(p: string, sourceId: string, taken: string, onProgress: (n: number) => void): Promise<Cached> {
    // A source that could not be looked at is tried again, so that its own error (no such file, ...) is the one said.
    const signature = taken.startsWith('unreadable:') ? await sourceSignature(p) : taken;
    const hit = this.cache.get(sourceId);
    if (hit && hit.signature === signature) return hit;
    const result = await readSources([p], { onProgress });
    const entry: Cached = { signature, read: { sourceId, messages: result.messages, duplicates: result.duplicates, errors: result.errors, seen: result.seen } };
    this.cache.set(sourceId, entry);
    return entry;
  }

  /** Readies the index worker for the kept texts of every indexed source (see IndexWorker.warm); a failure only costs time later. */
  async warm(): Promise<void> {
    if (this.indexDir === undefined || !readConfig().mailIndex) return;
    await Promise.all(this.states.filter((s) => !s.error).map((s) => this.indexWorker.warm(this.indexDir!, s.path).catch(() => undefined)));
  }

  /** Families whose first version came from this source (each family is listed once, under one source). */
  familiesOf(sourceId: string): SeriesFamily[] {
    if (this.image) return this.familyStubs(sourceId).flatMap((f) => this.image!.family(f.id) ?? []);
    return this.index ? familiesOfSource(this.index, this.states, sourceId) : [];
  }

  /** Mail of this source that is neither a series nor a reply to one. */
  othersOf(sourceId: string): SourcedMessage[] {
    if (this.image) return this.image.others(sourceId);
    return (this.bySource.get(sourceId) ?? NO_MAIL).others;
  }

  /** Messages read from this source whose Message-ID had been read before. */
  duplicatesOf(sourceId: string): DuplicateMessage[] {
    if (this.image) return this.image.duplicates(sourceId);
    return (this.bySource.get(sourceId) ?? NO_MAIL).duplicates;
  }

  /** Messages (files, epochs) of this source that could not be read. */
  errorsOf(sourceId: string): ReadError[] {
    if (this.image) return this.image.errors(sourceId);
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

  /** Distinct messages of the model (what a search looks through). */
  get messageCount(): number {
    return this.index?.byId.size ?? 0;
  }

  /**
   * A lore query over the mail: hits newest first (at most 2,000, `total`
   * says how many), the series of each. Without `bodies`, what headers and
   * facts decide, and how many only bodies can; with, those read again from
   * the mail. With a model image the worker answers (it holds the whole
   * model while it searches); else the plan here does.
   */
  async search(query: Query, opts: { bodies: boolean; signal?: AbortSignal; all?: boolean }): Promise<{ hits: SearchHit[]; total: number; undecided: number }> {
    await this.ensure();
    if (this.image) return this.indexWorker.search(this.indexDir!, this.image.file, this.imageInputs, query, opts.bodies, opts.all);
    const plan = this.searchPlan();
    const r = opts.bodies ? { hits: await matchEntries(plan, query, opts.signal), undecided: 0 } : matchWithoutBodies(plan, query);
    const hits = r.hits.map(hitOf).sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || (a.msgid < b.msgid ? -1 : 1));
    return { hits, total: hits.length, undecided: r.undecided };
  }

  /** The mail as search documents, with posting lists built as queries need them (kept until the mail changes). */
  searchPlan(): SearchPlan<SearchEntry> {
    if (!this.plan) this.plan = new SearchPlan(this.index ? searchEntries(this.index) : []);
    return this.plan;
  }

  version(id: string): SeriesVersion | undefined {
    if (this.image) return this.image.version(id);
    return this.index?.series.find((s) => s.id === id);
  }

  message(msgid: string): SourcedMessage | undefined {
    return this.image ? this.image.message(msgid) : this.index?.byId.get(msgid);
  }

  dispose(): void {
    if (this.settle) clearTimeout(this.settle);
    for (const w of this.watchers) w.dispose();
    this.image?.close();
    void this.indexWorker.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
