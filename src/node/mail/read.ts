/**
 * Reading mail from disk into decoded messages: mbox files, folders of
 * format-patch/.eml/.mbox files, and public-inbox repositories (one bare git
 * repository per epoch; every message is the blob `m` of one commit, read
 * for the whole repository through a single `git cat-file --batch`).
 *
 * Node-only (file system, child processes); shared by the extension and the CLI.
 */
import { spawn } from 'node:child_process';
import type { WalkedCommit } from '../git/catFile';
import { open, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { type MboxEntry, splitMboxPart } from '../../core/mail/mbox';
import { completeWithMime, decodeMessage, DEFAULT_LIMITS, detached, type MailMessage, type MimeParser, type ParseLimits } from '../../core/mail/message';
import { err } from '../../core/result';
import { dedupe } from '../../core/series/accounting';
import type { DuplicateMessage, ReadError, SourcedMessage } from '../../core/series/model';
import { isMissing, unreadable } from '../fs/errors';
import { MimeWorkerPool } from './mimePool';

export type SourceKind = 'mbox' | 'folder' | 'public-inbox';

export interface ReadOptions {
  limits?: ParseLimits;
  signal?: AbortSignal;
  /** Called now and then with the number of messages decoded so far. */
  onProgress?: (decoded: number) => void;
}

export interface ReadResult {
  /** The first copy of each Message-ID, in reading order. */
  messages: SourcedMessage[];
  /** Later copies of a Message-ID already read (in this call, or in `opts.seen`). */
  duplicates: DuplicateMessage[];
  /** Messages (or files, or epochs) that could not be read, each with its reason, in reading order. */
  errors: ReadError[];
  /** Raw messages seen: messages + duplicates + errors. */
  seen: number;
}

const MBOX_FILE = /\.(mbox|mboxrd|mbx)$/i;
const SINGLE_FILE = /\.(patch|eml|diff|msg)$/i;

/** A file of a folder that is read as mail: an mbox, or one .patch/.eml/.diff/.msg message. */
function isMailFile(name: string): boolean {
  return MBOX_FILE.test(name) || SINGLE_FILE.test(name);
}

/** The mail files of a folder, in name order (the order a folder is read in); none is an error naming the folder. */
export async function mailFilesOf(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort().filter(isMailFile);
  if (names.length === 0) throw new Error(`${dir}: no mail in this folder (expected .mbox, .patch or .eml files, or a public-inbox repository)`);
  return names;
}

export async function detectSource(p: string): Promise<SourceKind> {
  let st;
  try {
    st = await stat(p);
  } catch (e) {
    // Only ENOENT is the plain "not there"; a source that cannot be read (ELOOP, EACCES) says why.
    if (isMissing(e)) throw new Error(`${p}: no such file or folder`);
    throw unreadable(p, e);
  }
  if (st.isFile()) return 'mbox';
  if (!st.isDirectory()) throw new Error(`${p}: neither a file nor a folder`);
  const names = await readdir(p);
  if (['HEAD', 'objects', 'refs'].every((n) => names.includes(n))) return 'public-inbox';
  if (names.some((n) => /^\d+\.git$/.test(n)) || names.includes('git')) return 'public-inbox';
  return 'folder';
}

/** Whether a folder is a public-inbox repository: a bare epoch, a folder of N.git epochs, or one with git/N.git. */
async function isPublicInbox(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return false;
  }
  if (['HEAD', 'objects', 'refs'].every((n) => names.includes(n))) return true;
  if (names.some((n) => /^\d+\.git$/.test(n))) return true;
  if (!names.includes('git')) return false;
  try {
    return (await readdir(path.join(dir, 'git'))).some((n) => /^\d+\.git$/.test(n));
  } catch {
    return false;
  }
}

/**
 * The sources a configured path stands for: a folder of lists in the layout
 * grokmirror and lei keep (`<list>/git/<N>.git`, or `<list>/<N>.git`), with no
 * mail of its own, is its lists, in name order; anything else is itself.
 */
