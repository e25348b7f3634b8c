/**
 * A model image: the grouped series of a set of mail sources, kept on disk in
 * slices, so that an extension host holds what a reader has open and not the
 * archive.
 *
 * Grouping needs every message at once (threads, families, versions,
 * supersession), and a list archive's model is some 90 MB of small objects;
 * an engine that has built that much keeps the pages for the life of the
 * process. So a worker groups (storeWorker.ts), writes the result here, and
 * ends; the host reads the header (the tree's summary, every Message-ID with
 * its slice and its parent) and then one slice at a time as families are
 * expanded, threads opened, histories asked for.
 *
 * Layout: "EXLMODEL", the header's offset and length (little-endian u64 and
 * u32), the slices, the header (JSON). A slice is one family (its versions,
 * patches and every reply, as v8's structured clone keeps them), a chunk of
 * a source's other mail (whole threads), its duplicates, its unreadable
 * messages, its table of addresses, or the paths patches touch. It is derived
 * data like the tree's summary: written whole and atomically under a key that
 * names every input, and thrown away when the key does not match.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { createHash } from 'node:crypto';
import type { MessageLoader } from '../../core/series/facts';
import { decodeFacts, encodeFacts, keeper, revivedMessage, type Keep } from '../../core/series/facts';
import { indexedPatch, isIndexedPatch } from '../../core/series/group';
import type { Mailbox } from '../../core/mail/message';
import type { DuplicateMessage, GivenTrailer, PatchEntry, ReadError, SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from '../../core/series/model';
import { headOf, type OtherThreads, otherThreadsOf, parseSummary, versionLabel, type SourceState, type TreeSummary } from '../../core/series/summary';
import { type ThreadNode } from '../../core/series/thread';
import { flushFolder } from '../fs/atomic';
import { threadId } from 'node:worker_threads';

/** Bumped whenever the layout or what a slice holds changes. */
export const IMAGE_VERSION = 1;
const MAGIC = Buffer.from('EXLMODEL', 'latin1');
const PREFIX = 20;
/** A source's other mail is kept in chunks of whole threads of about this many messages. */
const OTHERS_CHUNK = 400;
/** How many slices read last are held even when nothing else holds them. */
const STRONG = 32;

/** A version as pickers list it, without loading its family. */
export interface VersionStub {
  id: string;
  /** The slice of its family. */
  family: number;
  title: string;
  label: string;
  author: Mailbox;
  date: string | null;
  /** Its first message (the cover, else its lowest patch). */
  head: string | null;
}

export interface ImageSource {
  sourceId: string;
  others: number[];
  duplicates: number;
  errors: number;
  addresses: number;
}

export interface ImageHeader {
  key: string;
  states: SourceState[];
  summary: TreeSummary;
  messageCount: number;
  replyCount: number;
  /**
   * Every distinct message, with the slice it is in and the position of the
   * message it answers (-1: none read). In the file these are three raw
   * slices named by `directory` (the Message-IDs one per line, the numbers
   * as 32-bit integers): as JSON they were most of the header, which is
   * written again with every change. ModelImage.ids reads the Message-IDs when first asked for.
   */
  directory: { count: number; ids: [number, number][]; at: [number, number]; parent: [number, number] };
  /** Families in the model's order: id and slice. */
  families: [string, number][];
  /** The slice of every version's stub (VersionStub[], in the model's order): read when a picker or a look-up by version needs it. */
  versions: number;
  /** How many series versions there are. */
  versionCount: number;
  sources: ImageSource[];
  /** The slice of [path, family slices][] (every path a patch touches, old names too). */
  paths: number;
  slices: [offset: number, length: number][];
}

/** The key an image is kept under: the inputs (as the summary's key names them), this layout and the engine that wrote its slices. */
export function imageKey(inputs: string): string {
  return JSON.stringify([IMAGE_VERSION, process.versions.v8, inputs]);
}

/** One file per set of sources (their paths), whatever their signatures. */
export function imageFileFor(dir: string, sources: readonly string[]): string {
  const h = createHash('sha1').update(JSON.stringify(sources.map((s) => path.resolve(s)))).digest('hex').slice(0, 16);
  return path.join(dir, `model-${h}.bin`);
}

/**
 * Plain copies of messages and patches to keep, their facts as the index
 * writes them (encodeFacts: a third of their structured clone's size). Each
 * message is copied once, so a slice keeps it once.
 */
