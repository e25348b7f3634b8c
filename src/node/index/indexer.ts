/**
 * Keeping a mail index up to date with its sources, reading only what is new:
 *   public-inbox  per epoch, the commits after the last one indexed
 *                 (`git rev-list --all ^<last>`); an epoch whose last indexed
 *                 commit is gone (history rewritten) is indexed again
 *   mbox          the bytes after the indexed size, once checksums of the
 *                 indexed part's first and last 64 KiB say it is the same
 *                 file; a file that shrank or changed is indexed again
 *   folder        each file by its size and mtime: changed and new files are
 *                 read, removed ones forgotten
 * and turning the index back into the series explorer's model: every message
 * with its facts and the place to read its text again (bodies are not kept),
 * grouped into series as a full read would be.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { entryAt } from '../../core/mail/mbox';
import { decodeMessage } from '../../core/mail/message';
import { dedupe } from '../../core/series/accounting';
import { mergeSources, type SourceRead } from '../../core/series/bysource';
import { decodeFacts, indexedMessage, type Keep, keeper, type MessageLoader, personOf } from '../../core/series/facts';
import { groupSeries } from '../../core/series/group';
import type { ReadError, SeriesIndex, SourcedMessage } from '../../core/series/model';
import { type CatFiles, commitsSince } from '../git/catFile';
import { refTips } from '../git/refs';
import { detectSource, epochsOf, mailFilesOf, type MboxEntryPlace, addWalked, readCommits, readMboxFile, run, type SourceKind } from '../mail/read';
import { RowCollector } from './rowPool';
import { shortList } from './rows';
import { IndexStore, isDamage, type StoredRow } from './store';

export { foldWhiteSpace } from './rows';

export interface IndexRun {
  /** Messages the index holds for these sources (errors included: every message read is one). */
  messages: number;
  /** Messages read in this run. */
  new: number;
  ms: number;
  /** What the reader should know: an index rebuilt, a file re-read because it changed. */
  notes: string[];
}

export interface IndexOptions {
  signal?: AbortSignal;
  onProgress?: (read: number) => void;
  /** git processes kept open by a reader that updates the same epochs again and again (the store worker). */
  git?: CatFiles;
  /** Where an update's time went, added to by step (ms): for a build's report. */
  timings?: Record<string, number>;
}

/** Adds the time since `since` to `timings[step]`; gives now. */
function timed(timings: Record<string, number> | undefined, step: string, since: number): number {
  const now = performance.now();
  if (timings) timings[step] = (timings[step] ?? 0) + Math.round((now - since) * 10) / 10;
  return now;
}

const CHECK_BYTES = 64 * 1024;

interface MboxState {
  size: number;
  count: number;
  head: string;
  tail: string;
  /**
   * The last message indexed. When the file grows, it is read again with
   * whatever follows it: a delivery may have been under way when it was
   * indexed, and a message cut at a blank line looks complete (one message
   * read twice costs nothing; one cut short would be wrong for good).
   */
  open?: MboxEntryPlace;
}

/** Where the "From " line begins whose message starts at `offset` (just after that line). */
function separatorStart(file: string, offset: number): number {
  const fd = openSync(file, 'r');
  try {
    const back = Math.min(offset, 4096);
    const bytes = readRange(fd, offset - back, back);
    // bytes ends with the separator line's own newline; the line starts after the newline before it.
    const nl = bytes.lastIndexOf(0x0a, bytes.length - 2);
    return nl < 0 ? offset - back : offset - back + nl + 1;
  } finally {
    closeSync(fd);
  }
}
interface PublicInboxState {
  /** Per epoch, the tips of its refs when it was indexed (a string: the last commit, as the first indexes kept it). */
  epochs: Record<string, string[] | string>;
}
interface FolderState {
  files: Record<string, { size: number; mtimeMs: number; count: number }>;
}

/** The list a source is: "linux-arch" for .../linux-arch/git/0.git, linux-arch.vger.kernel.org.0/repo, linux-arch.mbox. */
export function listNameOf(p: string, kind: SourceKind): string {
  let parts = path.resolve(p).split(path.sep).filter(Boolean);
  if (kind === 'public-inbox') {
    while (parts.length > 1 && /^(git|repo|\d+\.git|all\.git)$/.test(parts[parts.length - 1]!)) parts = parts.slice(0, -1);
  }
  let name = parts[parts.length - 1] ?? p;
  name = name.replace(/\.(git|mbox|mboxrd|mbx)$/i, '');
  // A public-inbox epoch mirrored as "<list-id>.<N>", and a List-Id's host part.
  name = name.replace(/\.\d+$/, '');
  return shortList(name);
}