export async function expandSources(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let names: string[] | undefined;
    try {
      if ((await stat(p)).isDirectory() && !(await isPublicInbox(p))) names = (await readdir(p)).sort();
    } catch {
      // Not there or not readable: reading it says why.
    }
    const hasMail = names?.some(isMailFile) ?? true;
    const lists: string[] = [];
    if (!hasMail) for (const n of names!) if (await isPublicInbox(path.join(p, n))) lists.push(path.join(p, n));
    out.push(...(lists.length > 0 ? lists : [p]));
  }
  return out;
}

/** What becomes of one message's bytes: the message (`mime`: it needed the full parse), or an error with its Message-ID when one can be seen. */
export type Outcome = { message: MailMessage; mime: boolean } | { msgid: string | null; error: string };

/** The Message-ID of a message that could not be decoded, when one can be seen at all. */
function sniffMsgId(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)));
  const id = /^message-id:\s*<([^<>\s]+)>/im.exec(head)?.[1];
  return id === undefined ? null : detached(id);
}

function thrown(e: unknown): string {
  return `could not be decoded: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * One message's bytes decoded: at once for a single text/plain part (nearly
 * all kernel mail), else a promise of it once `parseMime` has read its MIME
 * structure. `bytes` is read only until this returns (a MIME parse gets its
 * own copy). Shared by the full read (Collector) and the index (rows.ts).
 */
export function decodeBytes(bytes: Uint8Array, fallbackId: string, limits: ParseLimits, parseMime: MimeParser): Outcome | Promise<Outcome> {
  let decoded;
  try {
    decoded = decodeMessage(bytes, fallbackId, limits);
  } catch (e) {
    decoded = err<MailMessage>(thrown(e));
  }
  if (!('needsMime' in decoded)) return decoded.ok ? { message: decoded.value, mime: false } : { msgid: sniffMsgId(bytes), error: decoded.error };
  // Its own copy: the parse outlives the caller's buffer.
  const own = Uint8Array.prototype.slice.call(bytes);
  return completeWithMime(decoded, () => parseMime(own, limits))
    .catch((e: unknown) => err<MailMessage>(thrown(e)))
    .then((r): Outcome => (r.ok ? { message: r.value, mime: true } : { msgid: sniffMsgId(own), error: r.error }));
}

/** A decoded message completed in place (it is the reader's own) with where it was read. */
export function placed(o: { message: MailMessage; mime: boolean }, origin: string, sourceId: string, loc: string | undefined): SourcedMessage {
  const m = o.message as SourcedMessage;
  m.origin = origin;
  m.sourceId = sourceId;
  if (loc !== undefined) m.loc = loc;
  if (o.mime) m.mime = true;
  return m;
}

/** Where a reader files what it reads, one slot per message (or per file or epoch that could not be read). */
export interface MailSink {
  /** One message's bytes; the caller may reuse their buffer once this has settled. */
  add(bytes: Uint8Array, sourceId: string, origin: string, fallbackId: string, loc?: string): Promise<void>;
  /** Something that is not one message could not be read. */
  fail(sourceId: string, origin: string, message: string, loc?: string): void;
  /** Slots filed so far. */
  readonly seen: number;
}

/**
 * Collects decoded messages and errors in reading order. A message that is
 * a single text/plain part (nearly all kernel mail) is decoded on the spot,
 * synchronously; the MIME parse of the rest runs on the worker thread,
 * several at once. Whatever happens to a message, its slot gets either the
 * message or an error: nothing read is dropped.
 *
 * (Decoding whole batches of plain messages on the worker as well was
 * tried: handing them over and taking the results back cost this thread as
 * much as decoding them, and more memory.)
 */
export class Collector implements MailSink {
  private readonly slots: (SourcedMessage | ReadError)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private decoded = 0;
  private readonly limits: ParseLimits;
  constructor(
    private readonly opts: ReadOptions,
    private readonly mime: MimeWorkerPool,
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
  }

  get seen(): number {
    return this.slots.length;
  }

  /** MIME parses waiting at once, at most: each holds its message's bytes. */
  static readonly CONCURRENCY = 256;

  /**
   * Files one message into the next slot. The bytes are used only until this
   * returns (a MIME parse gets its own copy), so the caller may reuse their
   * buffer after awaiting it.
   */
  async add(bytes: Uint8Array, sourceId: string, origin: string, fallbackId: string, loc?: string): Promise<void> {
    this.opts.signal?.throwIfAborted();
    const slot = this.slots.length;
    const o = decodeBytes(bytes, fallbackId, this.limits, this.mime.parse);
    if (!(o instanceof Promise)) {
      this.file(slot, o, origin, sourceId, loc);
      return;
    }
    this.slots.push({ msgid: null, origin, sourceId, message: 'was not decoded' });
    const job = o.then((r) => this.file(slot, r, origin, sourceId, loc));
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    if (this.inFlight.size >= Collector.CONCURRENCY) await Promise.race(this.inFlight);
  }

  private file(slot: number, o: Outcome, origin: string, sourceId: string, loc: string | undefined): void {
    this.slots[slot] = 'message' in o ? placed(o, origin, sourceId, loc) : { msgid: o.msgid, origin, sourceId, message: o.error, ...(loc === undefined ? {} : { loc }) };
    this.decoded++;
    if (this.opts.onProgress && this.decoded % 500 === 0) this.opts.onProgress(this.decoded);
  }

  /** Something that is not one message could not be read (a file of a folder, an epoch): one error. */
  fail(sourceId: string, origin: string, message: string, loc?: string): void {
    this.slots.push({ msgid: null, origin, sourceId, message, ...(loc === undefined ? {} : { loc }) });
  }

  async finish(seen: Map<string, SourcedMessage>): Promise<Omit<ReadResult, 'seen'>> {
    await Promise.all(this.inFlight);
    const messages: SourcedMessage[] = [];
    const errors: ReadError[] = [];
    for (const s of this.slots) {
      if ('body' in s) messages.push(s);
      else errors.push(s);
    }
    return { ...dedupe(messages, seen), errors };
  }
}

/** Where the last message read from an mbox lies (a mail index reads it again when the file did not end cleanly after it). */
export interface MboxEntryPlace {
  /** After its "From " line. */
  offset: number;
  loc: string;
  /** The file was one message with no "From " line. */
  whole: boolean;
}

/** Bytes read from an mbox file at a time. */
const MBOX_READ_BYTES = 1 << 18;

/**
 * Reads an mbox file piece by piece into one buffer that is reused: reading
 * a whole list archive at once costs its size in fresh memory, and touching
 * fresh pages is much of the time on some machines.
 */
export async function readMboxFile(
  file: string,
  sourceId: string,
  c: MailSink,
  from: { offset: number; count: number; locPrefix?: string } = { offset: 0, count: 0 },
): Promise<{ end: number; count: number; last: MboxEntryPlace | null }> {
  const name = path.basename(file);
  let last: MboxEntryPlace | null = null;
  const fh = await open(file, 'r');
  const prefix = from.locPrefix ?? '';
  try {
    // A plain Uint8Array: the views split off a Node Buffer would be Buffers, slower to make and search.
    let buf = new Uint8Array(2 * MBOX_READ_BYTES);
    let len = 0;
    let base = from.offset;
    let count = from.count;
    let pending: MboxEntry[] = [];
    let atEnd = false;
    while (!atEnd) {
      // When nothing was split off, the next read doubles what is held, so a message is rescanned only O(log) times.
      const want = Math.max(MBOX_READ_BYTES, pending.length === 0 && len > MBOX_READ_BYTES ? len : 0);
      if (buf.length - len < want) {
        const bigger = new Uint8Array(Math.max(buf.length * 2, len + want));
        bigger.set(buf.subarray(0, len));
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, len, want, base + len);
      len += bytesRead;
      atEnd = bytesRead === 0;
      const part = splitMboxPart(buf.subarray(0, len), atEnd, base);
      pending = part.entries;
      // A file of one message is named by the file alone; only at the end is it known that there is one.
      const locOf = (e: MboxEntry) => `${prefix}${e.offset}-${e.end}${e.whole ? 'w' : ''}`;
      if (atEnd && count === 0 && pending.length === 1) {
        count++;
        last = { offset: pending[0]!.offset, loc: locOf(pending[0]!), whole: !!pending[0]!.whole };
        await c.add(pending[0]!.bytes, sourceId, name, `${name}#1@execmem-lens.invalid`, last.loc);
        break;
      }
      for (const entry of pending) {
        count++;
        last = { offset: entry.offset, loc: locOf(entry), whole: !!entry.whole };
        await c.add(entry.bytes, sourceId, `${name}, message ${count}`, `${name}#${count}@execmem-lens.invalid`, last.loc);
      }
      buf.copyWithin(0, part.rest, len);
      base += part.rest;
      len -= part.rest;
    }
    return { end: base + len, count, last };
  } finally {
    await fh.close();
  }
}