function plainer(): { message: (m: SourcedMessage) => object; patch: (p: PatchEntry) => object; version: (v: SeriesVersion) => object } {
  const made = new Map<SourcedMessage, object>();
  const message = (m: SourcedMessage): object => {
    let c = made.get(m);
    if (!c) {
      const own = { ...m } as Record<string, unknown>;
      if (m.facts) own.facts = encodeFacts(m.facts);
      made.set(m, (c = own));
    }
    return c;
  };
  const patch = (p: PatchEntry): object => {
    if (!isIndexedPatch(p)) throw new Error(`a model image holds indexed mail only: patch <${p.message.msgid}> was read in full`);
    return { index: p.index, message: message(p.message), trailers: p.trailers, findings: p.findings, replies: p.replies.map(message) };
  };
  const version = (v: SeriesVersion): object => ({ ...v, cover: v.cover ? message(v.cover) : null, coverReplies: v.coverReplies.map(message), patches: v.patches.map(patch), extras: v.extras.map(patch) });
  return { message, patch, version };
}

/**
 * In a family's slice, a version kept in a slice of its own: new replies
 * change one version of a family, and a long series' family (every version,
 * every reply) was megabytes to write again for each batch of new mail.
 */
interface VersionRef {
  versionSlice: number;
}

function isVersionRef(x: unknown): x is VersionRef {
  return typeof x === 'object' && x !== null && Number.isSafeInteger((x as VersionRef).versionSlice);
}

/** A version's stub, its family at slice `family` (-1: a model not read from an image). */
export function versionStubOf(v: SeriesVersion, family: number): VersionStub {
  return { id: v.id, family, title: v.title, label: versionLabel(v), author: v.author, date: v.date, head: headOf(v)?.msgid ?? null };
}

/**
 * What a writer remembers of the image it wrote last, to write the next one
 * by adding only the slices that changed to the end of the same file (new
 * replies change a few families of a list archive, and rewriting all of it
 * took two seconds): each slice's place by what it holds, and a fingerprint
 * of what was in it.
 */
export interface ImageLayout {
  file: string;
  /** The file's length after that write. */
  size: number;
  /** Bytes of slices no header names any more. */
  dead: number;
  slices: Map<string, { span: [number, number]; print: string }>;
  /** The file written (its inode) and where its header lies: an append checks the file is still that one. */
  ino?: number;
  head: [number, number];
  /** The Message-IDs written, in chunks: how many, the last, and where each chunk lies. */
  ids?: { count: number; last: string; chunks: [number, number][] };
  /**
   * The directory as written, for the next write to start from: the slices'
   * names in the order numbered, the Message-IDs and their places, each
   * message's slice and parent. New replies change a few slices; placing all
   * of a list archive's messages again was a third of the write.
   */
  directory?: { names: string[]; ids: string[]; position: Map<string, number>; at: Int32Array; parent: Int32Array };
}

/** What changes in a version when replies are put into it (extendSeries): its replies and trailers, counted per patch, hashed. */
function versionPrint(v: SeriesVersion): string {
  let h = 0x811c9dc5;
  const mix = (n: number) => {
    h = Math.imul(h ^ n, 0x01000193);
  };
  mix(v.replyCount);
  mix(v.coverReplies.length);
  mix(v.coverTrailers.length);
  for (const list of [v.patches, v.extras]) {
    mix(list.length);
    for (const p of list) {
      mix(p.trailers.length);
      mix(p.replies.length);
    }
  }
  return `${v.id}:${(h >>> 0).toString(36)}`;
}

/**
 * Writes `index` as an image under `key`; `addresses` is each source's table
 * of addresses (To and Cc are kept as numbers into it). Given the layout of
 * the last write to the same file, the slices whose content is unchanged
 * are kept where they are and the rest added at the file's end, then the
 * header, then the pointer to it at the start (a crash before that leaves
 * the image as it was); else the file is written whole, atomically.
 */