function sha1(buf: Uint8Array): string {
  return createHash('sha1').update(buf).digest('hex');
}

/** Up to `len` bytes of an open file from `at` (fewer at its end). */
function readRange(fd: number, at: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, at + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function checksums(file: string, size: number): { head: string; tail: string } {
  const fd = openSync(file, 'r');
  try {
    const read = (at: number, len: number) => readRange(fd, at, len);
    const headLen = Math.min(size, CHECK_BYTES);
    const tailAt = Math.max(0, size - CHECK_BYTES);
    return { head: sha1(read(0, headLen)), tail: sha1(read(tailAt, size - tailAt)) };
  } finally {
    closeSync(fd);
  }
}

/** Reads into a row collector (each message made into its row, see rows.ts) and files the rows. */
class RowSink {
  readonly collector: RowCollector;
  /** A part of the source taken out to be read again, and its rows as they were. */
  reread?: { prefix: string; was: { id: number; stored: string }[] };
  constructor(store: IndexStore, list: string, opts: IndexOptions) {
    this.collector = new RowCollector(list, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      drain: { every: RowSink.BATCH, run: () => this.flush(store, false) },
    });
  }
  /** Rows written so far. */
  written = 0;
  /**
   * Writes the rows made so far into the store (every few thousand messages,
   * so that an archive is never held whole); `all`: every message read.
   */
  async flush(store: IndexStore, all: boolean): Promise<void> {
    const rows = await this.collector.take(all);
    store.add(rows);
    this.written += rows.length;
  }
  static readonly BATCH = 2000;
}

async function indexPublicInbox(store: IndexStore, p: string, source: string, list: string, prior: PublicInboxState | null, sink: RowSink, notes: string[], opts: IndexOptions): Promise<PublicInboxState> {
  const state: PublicInboxState = { epochs: {} };
  const epochs = await epochsOf(p);
  const names = new Set(epochs.map((e) => path.basename(e)));
  for (const old of Object.keys(prior?.epochs ?? {})) {
    if (!names.has(old)) {
      store.dropMessages(`${old}/`);
      notes.push(`${list}: epoch ${old} is gone from ${p}; its messages were taken out of the index`);
    }
  }
  for (const epoch of epochs) {
    const name = path.basename(epoch);
    // What was indexed: the tips of the epoch's refs then (an older index kept only the last commit).
    const was = prior?.epochs[name];
    let from: string[] = was === undefined ? [] : typeof was === 'string' ? [was] : was;
    let tips: string[];
    try {
      // --git-dir, not -C (see read.ts readPublicInbox).
      // Read from the ref files when their layout allows it (no git process), else asked of git.
      tips = (await refTips(epoch)) ?? [...new Set((await run('git', [`--git-dir=${epoch}`, 'for-each-ref', '--format=%(objectname)'], opts.signal)).split('\n').filter(Boolean))];
      // New mail on the one branch indexed, walked back through a git process kept open: the walk
      // reaching the commit indexed last is also the proof that history was not rewritten.
      if (opts.git && from.length === 1 && tips.length === 1 && tips[0] !== from[0]) {
        let t = performance.now();
        const walked = await commitsSince(opts.git.of(epoch), tips[0]!, from[0]!, 1000, opts.signal).catch((e: unknown) => {
          if ((e as Error).name === 'AbortError') throw e;
          return null;
        });
        t = timed(opts.timings, 'git walk', t);
        if (walked) {
          await addWalked(epoch, walked, source, sink.collector, opts.signal);
          timed(opts.timings, 'rows made', t);
          state.epochs[name] = tips;
          continue;
        }
      }
      // Each tip indexed must still be in the history of some ref: a purge or an edit rewrites an
      // epoch, and its old commits stay in the repository (so existing proves nothing) until gc.
      for (const t of from) {
        // A tip indexed that is still a tip is in its own history: no need to ask git.
        if (tips.includes(t)) continue;
        const containing = await run('git', [`--git-dir=${epoch}`, 'for-each-ref', '--contains', t, '--format=%(refname)'], opts.signal).catch(() => '');
        if (containing.trim() === '') {
          notes.push(`${list}: epoch ${name} no longer has the commit indexed last (${t.slice(0, 12)}) in its history (rewritten); it is indexed again`);
          from = [];
          break;
        }
      }
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      store.dropMessages(`${name}/`);
      sink.collector.fail(source, name, `not a readable git repository: ${e instanceof Error ? e.message : String(e)}`, `${name}/`);
      continue;
    }
    // Read from scratch (new, rewritten, or failed before): what the index held of it goes.
    if (from.length === 0) store.dropMessages(`${name}/`);
    let commits: string[];
    try {
      // Nothing new when every tip was indexed already (the usual case when a window opens).
      const unchanged = tips.every((t) => from.includes(t));
      commits = tips.length === 0 || unchanged ? [] : (await run('git', [`--git-dir=${epoch}`, 'rev-list', '--reverse', ...tips, ...from.map((t) => `^${t}`)], opts.signal)).split('\n').filter(Boolean);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      sink.collector.fail(source, name, `not a readable git repository: ${e instanceof Error ? e.message : String(e)}`, `${name}/`);
      continue;
    }
    await readCommits(epoch, commits, source, sink.collector, opts.signal);
    state.epochs[name] = tips;
  }
  return state;
}