async function readFolder(dir: string, sourceId: string, c: MailSink): Promise<void> {
  for (const name of await mailFilesOf(dir)) {
    try {
      await readMboxFile(path.join(dir, name), sourceId, c, { offset: 0, count: 0, locPrefix: `${name}#` });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      // One unreadable file (a symlink loop, a folder named like a patch) is an error of its own.
      c.fail(sourceId, name, `could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export async function epochsOf(repo: string): Promise<string[]> {
  const names = await readdir(repo);
  if (['HEAD', 'objects', 'refs'].every((n) => names.includes(n))) return [repo];
  const base = names.includes('git') ? path.join(repo, 'git') : repo;
  const epochs = (await readdir(base)).filter((n) => /^\d+\.git$/.test(n)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  if (epochs.length === 0) throw new Error(`${repo}: no public-inbox epoch (N.git) found`);
  return epochs.map((e) => path.join(base, e));
}

export function run(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let errText = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (errText += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${errText.trim()}`))));
  });
}

/**
 * Streams `git cat-file --batch` output for "<commit>:m" requests and hands
 * each blob to `onBlob`. Missing objects (a commit without `m`) are reported.
 */
export async function catFileBatch(
  repo: string,
  commits: string[],
  onBlob: (commit: string, blob: Uint8Array) => Promise<void>,
  onMissing: (commit: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  // Nothing to read: no git process (a window opening on an archive with no new mail asks for none).
  if (commits.length === 0) return;
  const child = spawn('git', [`--git-dir=${repo}`, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // Awaited below; until then a failure (an abort, say) must not count as unhandled.
  closed.catch(() => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(commits.map((c) => `${c}:m\n`).join(''));
  try {
    // A chunk's complete records are read where they lie; only a record split
    // between chunks is joined, once all of it has arrived (so a large message
    // does not make every 64 KiB chunk copy everything before it).
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    /** The whole length of the record begun in `pending`, once its header line is known. */
    let need = 0;
    let next = 0;
    /** Hands on the complete records in buf; returns the incomplete rest. */
    const consume = async (buf: Buffer): Promise<Buffer> => {
      need = 0;
      let at = 0;
      for (;;) {
        const nl = buf.indexOf(10, at);
        if (nl < 0) break;
        const header = buf.toString('latin1', at, nl);
        if (header.endsWith(' missing')) {
          onMissing(commits[next++] ?? header);
          at = nl + 1;
          continue;
        }
        const size = Number(header.split(' ')[2]);
        if (!Number.isSafeInteger(size)) throw new Error(`git cat-file gave an unexpected line: ${header.slice(0, 100)}`);
        if (buf.length < nl + 1 + size + 1) {
          need = nl + 1 + size + 1 - at;
          break;
        }
        const blob = new Uint8Array(buf.buffer, buf.byteOffset + nl + 1, size);
        at = nl + 1 + size + 1;
        await onBlob(commits[next++] ?? '', blob);
      }
      return buf.subarray(at);
    };
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let rest: Buffer;
      if (pendingBytes === 0) {
        rest = await consume(chunk);
      } else if (need > 0 && pendingBytes + chunk.length < need) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        continue;
      } else if (need > 0) {
        const take = need - pendingBytes;
        await consume(Buffer.concat([...pending, chunk.subarray(0, take)]));
        rest = await consume(chunk.subarray(take));
      } else {
        // The record's header line is cut: join and read again.
        rest = await consume(Buffer.concat([...pending, chunk]));
      }
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await closed;
  if (code !== 0) throw new Error(`git cat-file --batch in ${repo}: exit ${code}: ${stderr.trim()}`);
}

async function readPublicInbox(repo: string, sourceId: string, c: Collector, opts: ReadOptions): Promise<void> {
  for (const epoch of await epochsOf(repo)) {
    const name = path.basename(epoch);
    let commits: string[];
    try {
      // --git-dir, not -C: git -C in a folder that is no repository looks upwards, and an epoch
      // that is not one, inside some work tree, read that work tree's history (fuzz/hostile.test.ts).
      commits = (await run('git', [`--git-dir=${epoch}`, 'rev-list', '--all', '--reverse'], opts.signal)).split('\n').filter(Boolean);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      // An epoch that is not a git repository (or a damaged one) is an error; the other epochs are read.
      c.fail(sourceId, name, `not a readable git repository: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    await readCommits(epoch, commits, sourceId, c, opts.signal);
  }
}

/**
 * The messages of these commits of an epoch (each the blob `m` of one
 * commit), into the collector: a commit without one is an error of its own.
 */
export function readCommits(epoch: string, commits: string[], sourceId: string, c: MailSink, signal?: AbortSignal): Promise<void> {
  const name = path.basename(epoch);
  return catFileBatch(
    epoch,
    commits,
    (commit, blob) => c.add(blob, sourceId, `${name} ${commit.slice(0, 12)}`, `${commit}@execmem-lens.invalid`, `${name}/${commit}`),
    (commit) => c.fail(sourceId, `${name} ${commit.slice(0, 12)}`, 'commit has no message blob m', `${name}/${commit}`),
    signal,
  );
}

/**
 * The messages of commits walked through a git process kept open (see
 * git/catFile.ts commitsSince), into the collector as readCommits files them.
 */
export async function addWalked(epoch: string, walked: readonly WalkedCommit[], sourceId: string, c: MailSink, signal?: AbortSignal): Promise<void> {
  const name = path.basename(epoch);
  for (const { oid, m } of walked) {
    signal?.throwIfAborted();
    if (m) await c.add(m.data, sourceId, `${name} ${oid.slice(0, 12)}`, `${oid}@execmem-lens.invalid`, `${name}/${oid}`);
    else c.fail(sourceId, `${name} ${oid.slice(0, 12)}`, 'commit has no message blob m', `${name}/${oid}`);
  }
}

export interface ReadSourcesOptions extends ReadOptions {
  /** Message-IDs read from earlier sources: a message seen there is a duplicate here. */
  seen?: Map<string, SourcedMessage>;
}

/** Reads every source, in order; a Message-ID seen again is filed as a duplicate. */
export async function readSources(paths: readonly string[], opts: ReadSourcesOptions = {}): Promise<ReadResult> {
  const mime = new MimeWorkerPool();
  const c = new Collector(opts, mime);
  let result: Omit<ReadResult, 'seen'>;
  try {
    for (const p of paths) {
      const kind = await detectSource(p);
      const sourceId = path.resolve(p);
      if (kind === 'mbox') await readMboxFile(p, sourceId, c);
      else if (kind === 'folder') await readFolder(p, sourceId, c);
      else await readPublicInbox(p, sourceId, c, opts);
    }
    result = await c.finish(opts.seen ?? new Map());
  } finally {
    await mime.close();
  }
  opts.onProgress?.(c.seen);
  return { ...result, seen: c.seen };
}