export function writeImage(
  file: string,
  key: string,
  index: SeriesIndex,
  states: readonly SourceState[],
  summary: TreeSummary,
  addresses: ReadonlyMap<string, readonly string[]>,
  prior?: ImageLayout,
  /** otherThreadsOf(index), when made already. */
  threads: OtherThreads = otherThreadsOf(index),
): { bytes: number; slices: number; written: number; layout: ImageLayout; steps: Record<string, number> } {
  const steps: Record<string, number> = {};
  let lap = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    steps[name] = Math.round(now - lap);
    lap = now;
  };
  let size = PREFIX;
  // Added to only when the file is still the one that write left: another window's worker may have written
  // these sources' image since (a new file, renamed over this one), and its pointer then names another header.
  if (prior && prior.file === file && prior.dead < prior.size / 2 && prior.ino !== undefined) {
    try {
      const st = statSync(file);
      const fd = openSync(file, 'r');
      try {
        const p = readExactly(fd, PREFIX, 0);
        const same = st.ino === prior.ino && st.size >= prior.size && p.subarray(0, 8).equals(MAGIC) && Number(p.readBigUInt64LE(8)) === prior.head[0] && p.readUInt32LE(16) === prior.head[1];
        if (same) size = prior.size;
      } finally {
        closeSync(fd);
      }
    } catch {
      // Gone or unreadable: written whole.
    }
  }
  const appending = size > PREFIX;
  // Each slice goes to the file as it is made: holding a list archive's slices until the end kept some
  // 70 MB of buffers that the C library did not give back when the worker that made them ended.
  mkdirSync(path.dirname(file), { recursive: true });
  const target = appending ? file : `${file}.${process.pid}.${threadId}.tmp`;
  const fd = openSync(target, appending ? 'r+' : 'w', 0o644);
  let fdOpen = true;
  const out = (b: Uint8Array, at: number) => {
    for (let done = 0; done < b.length; ) done += writeSync(fd, b, done, b.length - done, at + done);
  };
  try {
    const spans: [number, number][] = [];
    const layout: ImageLayout = { file, size: 0, dead: 0, slices: new Map(), head: [0, 0] };
    let written = 0;
    // The directory: every message by its place in byId (new mail only ever adds to its end), its
    // slice and its parent. Started from the last write's when this one adds to it and byId still
    // begins with the Message-IDs it had (then only the slices written again place their messages).
    const was = appending ? prior!.directory : undefined;
    let from = 0;
    if (was && was.ids.length > 0 && was.ids.length <= index.byId.size) {
      // Still the same start if the last Message-ID written is still where it was.
      let k = 0;
      for (const id of index.byId.keys()) {
        if (++k < was.ids.length) continue;
        if (id === was.ids[was.ids.length - 1]) from = was.ids.length;
        break;
      }
    }
    const ids = from > 0 ? was!.ids : [];
    const position = from > 0 ? was!.position : new Map<string, number>();
    let k = 0;
    for (const id of index.byId.keys()) {
      if (k++ < from) continue;
      position.set(id, ids.length);
      ids.push(id);
    }
    const at = new Int32Array(ids.length).fill(-1);
    if (from > 0) at.set(was!.at);
    /** Each slice's name, in the order numbered, and who its messages are (asked only of slices whose messages are placed). */
    const names: string[] = [];
    const members: (() => Iterable<SourcedMessage | null>)[] = [];
    const fresh: boolean[] = [];
    /** A slice by what it holds (`name`), kept from the last write when its print is the same (null: never), else made by `make` (raw bytes with `raw`). */
    const add = (name: string, print: string | null, make: () => unknown, raw = false, holds: () => Iterable<SourcedMessage | null> = () => []): number => {
      const before = appending ? prior!.slices.get(name) : undefined;
      let span: [number, number];
      const kept = before !== undefined && print !== null && before.print === print;
      if (kept) span = before.span;
      else {
        const b = raw ? (make() as Buffer) : serialize(make());
        out(b, size);
        span = [size, b.length];
        size += b.length;
        written += b.length;
      }
      layout.slices.set(name, { span, print: print ?? '' });
      spans.push(span);
      names.push(name);
      members.push(holds);
      fresh.push(!kept);
      return spans.length - 1;
    };
    const families: [string, number][] = [];
    const familySlice = new Map<string, number>();
    let patchCount = 0;
    for (const f of index.families) {
      for (const v of f.versions) patchCount += v.patches.length + v.extras.length;
      // Each version a slice, then the family's slice naming them (and holding its messages' places).
      const prints = f.versions.map(versionPrint);
      const versionSlices = f.versions.map((v, i) => add(`v\u0000${v.id}`, prints[i]!, () => plainer().version(v)));
      const refs: VersionRef[] = versionSlices.map((n) => ({ versionSlice: n }));
      const slice = add(`f\u0000${f.id}`, `${versionSlices.join(',')}|${prints.join(' ')}`, () => ({ ...f, versions: refs }), false, function* () {
        for (const v of f.versions) {
          yield v.cover;
          yield* v.coverReplies;
          for (const list of [v.patches, v.extras]) {
            for (const p of list) {
              yield p.message;
              yield* p.replies;
            }
          }
        }
      });
      families.push([f.id, slice]);
      familySlice.set(f.id, slice);
    }
    step('families');
    // A version's stub changes only when versions do (new replies never add one).
    const familyOrder = `${index.families.length}:${index.series.length}:${index.series[index.series.length - 1]?.id ?? ''}`;
    // Made only when written (new replies change no stub).
    const stubs = () => index.series.map((v) => versionStubOf(v, familySlice.get(v.family) ?? -1));
    // Paths a patch touches, for a file's history: which families to read. New replies change none of them.
    const pathSlice = add('paths', `${patchCount}:${families.map(([, n]) => n).join(',')}`, () => {
      const paths = new Map<string, Set<number>>();
      for (const v of index.series) {
        const slice = familySlice.get(v.family);
        if (slice === undefined) continue;
        for (const p of [...v.patches, ...v.extras]) {
          for (const f of p.message.facts?.files ?? []) {
            for (const name of [f.path, f.oldPath]) {
              if (!name) continue;
              let s = paths.get(name);
              if (!s) paths.set(name, (s = new Set()));
              s.add(slice);
            }
          }
        }
      }
      return [...paths].map(([p, s]) => [p, [...s]]);
    });
    step('paths');
    const sourceIds = new Set<string>(states.map((s) => s.sourceId));
    for (const m of index.others) sourceIds.add(m.sourceId);
    for (const d of index.duplicates) sourceIds.add(d.sourceId);
    for (const e of index.errors) sourceIds.add(e.sourceId ?? '');
    const sources: ImageSource[] = [];
    for (const sourceId of sourceIds) {
      const mine = threads.get(sourceId);
      const others = mine?.others ?? [];
      const chunks: number[] = [];
      let chunk: SourcedMessage[] = [];
      const flush = () => {
        if (chunk.length === 0) return;
        const mine = chunk;
        const slice = add(`o\u0000${sourceId}\u0000${chunks.length}`, `${mine.length}:${mine[0]!.msgid}:${mine[mine.length - 1]!.msgid}`, () => mine.map(plainer().message), false, () => mine);
        chunks.push(slice);
        chunk = [];
      };
      const inThread = new Set<string>();
      const walk = (n: ThreadNode): void => {
        chunk.push(n.msg);
        inThread.add(n.msg.msgid);
        for (const c of n.children) walk(c);
      };
      for (const t of mine?.threads ?? []) {
        walk(t.root);
        if (chunk.length >= OTHERS_CHUNK) flush();
      }
      // Anything the threads did not reach (none should) is kept all the same.
      for (const m of others) if (!inThread.has(m.msgid)) chunk.push(m);
      flush();
      const dups = index.duplicates.filter((d) => d.sourceId === sourceId);
      const errs = index.errors.filter((e) => (e.sourceId ?? '') === sourceId);
      const table = addresses.get(sourceId) ?? [];
      sources.push({
        sourceId,
        others: chunks,
        duplicates: add(`d\u0000${sourceId}`, String(dups.length), () => {
          const plain = plainer();
          return dups.map((d) => ({ ...d, message: plain.message(d.message) }));
        }),
        errors: add(`e\u0000${sourceId}`, String(errs.length), () => errs),
        addresses: add(`a\u0000${sourceId}`, String(table.length), () => table),
      });
    }
    step('sources');
    // A slice kept where it was keeps its messages' places only if it kept its number too (the slices
    // before it are the same ones): else every slice places its messages again.
    const renumbered = from === 0 || names.length !== was!.names.length || names.some((n, i) => n !== was!.names[i]);
    if (renumbered && from > 0) at.fill(-1);
    const placed = names.slice();
    for (let slice = 0; slice < members.length; slice++) {
      if (!renumbered && !fresh[slice]) continue;
      for (const m of members[slice]!()) {
        if (!m) continue;
        const i = position.get(m.msgid);
        if (i !== undefined) at[i] = slice;
      }
    }
    const parent = new Int32Array(ids.length);
    if (from > 0) parent.set(was!.parent);
    // A parent of mail written before stays its parent: mail added later is never one (extendSeries).
    for (let i = renumbered ? 0 : from; i < ids.length; i++) {
      const id = ids[i]!;
      if (at[i]! < 0) throw new Error(`message <${id}> is in no family and no source's other mail`);
      if (id.includes('\n')) throw new Error(`message <${id}>: a Message-ID with a line break`);
      const p = index.parentOf.get(id);
      parent[i] = p === undefined ? -1 : (position.get(p) ?? -1);
    }
    step('directory');
    // New mail only adds Message-IDs at the end: those after the last write's are a chunk of their own
    // (the whole list, 3 MB for a list archive, was most of what 100 new replies wrote).
    const chunks: [number, number][] = [];
    const before = appending ? prior!.ids : undefined;
    let idsFrom = 0;
    if (before && before.count <= ids.length && before.count > 0 && ids[before.count - 1] === before.last && before.chunks.length < 32) {
      chunks.push(...before.chunks);
      idsFrom = before.count;
    }
    if (idsFrom < ids.length) {
      const b = Buffer.from(ids.slice(idsFrom).join('\n'), 'utf8');
      out(b, size);
      chunks.push([size, b.length]);
      size += b.length;
      written += b.length;
    }
    layout.ids = { count: ids.length, last: ids[ids.length - 1] ?? '', chunks };
    layout.directory = { names: placed, ids, position, at, parent };
    // Written every time (a few hundred kilobytes): a message's slice can move when other mail is chunked anew.
    const atSlice = add('at', null, () => Buffer.from(at.buffer, at.byteOffset, at.byteLength), true);
    const parentSlice = add('parent', null, () => Buffer.from(parent.buffer, parent.byteOffset, parent.byteLength), true);
    step('dirslices');
    const header: ImageHeader = {
      key,
      states: [...states],
      summary,
      messageCount: index.messageCount,
      replyCount: index.replyCount,
      directory: { count: ids.length, ids: chunks, at: spans[atSlice]!, parent: spans[parentSlice]! },
      families,
      versions: add('versions', `${index.series.length}:${familyOrder}`, stubs),
      versionCount: index.series.length,
      sources,
      paths: pathSlice,
      slices: spans,
    };
    const head = Buffer.from(JSON.stringify(header), 'utf8');
    step('header');
    const headAt = size;
    const prefix = Buffer.alloc(PREFIX);
    MAGIC.copy(prefix, 0);
    prefix.writeBigUInt64LE(BigInt(headAt), 8);
    prefix.writeUInt32LE(head.length, 16);
    // The header after the slices, all flushed; then the pointer to it (for a new file, it is then put in place).
    out(head, headAt);
    ftruncateSync(fd, headAt + head.length);
    fsyncSync(fd);
    step('flush');
    out(prefix, 0);
    fsyncSync(fd);
    fdOpen = false;
    closeSync(fd);
    if (!appending) {
      renameSync(target, file);
      flushFolder(path.dirname(file));
    }
    layout.size = headAt + head.length;
    // What no header names any more: slices replaced since the file was written whole, and the headers before.
    let live = PREFIX + head.length;
    for (const { span } of layout.slices.values()) live += span[1];
    for (const [, n] of chunks) live += n;
    layout.dead = layout.size - live;
    layout.head = [headAt, head.length];
    layout.ino = statSync(file).ino;
    step('pointer');
    return { bytes: layout.size, slices: spans.length, written: written + head.length, layout, steps };
  } catch (e) {
    if (fdOpen) closeSync(fd);
    if (!appending) rmSync(target, { force: true });
    throw new Error(`${file}: the model image could not be written: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let got = 0; got < length; ) {
    const n = readSync(fd, b, got, length - got, position + got);
    if (n === 0) throw new Error(`the model image ends early (${got} of ${length} bytes at ${position})`);
    got += n;
  }
  return b;
}

/**
 * An image's file stays open for as long as anything made from it is held
 * (a message's To and Cc are read from its slices when asked for); an image
 * written since replaces the file by rename, so the old one still reads its
 * own bytes. The file is closed when the image is collected, or by close().
 */
const openFiles = new FinalizationRegistry<{ fd: number; closed: boolean }>((f) => {
  if (f.closed) return;
  f.closed = true;
  try {
    closeSync(f.fd);
  } catch {
    // Closed already.
  }
});

/** Makes the loader of each source's messages (its text read again from the source, its To and Cc from `addresses`). */
export type LoaderFactory = (sourceId: string, addresses: () => readonly string[]) => MessageLoader;

/**
 * An image opened for reading: the header in memory, slices read and made
 * into messages and series as they are asked for. What is still in use is
 * given again as the same objects; the last slices read are kept a while.
 */
export class ModelImage {
  /** Each Message-ID's place in the directory, made when first needed (the tree's first lines do not need it). */
  private positions: Map<string, number> | undefined;
  private get position(): Map<string, number> {
    if (!this.positions) {
      const m = new Map<string, number>();
      this.ids.forEach((id, i) => m.set(id, i));
      this.positions = m;
    }
    return this.positions;
  }
  private idList: string[] | undefined;
  /**
   * The Message-IDs, in the directory's order: read when first asked for
   * (a list archive's are 3 MB, most of what opening an image read, and the
   * tree's first lines do not need them).
   */
  get ids(): readonly string[] {
    if (!this.idList) {
      if (this.handle.closed) throw new Error(`${this.file}: the model image was closed`);
      const d = this.header.directory;
      const ids = d.count === 0 ? [] : d.ids.flatMap((span) => readExactly(this.fd, span[1], span[0]).toString('utf8').split('\n'));
      if (ids.length !== d.count) throw new Error(`${this.file}: a damaged directory (${ids.length} Message-IDs where it names ${d.count})`);
      this.idList = ids;
    }
    return this.idList;
  }
  private readonly live = new Map<number, WeakRef<object>>();
  /** The slices read last, held strongly (a reader goes back and forth between a few families). */
  private readonly strong = new Map<number, object>();
  private readonly familySlices = new Set<number>();
  private readonly familyById = new Map<string, number>();
  private stubs: { list: VersionStub[]; byId: Map<string, VersionStub> } | undefined;
  /** Every version's stub, in the model's order (one slice, read when first asked for). */
  versionStubs(): VersionStub[] {
    return this.versionTable().list;
  }
  private versionTable(): { list: VersionStub[]; byId: Map<string, VersionStub> } {
    if (!this.stubs) {
      const list = this.raw(this.header.versions) as VersionStub[];
      this.stubs = { list, byId: new Map(list.map((v) => [v.id, v])) };
    }
    return this.stubs;
  }
  private readonly loaders = new Map<string, MessageLoader>();
  private readonly addressTables = new Map<string, readonly string[]>();
  private paths: Map<string, number[]> | undefined;
  /** Slices read so far, for the log and tests. */
  slicesRead = 0;
  private readonly handle: { fd: number; closed: boolean };

  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly header: ImageHeader,
    private readonly at: Int32Array,
    private readonly parent: Int32Array,
    private readonly loaderFor: LoaderFactory,
  ) {
    this.handle = { fd, closed: false };
    openFiles.register(this, this.handle, this);
    for (const [id, n] of header.families) {
      this.familySlices.add(n);
      this.familyById.set(id, n);
    }
  }

  /** The image at `file` if it was written under `key`; undefined when there is none, it has another key, or it does not read. */
  static open(file: string, key: string, loaderFor: LoaderFactory): ModelImage | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < PREFIX) throw new Error('too short');
      const prefix = readExactly(fd, PREFIX, 0);
      if (!prefix.subarray(0, 8).equals(MAGIC)) throw new Error('not a model image');
      const at = Number(prefix.readBigUInt64LE(8));
      const length = prefix.readUInt32LE(16);
      // A write cut short after the last header leaves bytes after it: the pointer still names the header that was whole.
      if (at < PREFIX || at + length > size) throw new Error('its header is not where it says');
      const header = JSON.parse(readExactly(fd, length, at).toString('utf8')) as ImageHeader;
      if (header.key !== key) throw new Error('another key');
      if (!parseSummary(header.summary) || header.summary.sources.length !== header.states.length) throw new Error('a damaged summary');
      const d = header.directory;
      const read = (span: [number, number]) => {
        if (!Array.isArray(span) || span[0] < PREFIX || span[0] + span[1] > at) throw new Error('a damaged directory');
        return readExactly(fd, span[1], span[0]);
      };
      const numbers = (span: [number, number]) => {
        const b = read(span);
        return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      };
      if (!Array.isArray(d.ids) || !Number.isSafeInteger(d.count) || d.count < 0) throw new Error('a damaged directory');
      // The Message-IDs are read when first asked for (see ids); where they lie is checked now.
      for (const span of d.ids) if (!Array.isArray(span) || span[0] < PREFIX || span[0] + span[1] > at) throw new Error('a damaged directory');
      const positions = numbers(d.at);
      const parents = numbers(d.parent);
      if (positions.length !== d.count || parents.length !== d.count) throw new Error('a damaged directory');
      return new ModelImage(file, fd, header, positions, parents, loaderFor);
    } catch {
      closeSync(fd);
      return undefined;
    }
  }

  /** Closes the file now (what was read from it stays usable; nothing more can be read). */
  close(): void {
    openFiles.unregister(this);
    if (this.handle.closed) return;
    this.handle.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Closed already.
    }
  }

  private raw(slice: number): unknown {
    if (this.handle.closed) throw new Error(`${this.file}: the model image was closed`);
    const span = this.header.slices[slice];
    if (!span) throw new Error(`the model image has no slice ${slice}`);
    this.slicesRead++;
    return deserialize(readExactly(this.fd, span[1], span[0]));
  }

  /** A slice made into messages and series; the same objects while anything holds them. */
  private slice<T extends object>(n: number, make: (raw: unknown) => T): T {
    const known = this.live.get(n)?.deref();
    if (known) {
      this.keepRecent(n, known);
      return known as T;
    }
    const made = make(this.raw(n));
    this.live.set(n, new WeakRef(made));
    this.keepRecent(n, made);
    return made;
  }

  private keepRecent(n: number, value: object): void {
    this.strong.delete(n);
    this.strong.set(n, value);
    if (this.strong.size > STRONG) this.strong.delete(this.strong.keys().next().value!);
  }

  private loader(sourceId: string): MessageLoader {
    let l = this.loaders.get(sourceId);
    if (!l) {
      l = this.loaderFor(sourceId, () => this.addressesOf(sourceId));
      this.loaders.set(sourceId, l);
    }
    return l;
  }

  private addressesOf(sourceId: string): readonly string[] {
    let t = this.addressTables.get(sourceId);
    if (!t) {
      const s = this.header.sources.find((x) => x.sourceId === sourceId);
      t = s ? (this.raw(s.addresses) as string[]) : [];
      this.addressTables.set(sourceId, t);
    }
    return t;
  }

  private reviver(): (m: SourcedMessage) => SourcedMessage {
    // By Message-ID: a message written in two of a family's version slices is one message again.
    const made = new Map<string, SourcedMessage>();
    const keep: Keep = keeper();
    return (m) => {
      let r = made.get(m.msgid);
      if (!r) {
        const plain = m as unknown as { facts?: unknown };
        if (typeof plain.facts === 'string') plain.facts = decodeFacts(plain.facts, keep);
        r = revivedMessage(m, this.loader(m.sourceId));
        made.set(m.msgid, r);
      }
      return r;
    };
  }

  private familyAt(n: number): SeriesFamily {
    return this.slice(n, (raw) => {
      const f = raw as SeriesFamily;
      f.versions = (f.versions as unknown[]).map((v) => (isVersionRef(v) ? (this.raw(v.versionSlice) as SeriesVersion) : (v as SeriesVersion)));
      const msg = this.reviver();
      const patch = (p: PatchEntry): PatchEntry =>
        indexedPatch({ index: p.index, message: msg(p.message), trailers: p.trailers as GivenTrailer[], findings: p.findings, replies: p.replies.map(msg) });
      for (const v of f.versions) {
        v.cover = v.cover ? msg(v.cover) : null;
        v.coverReplies = v.coverReplies.map(msg);
        v.patches = v.patches.map(patch);
        v.extras = v.extras.map(patch);
      }
      return f;
    });
  }

  private othersAt(n: number): SourcedMessage[] {
    return this.slice(n, (raw) => (raw as SourcedMessage[]).map(this.reviver()));
  }

  private sourceOf(sourceId: string): ImageSource | undefined {
    return this.header.sources.find((s) => s.sourceId === sourceId);
  }

  /** The family with this id. */
  family(id: string): SeriesFamily | undefined {
    const n = this.familyById.get(id);
    return n === undefined ? undefined : this.familyAt(n);
  }

  /** The version with this id (its family read). */
  version(id: string): SeriesVersion | undefined {
    const stub = this.versionTable().byId.get(id);
    if (!stub || stub.family < 0) return undefined;
    return this.familyAt(stub.family).versions.find((v) => v.id === id);
  }

  /** The family a message is the cover, a patch or a reply of; undefined for other mail. */
  familyHolding(msgid: string): SeriesFamily | undefined {
    const i = this.position.get(msgid);
    if (i === undefined) return undefined;
    const n = this.at[i]!;
    return this.familySlices.has(n) ? this.familyAt(n) : undefined;
  }

  /** The family that holds the version `id`. */
  familyOfVersion(id: string): SeriesFamily | undefined {
    const stub = this.versionTable().byId.get(id);
    return stub && stub.family >= 0 ? this.familyAt(stub.family) : undefined;
  }

  has(msgid: string): boolean {
    return this.position.has(msgid);
  }

  /** A message by its Message-ID (the slice it is in read). */
  message(msgid: string): SourcedMessage | undefined {
    const i = this.position.get(msgid);
    if (i === undefined) return undefined;
    const n = this.at[i]!;
    if (this.familySlices.has(n)) {
      for (const v of this.familyAt(n).versions) {
        if (v.cover?.msgid === msgid) return v.cover;
        const r = v.coverReplies.find((m) => m.msgid === msgid);
        if (r) return r;
        for (const p of [...v.patches, ...v.extras]) {
          if (p.message.msgid === msgid) return p.message;
          const pr = p.replies.find((m) => m.msgid === msgid);
          if (pr) return pr;
        }
      }
      return undefined;
    }
    return this.othersAt(n).find((m) => m.msgid === msgid);
  }

  /** The Message-ID of the message `msgid` answers, where that was read. */
  parentOf(msgid: string): string | undefined {
    const i = this.position.get(msgid);
    if (i === undefined) return undefined;
    const p = this.parent[i]!;
    return p < 0 ? undefined : this.ids[p];
  }

  /** Every message of the thread whose first message is `rootId`, with who answers whom among them. */
  thread(rootId: string): { messages: SourcedMessage[]; parentOf: Map<string, string> } {
    const root = this.position.get(rootId);
    if (root === undefined) return { messages: [], parentOf: new Map() };
    const children = new Map<number, number[]>();
    for (let i = 0; i < this.parent.length; i++) {
      const p = this.parent[i]!;
      if (p < 0) continue;
      const list = children.get(p);
      if (list) list.push(i);
      else children.set(p, [i]);
    }
    const members: number[] = [];
    const seen = new Set<number>();
    const todo = [root];
    while (todo.length) {
      const i = todo.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      members.push(i);
      for (const c of children.get(i) ?? []) todo.push(c);
    }
    const messages: SourcedMessage[] = [];
    const parentOf = new Map<string, string>();
    for (const i of members) {
      const id = this.ids[i]!;
      const m = this.message(id);
      if (m) messages.push(m);
      const p = this.parent[i]!;
      if (p >= 0 && seen.has(p)) parentOf.set(id, this.ids[p]!);
    }
    return { messages, parentOf };
  }

  /** Mail of this source that is neither a series nor a reply to one. */
  others(sourceId: string): SourcedMessage[] {
    // The same list each time (the tree keeps its threads by it), made once.
    let list = this.othersBySource.get(sourceId);
    if (!list) this.othersBySource.set(sourceId, (list = (this.sourceOf(sourceId)?.others ?? []).flatMap((n) => this.othersAt(n))));
    return list;
  }
  private readonly othersBySource = new Map<string, SourcedMessage[]>();

  duplicates(sourceId: string): DuplicateMessage[] {
    const s = this.sourceOf(sourceId);
    if (!s) return [];
    return this.slice(s.duplicates, (raw) => {
      const msg = this.reviver();
      return (raw as DuplicateMessage[]).map((d) => ({ ...d, message: msg(d.message) }));
    });
  }

  errors(sourceId: string): ReadError[] {
    const s = this.sourceOf(sourceId);
    return s ? this.slice(s.errors, (raw) => raw as ReadError[]) : [];
  }

  /** The families whose patches touched a path that `matches`. */
  familiesTouching(matches: (path: string) => boolean): SeriesFamily[] {
    this.paths ??= new Map(this.raw(this.header.paths) as [string, number[]][]);
    const slices = new Set<number>();
    for (const [p, s] of this.paths) if (matches(p)) for (const n of s) slices.add(n);
    return [...slices].sort((a, b) => a - b).map((n) => this.familyAt(n));
  }

  /** Every family, read whole: for what needs the whole model (rare; the log says when). */
  allFamilies(): SeriesFamily[] {
    return this.header.families.map(([, n]) => this.familyAt(n));
  }
}

/**
 * A map whose entries come from a model image: single look-ups are answered
 * from the image; going through all of it fills the map first (`fill`).
 */
abstract class ImageMap<V> extends Map<string, V> {
  private whole = false;
  protected abstract entriesOfImage(): Iterable<[string, V]>;
  protected fill(): void {
    if (this.whole) return;
    for (const [k, v] of this.entriesOfImage()) super.set(k, v);
    this.whole = true;
  }
  override forEach(each: (value: V, key: string, map: Map<string, V>) => void, self?: unknown): void {
    this.fill();
    super.forEach(each, self);
  }
  override entries(): MapIterator<[string, V]> {
    this.fill();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.fill();
    return super.keys();
  }
  override values(): MapIterator<V> {
    this.fill();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
  override set(): this {
    throw new Error('the model read from an image is not changed in place');
  }
  override delete(): boolean {
    throw new Error('the model read from an image is not changed in place');
  }
}

/** Message-IDs to messages, each read from its slice when asked for; going through all of them reads the whole model. */
class LazyById extends ImageMap<SourcedMessage> {
  constructor(
    private readonly img: ModelImage,
    private readonly onWhole: (what: string) => void,
  ) {
    super();
  }
  override get(id: string): SourcedMessage | undefined {
    return this.img.message(id);
  }
  override has(id: string): boolean {
    return this.img.has(id);
  }
  override get size(): number {
    return this.img.header.directory.count;
  }
  protected *entriesOfImage(): Iterable<[string, SourcedMessage]> {
    this.onWhole('every message');
    for (const id of this.img.ids) {
      const m = this.img.message(id);
      if (m) yield [id, m];
    }
  }
}

/** Who answers whom, from the image's header (no slice read). */
class ParentMap extends ImageMap<string> {
  constructor(private readonly img: ModelImage) {
    super();
  }
  override get(id: string): string | undefined {
    return this.img.parentOf(id);
  }
  override has(id: string): boolean {
    return this.img.parentOf(id) !== undefined;
  }
  override get size(): number {
    this.fill();
    return super.size;
  }
  protected *entriesOfImage(): Iterable<[string, string]> {
    for (const id of this.img.ids) {
      const p = this.img.parentOf(id);
      if (p !== undefined) yield [id, p];
    }
  }
}

/**
 * The image as a SeriesIndex, for code that takes one: a message, its
 * parent and the counts cost no slice beyond the message's own; the lists of
 * every version, family or other message read the whole model (the rare
 * callers that need it all; `onWhole` is told, for the log).
 */
export function lazyIndex(img: ModelImage, onWhole: (what: string) => void): SeriesIndex {
  const byId = new LazyById(img, onWhole);
  const parentOf = new ParentMap(img);
  const h = img.header;
  const sourceIds = h.sources.map((s) => s.sourceId);
  return {
    messageCount: h.messageCount,
    replyCount: h.replyCount,
    get series(): SeriesVersion[] {
      onWhole('every series version');
      return img.versionStubs().map((v) => img.version(v.id)).filter((v): v is SeriesVersion => v !== undefined);
    },
    get families(): SeriesFamily[] {
      onWhole('every family');
      return img.allFamilies();
    },
    get others(): SourcedMessage[] {
      onWhole('all other mail');
      return sourceIds.flatMap((id) => img.others(id)).sort((a, b) => a.time - b.time);
    },
    get duplicates(): DuplicateMessage[] {
      return sourceIds.flatMap((id) => img.duplicates(id));
    },
    get errors(): ReadError[] {
      return sourceIds.flatMap((id) => img.errors(id));
    },
    byId,
    parentOf,
  };
}