async function indexMbox(store: IndexStore, p: string, source: string, prior: MboxState | null, sink: RowSink, notes: string[]): Promise<MboxState> {
  const size = (await stat(p)).size;
  let from = { offset: 0, count: 0 };
  if (prior) {
    const same = prior.size <= size && (() => {
      const c = checksums(p, prior.size);
      return c.head === prior.head && c.tail === prior.tail;
    })();
    if (same) {
      if (prior.size === size) return prior;
      if (prior.open?.whole) {
        // One message with no "From " line, then more: the file is another thing now, read whole.
        store.dropMessages();
      } else if (prior.open) {
        const prefix = `${prior.open.offset}-`;
        sink.reread = { prefix, was: store.rowsAt(prefix) };
        store.dropMessages(prefix);
        from = { offset: separatorStart(p, prior.open.offset), count: prior.count - 1 };
      } else from = { offset: prior.size, count: prior.count };
    } else {
      notes.push(`${p}: the file was rewritten since it was indexed (${prior.size < size || prior.size === size ? 'its indexed part changed' : 'it is shorter'}); it is indexed again`);
      store.dropMessages();
    }
  }
  const { end, count, last } = await readMboxFile(p, source, sink.collector, from);
  const state: MboxState = { size: end, count, ...checksums(p, end) };
  if (last) state.open = last;
  return state;
}

async function indexFolder(store: IndexStore, p: string, source: string, prior: FolderState | null, sink: RowSink, notes: string[]): Promise<FolderState> {
  const names = await mailFilesOf(p);
  const state: FolderState = { files: {} };
  for (const old of Object.keys(prior?.files ?? {})) {
    if (!names.includes(old)) {
      store.dropMessages(`${old}#`);
      notes.push(`${p}: ${old} is gone; its messages were taken out of the index`);
    }
  }
  for (const name of names) {
    const file = path.join(p, name);
    let st;
    try {
      st = await stat(file);
    } catch (e) {
      store.dropMessages(`${name}#`);
      sink.collector.fail(source, name, `could not be read: ${(e as Error).message}`, `${name}#`);
      continue;
    }
    const was = prior?.files[name];
    if (was && was.size === st.size && was.mtimeMs === st.mtimeMs) {
      state.files[name] = was;
      continue;
    }
    // Changed, new, or failed before: whatever the index held of it goes (error rows of an earlier try too).
    store.dropMessages(`${name}#`);
    try {
      const { count } = await readMboxFile(file, source, sink.collector, { offset: 0, count: 0, locPrefix: `${name}#` });
      state.files[name] = { size: st.size, mtimeMs: st.mtimeMs, count };
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      sink.collector.fail(source, name, `could not be read: ${e instanceof Error ? e.message : String(e)}`, `${name}#`);
    }
  }
  return state;
}

/** The index file of one source in an index folder: named by the source's name and a hash of its absolute path. */
export function indexFileFor(dir: string, source: string): string {
  const abs = path.resolve(source);
  const slug = path.basename(abs).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'source';
  return path.join(dir, `${slug}-${createHash('sha1').update(abs).digest('hex').slice(0, 12)}.sqlite`);
}

