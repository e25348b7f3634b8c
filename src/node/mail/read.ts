/**
 * Reading mail from disk into decoded messages: mbox files, folders of
 * format-patch/.eml/.mbox files, and public-inbox repositories (one bare git
 * repository per epoch; every message is the blob `m` of one commit, read
 * for the whole repository through a single `git cat-file --batch`).
 *
 * Node-only (file system, child processes); shared by the extension and the CLI.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { splitMbox } from '../../core/mail/mbox';
import { DEFAULT_LIMITS, parseMessage, type ParseLimits } from '../../core/mail/message';
import { err } from '../../core/result';
import { dedupe } from '../../core/series/accounting';
import type { DuplicateMessage, ReadError, SourcedMessage } from '../../core/series/model';
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

export async function detectSource(p: string): Promise<SourceKind> {
  let st;
  try {
    st = await stat(p);
  } catch {
    throw new Error(`${p}: no such file or folder`);
  }
  if (st.isFile()) return 'mbox';
  if (!st.isDirectory()) throw new Error(`${p}: neither a file nor a folder`);
  const names = await readdir(p);
  if (['HEAD', 'objects', 'refs'].every((n) => names.includes(n))) return 'public-inbox';
  if (names.some((n) => /^\d+\.git$/.test(n)) || names.includes('git')) return 'public-inbox';
  return 'folder';
}

/**
 * Collects decoded messages and errors in reading order. Several messages
 * are decoded at once: the MIME library waits on asynchronous buffer reads,
 * and overlapping them keeps the CPU busy. Whatever happens to a message, its
 * slot gets either the message or an error: nothing read is dropped.
 */
class Collector {
  private readonly slots: (SourcedMessage | ReadError)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private decoded = 0;
  constructor(
    private readonly opts: ReadOptions,
    private readonly mime: MimeWorkerPool,
  ) {}

  get seen(): number {
    return this.slots.length;
  }

  async add(bytes: Uint8Array, sourceId: string, origin: string, fallbackId: string): Promise<void> {
    this.opts.signal?.throwIfAborted();
    const slot = this.slots.length;
    this.slots.push({ msgid: null, origin, sourceId, message: 'was not decoded' });
    const job = parseMessage(bytes, fallbackId, this.opts.limits ?? DEFAULT_LIMITS, this.mime.parse)
      .catch((e: unknown) => err(`could not be decoded: ${e instanceof Error ? e.message : String(e)}`))
      .then((r) => {
        this.slots[slot] = r.ok ? { ...r.value, origin, sourceId } : { msgid: sniffMsgId(bytes), origin, sourceId, message: r.error };
        this.decoded++;
        if (this.opts.onProgress && this.decoded % 500 === 0) this.opts.onProgress(this.decoded);
      });
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    if (this.inFlight.size >= Collector.CONCURRENCY) await Promise.race(this.inFlight);
  }

  /** Something that is not one message could not be read (a file of a folder, an epoch): one error. */
  fail(sourceId: string, origin: string, message: string): void {
    this.slots.push({ msgid: null, origin, sourceId, message });
  }

  static readonly CONCURRENCY = 256;

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

/** The Message-ID of a message that could not be decoded, when one can be seen at all. */
function sniffMsgId(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)));
  return /^message-id:\s*<([^<>\s]+)>/im.exec(head)?.[1] ?? null;
}

async function readMboxFile(file: string, sourceId: string, c: Collector): Promise<void> {
  const buf: Uint8Array = await readFile(file);
  const entries = splitMbox(buf);
  const name = path.basename(file);
  for (let i = 0; i < entries.length; i++) {
    await c.add(entries[i]!.bytes, sourceId, entries.length === 1 ? name : `${name}, message ${i + 1}`, `${name}#${i + 1}@execmem-lens.invalid`);
  }
}

async function readFolder(dir: string, sourceId: string, c: Collector): Promise<void> {
  const names = (await readdir(dir)).sort().filter((name) => MBOX_FILE.test(name) || SINGLE_FILE.test(name));
  if (names.length === 0) throw new Error(`${dir}: no mail in this folder (expected .mbox, .patch or .eml files, or a public-inbox repository)`);
  for (const name of names) {
    try {
      await readMboxFile(path.join(dir, name), sourceId, c);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      // One unreadable file (a symlink loop, a folder named like a patch) is an error of its own.
      c.fail(sourceId, name, `could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function epochsOf(repo: string): Promise<string[]> {
  const names = await readdir(repo);
  if (['HEAD', 'objects', 'refs'].every((n) => names.includes(n))) return [repo];
  const base = names.includes('git') ? path.join(repo, 'git') : repo;
  const epochs = (await readdir(base)).filter((n) => /^\d+\.git$/.test(n)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  if (epochs.length === 0) throw new Error(`${repo}: no public-inbox epoch (N.git) found`);
  return epochs.map((e) => path.join(base, e));
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
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
async function catFileBatch(
  repo: string,
  commits: string[],
  onBlob: (commit: string, blob: Uint8Array) => Promise<void>,
  onMissing: (commit: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const child = spawn('git', ['-C', repo, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'], signal });
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
    // Chunks are joined only once a whole blob has arrived, so a large message
    // does not make every 64 KiB chunk copy everything before it.
    let pending: Buffer = Buffer.alloc(0);
    const waiting: Buffer[] = [];
    let waitingBytes = 0;
    let need = 0;
    let next = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      if (need > 0 && pending.length + waitingBytes + chunk.length < need) {
        waiting.push(chunk);
        waitingBytes += chunk.length;
        continue;
      }
      pending = Buffer.concat([pending, ...waiting, chunk]);
      waiting.length = 0;
      waitingBytes = 0;
      need = 0;
      for (;;) {
        const nl = pending.indexOf(10);
        if (nl < 0) break;
        const header = pending.toString('latin1', 0, nl);
        if (header.endsWith(' missing')) {
          onMissing(commits[next++] ?? header);
          pending = pending.subarray(nl + 1);
          continue;
        }
        const size = Number(header.split(' ')[2]);
        if (!Number.isSafeInteger(size)) throw new Error(`git cat-file gave an unexpected line: ${header.slice(0, 100)}`);
        if (pending.length < nl + 1 + size + 1) {
          need = nl + 1 + size + 1;
          break;
        }
        const blob = new Uint8Array(pending.buffer, pending.byteOffset + nl + 1, size);
        pending = pending.subarray(nl + 1 + size + 1);
        await onBlob(commits[next++] ?? '', blob);
      }
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
      commits = (await run('git', ['-C', epoch, 'rev-list', '--all', '--reverse'], opts.signal)).split('\n').filter(Boolean);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      // An epoch that is not a git repository (or a damaged one) is an error; the other epochs are read.
      c.fail(sourceId, name, `not a readable git repository: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    await catFileBatch(
      epoch,
      commits,
      (commit, blob) => c.add(blob, sourceId, `${name} ${commit.slice(0, 12)}`, `${commit}@execmem-lens.invalid`),
      (commit) => c.fail(sourceId, `${name} ${commit.slice(0, 12)}`, 'commit has no message blob m'),
      opts.signal,
    );
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