/** The default index folder: $XDG_CACHE_HOME/execmem-lens/index, else ~/.cache/execmem-lens/index. */
export function defaultIndexDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || process.cwd(), '.cache');
  return path.join(base, 'execmem-lens', 'index');
}

/**
 * Brings one source's index up to date, reading only what is new, and
 * writes it when anything changed. Returns the messages read and what the
 * reader should know.
 */
export async function updateSource(store: IndexStore, p: string, opts: IndexOptions = {}): Promise<{ read: number; notes: string[] }> {
  const notes: string[] = [];
  const kind = await detectSource(p);
  const source = path.resolve(p);
  const list = listNameOf(p, kind);
  // One transaction: the new messages and the source's new state are written together, or not at all.
  await store.begin();
  const sink = new RowSink(store, list, opts);
  try {
    const known = store.sources();
    // An index file holds one source; anything else in it (a file copied over) is forgotten.
    for (const other of known.keys()) if (other !== source) store.dropSource(other);
    const prior = known.get(source);
    if (prior && prior.kind !== kind) {
      notes.push(`${p}: was a ${prior.kind}, is now a ${kind}; it is indexed again`);
      store.dropMessages();
    }
    const priorState = prior && prior.kind === kind ? prior.state : null;
    let state: unknown;
    let t = performance.now();
    if (kind === 'public-inbox') state = await indexPublicInbox(store, p, source, list, priorState as PublicInboxState | null, sink, notes, opts);
    else if (kind === 'mbox') state = await indexMbox(store, p, source, priorState as MboxState | null, sink, notes);
    else state = await indexFolder(store, p, source, priorState as FolderState | null, sink, notes);
    t = timed(opts.timings, 'mail read', t);
    await sink.flush(store, true);
    t = timed(opts.timings, 'rows written', t);
    if (sink.reread) {
      // The message read again came out as it was: as if it had never been taken out.
      const { prefix, was } = sink.reread;
      const now = store.rowsAt(prefix).slice(0, was.length);
      if (was.length > 0 && now.length === was.length && now.every((r, i) => r.stored === was[i]!.stored)) store.restoreIds(now.map((r, i) => [r.id, was[i]!.id]));
    }
    const changed = sink.written > 0 || notes.length > 0 || !prior || JSON.stringify(prior.state) !== JSON.stringify(state);
    if (changed) store.setSource({ id: source, kind, list, state });
    store.save();
    timed(opts.timings, 'committed', t);
  } catch (e) {
    const err = store.explain(e);
    store.rollback();
    throw err;
  } finally {
    await sink.collector.close();
  }
  return { read: sink.written, notes };
}

/**
 * The index of one source in `dir`, opened (or created) and brought up to
 * date; one found damaged on the way is set aside and built again, with a note.
 */
export async function openUpdated(
  dir: string,
  p: string,
  opts: IndexOptions = {},
  /** The table of addresses read last from this index, and the generation it was read from (see IndexStore.knowAddresses). */
  known?: { generation: string; addresses: readonly string[] },
): Promise<{ store: IndexStore; read: number; notes: string[] }> {
  const opened = await IndexStore.open(indexFileFor(dir, p));
  let store = opened.store;
  if (known) store.knowAddresses(known.generation, known.addresses);
  const notes = opened.note ? [opened.note] : [];
  try {
    const r = await updateSource(store, p, opts);
    return { store, read: r.read, notes: [...notes, ...r.notes] };
  } catch (e) {
    if (!isDamage(e)) {
      store.close();
      throw e;
    }
    const fresh = await IndexStore.replaceDamaged(store, e instanceof Error ? e.message : String(e));
    store = fresh.store;
    const r = await updateSource(store, p, opts);
    return { store, read: r.read, notes: [...notes, fresh.note, ...r.notes] };
  }
}

/** The open index of each source, in the order given. */
export interface OpenIndexes {
  stores: IndexStore[];
  sources: string[];
  close(): void;
}

/**
 * Opens (or creates) the index of each source in `dir` and brings it up to
 * date. A damaged or old index file is rebuilt, with a note.
 */
export async function indexSources(dir: string, sources: readonly string[], opts: IndexOptions = {}): Promise<{ run: IndexRun; open: OpenIndexes }> {
  const started = performance.now();
  const notes: string[] = [];
  const stores: IndexStore[] = [];
  let read = 0;
  try {
    for (const p of sources) {
      const r = await openUpdated(dir, p, opts);
      stores.push(r.store);
      read += r.read;
      notes.push(...r.notes);
    }
  } catch (e) {
    for (const s of stores) s.close();
    throw e;
  }
  const messages = stores.reduce((n, s) => n + s.count(), 0);
  const open: OpenIndexes = { stores, sources: sources.map((p) => path.resolve(p)), close: () => stores.forEach((s) => s.close()) };
  return { run: { messages, new: read, ms: Math.round(performance.now() - started), notes }, open };
}

/** Where an epoch named in a loc lies under a public-inbox source. */
export function epochDir(source: string, name: string): string {
  if (path.basename(source) === name || existsSync(path.join(source, 'HEAD'))) return source;
  for (const c of [path.join(source, 'git', name), path.join(source, name)]) if (existsSync(c)) return c;
  return path.join(source, 'git', name);
}

/** The raw bytes of an indexed message, read again from its source. */
export function rawMessage(m: Pick<SourcedMessage, 'sourceId' | 'loc'>): Uint8Array {
  const loc = m.loc ?? '';
  const pi = /^([^/]+)\/([0-9a-f]{40,64})$/.exec(loc);
  if (pi) {
    return execFileSync('git', [`--git-dir=${epochDir(m.sourceId, pi[1]!)}`, 'cat-file', 'blob', `${pi[2]}:m`], { maxBuffer: 64 * 1024 * 1024 });
  }
  const mb = /^(?:(.+)#)?(\d+)-(\d+)(w?)$/.exec(loc);
  if (!mb) throw new Error(`${m.sourceId}: no place to read this message again (${loc})`);
  const file = mb[1] === undefined ? m.sourceId : path.join(m.sourceId, mb[1]);
  const at = Number(mb[2]);
  const len = Number(mb[3]) - at;
  const fd = openSync(file, 'r');
  try {
    return entryAt(readRange(fd, at, len), mb[4] === 'w');
  } finally {
    closeSync(fd);
  }
}

/** Where a read of an index ended: what it read can be extended with rows added since, if nothing was taken out. */
export interface ReadMark {
  /** The file's generation (see IndexStore.builtAs). */
  generation: string;
  /** The last row read, and the rows read in all. */
  maxId: number;
  rows: number;
  /** The group (epoch, file of a folder) of the last row in reading order. */
  lastGroup: string;
}

const groupOf = (loc: string) => /^([^/#]+)[/#]/.exec(loc)?.[1] ?? '';

/** Reading order of groups: epochs in number order, files of a folder in name order. */
function byGroup(a: string, b: string): number {
  const na = /^(\d+)\.git$/.exec(a);
  const nb = /^(\d+)\.git$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * How a message of `store` is read again. Made apart from readIndex, whose
 * closures would otherwise share (and keep alive) its whole array of rows.
 */
export function loaderOf(store: Pick<IndexStore, 'textOf' | 'addresses'>): MessageLoader {
  return {
    text(m) {
      if (m.mime) {
        const kept = store.textOf(m.loc ?? '');
        if (kept !== null) return JSON.parse(kept) as { body: string; attachedPatches: string[] };
      }
      let bytes: Uint8Array;
      try {
        bytes = rawMessage(m);
      } catch (e) {
        return { body: `(this message could not be read again from ${m.sourceId}: ${e instanceof Error ? e.message : String(e)}; index the source again)`, attachedPatches: [] };
      }
      const decoded = decodeMessage(bytes, m.msgid);
      if ('needsMime' in decoded) return { body: '(this message needs a MIME parse that was not kept in the index; index it again to read it)', attachedPatches: [] };
      if (!decoded.ok) return { body: `(this message could not be read again: ${decoded.error})`, attachedPatches: [] };
      return decoded.value;
    },
    addresses: (ids) => store.addresses(ids),
  };
}

/**
 * The copy that counts of each Message-ID of a read that was extended, kept
 * for its next extension: making it again from 53,000 messages was a good
 * part of taking in 100 new ones.
 */
const firstCopies = new WeakMap<SourceRead, Map<string, SourcedMessage>>();

/** The messages of one source's index, as reading the source gives them (bodies read again from the source on demand). */
export function sourceReadOf(store: IndexStore, sourceId: string): SourceRead {
  return readIndex(store, sourceId).read;
}

/**
 * As sourceReadOf, with the mark of where it ended; given the read and mark
 * of an earlier read of this same file, only the rows added since are read
 * and the earlier read extended, when that gives what a whole read would:
 * nothing taken out since (the count of rows says so), and the new rows
 * coming last in reading order (an earlier epoch or file that grew is
 * read whole instead).
 */
export function readIndex(store: IndexStore, sourceId: string, prior?: { read: SourceRead; mark: ReadMark }): { read: SourceRead; mark: ReadMark; extended: boolean } {
  const loader = loaderOf(store);
  return readRows(store, loader, sourceId, prior) ?? readRows(store, loader, sourceId)!;
}

/** Rows of one index, as readRows reads them. */
export interface RowSource {
  /** The file's generation (see IndexStore.builtAs). */
  readonly builtAs: string;
  count(): number;
  /** Every row after `afterId`, in id order. */
  forEach(each: (r: StoredRow) => void, afterId?: number): void;
}

/** What readIndex gives, from `rows`; null when `prior` cannot be extended (read them all, without it). */
export function readRows(store: RowSource, loader: MessageLoader, sourceId: string, prior?: { read: SourceRead; mark: ReadMark }): { read: SourceRead; mark: ReadMark; extended: boolean } | null {
  const reader = new RowReader(sourceId, loader, store.builtAs, prior);
  store.forEach((r) => reader.add(r), reader.afterId);
  return reader.finish(store.count());
}

/**
 * The messages of one index made from its rows as they come (the rows
 * themselves, with their JSON, are never all held at once: a store worker's
 * rows are taken batch by batch), then put in reading order by finish().
 */
export class RowReader {
  private readonly usable: boolean;
  private readonly keep = keeper();
  private readonly made: ({ message: SourcedMessage } | { error: ReadError })[] = [];
  private readonly groups: string[] = [];
  private maxId: number;

  constructor(
    private readonly sourceId: string,
    private readonly loader: MessageLoader,
    private readonly builtAs: string,
    private readonly prior?: { read: SourceRead; mark: ReadMark },
  ) {
    this.usable = prior !== undefined && prior.mark.generation === builtAs;
    this.maxId = this.afterId;
  }

  /** The rows to give: those after this id (0: all of them). */
  get afterId(): number {
    return this.usable ? this.prior!.mark.maxId : 0;
  }

  add(r: StoredRow): void {
    this.made.push(ofRow(r, this.sourceId, this.loader, this.keep));
    this.groups.push(this.keep(groupOf(r.loc)));
    this.maxId = Math.max(this.maxId, r.id);
  }

  /** The read, once every row after afterId was added and the index holds `count` rows; null: read them all, without prior. */
  finish(count: number): { read: SourceRead; mark: ReadMark; extended: boolean } | null {
    const { made, groups, sourceId, prior, usable, maxId } = this;
    const extended = usable && prior!.mark.rows + made.length === count && groups.every((g) => byGroup(g, prior!.mark.lastGroup) >= 0);
    if (usable && !extended) return null;
    // In reading order: by epoch (in number order) or file of a folder (in name order), then as
    // read. A part read again (a changed file, a rewritten epoch) was written last, but a full
    // read meets it in its place, and the first copy of a Message-ID is the one that counts.
    const rank = new Map([...new Set(groups)].sort(byGroup).map((g, i) => [g, i]));
    const order = made.map((_, i) => i).sort((x, y) => rank.get(groups[x]!)! - rank.get(groups[y]!)! || x - y);
    const messages: SourcedMessage[] = [];
    const errors: ReadError[] = [];
    for (const i of order) {
      const m = made[i]!;
      if ('message' in m) messages.push(m.message);
      else errors.push(m.error);
    }
    const lastGroup = order.length ? groups[order[order.length - 1]!]! : extended ? prior!.mark.lastGroup : '';
    const mark: ReadMark = { generation: this.builtAs, maxId, rows: (extended ? prior!.mark.rows : 0) + made.length, lastGroup };
    if (!extended) {
      const first = new Map<string, SourcedMessage>();
      const d = dedupe(messages, first);
      const read: SourceRead = { sourceId, messages: d.messages, duplicates: d.duplicates, errors, seen: made.length };
      firstCopies.set(read, first);
      return { read, mark, extended: false };
    }
    // The new messages after the earlier ones: a Message-ID read before is a duplicate of that copy.
    const before = prior!.read;
    let first = firstCopies.get(before);
    firstCopies.delete(before);
    first ??= new Map(before.messages.map((m) => [m.msgid, m]));
    const d = dedupe(messages, first);
    const read: SourceRead = { sourceId, messages: [...before.messages, ...d.messages], duplicates: [...before.duplicates, ...d.duplicates], errors: [...before.errors, ...errors], seen: before.seen + made.length };
    // Kept for the next extension of this read (and no other: the read it extended loses it).
    firstCopies.set(read, first);
    return { read, mark, extended: true };
  }
}

/** A row of an index as a message (its facts decoded, its text left to `loader`), or the error it records. */
function ofRow(r: StoredRow, sourceId: string, loader: MessageLoader, keep: Keep): { message: SourcedMessage } | { error: ReadError } {
  if (r.kind === 'error') return { error: { msgid: r.msgid, origin: r.origin, message: r.error ?? 'could not be read', sourceId, loc: r.loc } };
  return {
    message: indexedMessage(
      {
        msgid: keep(r.msgid ?? ''),
        syntheticId: r.synthetic,
        subject: r.subject,
        from: personOf(keep, r.fromName, r.fromAddr),
        date: r.date,
        time: r.time,
        inReplyTo: r.irt === null ? null : keep(r.irt),
        references: r.refs.length === 0 ? [] : r.refs.map(keep),
        size: r.size,
        origin: r.origin,
        sourceId,
        loc: r.loc,
        list: keep(r.list),
        ...(r.toIds ? { toIds: r.toIds } : {}),
        ...(r.ccIds ? { ccIds: r.ccIds } : {}),
        ...(r.hasText ? { mime: true as const } : {}),
        facts: decodeFacts(r.facts ?? '[]', keep),
      },
      loader,
    ),
  };
}

/**
 * One source through its index in `dir`: brought up to date (only new mail
 * is read), then its messages as reading it gives them. An index that SQLite
 * finds damaged only while it is read whole is set aside and built again,
 * with a note. The database is closed again (its memory given back); a
 * message whose text the index keeps opens it again when asked.
 */
export async function loadSource(
  dir: string,
  p: string,
  opts: IndexOptions = {},
  /** The last read of this source through this index: only what was added since is read, when that gives the same. */
  prior?: { read: SourceRead; mark: ReadMark; addresses?: readonly string[] },
): Promise<{ read: SourceRead; fresh: number; notes: string[]; mark: ReadMark; extended: boolean; addresses: readonly string[] }> {
  const sourceId = path.resolve(p);
  let { store, read: fresh, notes } = await openUpdated(dir, p, opts, prior?.addresses ? { generation: prior.mark.generation, addresses: prior.addresses } : undefined);
  const withTable = (r: { read: SourceRead; mark: ReadMark; extended: boolean }) => ({ ...r, addresses: store.addressTable() });
  try {
    try {
      // Rows taken out by this update (a file changed, the last mbox message read again): read whole.
      const from = store.dropped === 0 ? prior : undefined;
      const t = performance.now();
      const read = await store.reading(() => withTable(readIndex(store, sourceId, from)));
      timed(opts.timings, 'rows read back', t);
      return { ...read, fresh, notes };
    } catch (e) {
      if (!isDamage(e)) throw e;
      const replaced = await IndexStore.replaceDamaged(store, e instanceof Error ? e.message : String(e));
      store = replaced.store;
      fresh = (await updateSource(store, p, opts)).read;
      return { ...(await store.reading(() => withTable(readIndex(store, sourceId)))), fresh, notes: [...notes, replaced.note] };
    }
  } finally {
    store.close();
  }
}

/** What the explorer shows from an index: the grouped series and the read's accounting. */
export interface LoadedIndex {
  index: SeriesIndex;
  reads: SourceRead[];
}

/**
 * The indexes of `open` as the explorer's model: each source's messages in
 * reading order, the sources merged in the order given (a copy from another
 * list noted as "also on"), grouped into series.
 */
export function loadIndex(open: OpenIndexes): LoadedIndex {
  const reads = open.stores.map((store, i) => sourceReadOf(store, open.sources[i]!));
  const merged = mergeSources(reads);
  return { index: groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates }), reads };
}
