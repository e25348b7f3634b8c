/**
 * A `git cat-file --batch` process kept open for one repository, answering
 * object requests in the order they were asked (git answers a batch in
 * input order, so requests can be written before earlier answers arrive).
 *
 * Why one process kept: the store worker runs inside the extension host,
 * whose process holds hundreds of megabytes; every git process started
 * from it forks all of that (10–25 ms each here). New mail in a public-inbox
 * epoch used to cost three of them (the ancestry check, rev-list, cat-file).
 * With one kept per epoch, an update reads the refs from their files and
 * walks the new commits through this process.
 *
 * Written here, not taken from a library: the batch output format is two
 * lines per object (git-cat-file(1), "BATCH OUTPUT"), and a git library for
 * it would be a large dependency.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export interface GitObject {
  /** Its object id (the name asked for may have been an expression: `<commit>~3`, `<commit>:m`). */
  oid: string;
  type: string;
  data: Buffer;
}

interface Pending {
  resolve: (o: GitObject | null) => void;
  reject: (e: Error) => void;
}

export class CatFile {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Pending[] = [];
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private failed: Error | undefined;
  private stderr = '';

  constructor(readonly gitDir: string) {
    // --git-dir, not -C (see mail/read.ts readPublicInbox).
    this.child = spawn('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Kept for the next update, not a reason for the process to stay up.
    for (const s of [this.child.stdin, this.child.stderr] as unknown as { unref?: () => void }[]) s.unref?.();
    this.hold(false);
    this.child.stdin.on('error', (e) => this.fail(e));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 4096) this.stderr += d;
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.take(chunk));
    this.child.on('error', (e) => this.fail(e));
    this.child.on('close', (code) => this.fail(new Error(`git cat-file --batch in ${gitDir} ended (exit ${code})${this.stderr.trim() ? `: ${this.stderr.trim()}` : ''}`)));
  }

  /** Whether the process can still be asked (it ended, or a request failed: make another). */
  get usable(): boolean {
    return this.failed === undefined;
  }

  /** How many objects were asked for. */
  asked = 0;

  /** The object `name` names (an object id, `<commit>:m`), or null when the repository has none by that name. */
  object(name: string): Promise<GitObject | null> {
    if (this.failed) return Promise.reject(this.failed);
    this.asked++;
    if (/[\n\r]/.test(name)) return Promise.reject(new Error(`not an object name: ${JSON.stringify(name)}`));
    return new Promise((resolve, reject) => {
      // Up while something is asked of it (a CLI must not end mid-answer), not otherwise.
      if (this.waiting.length === 0) this.hold(true);
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${name}\n`);
    });
  }

  close(): void {
    this.fail(new Error(`git cat-file --batch in ${this.gitDir} was closed`));
  }

  private hold(on: boolean): void {
    for (const h of [this.child, this.child.stdout] as unknown as { ref?: () => void; unref?: () => void }[]) (on ? h.ref : h.unref)?.call(h);
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    for (const w of this.waiting.splice(0)) w.reject(this.failed);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      this.child.kill();
    }
  }

  private take(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    let buf = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedBytes);
    let at = 0;
    try {
      while (this.waiting.length > 0) {
        const nl = buf.indexOf(10, at);
        if (nl < 0) break;
        const header = buf.toString('latin1', at, nl);
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          at = nl + 1;
          this.waiting.shift()!.resolve(null);
          continue;
        }
        const [oid, type, sizeText] = header.split(' ');
        const size = Number(sizeText);
        if (!oid || !type || !Number.isSafeInteger(size)) throw new Error(`git cat-file gave an unexpected line: ${header.slice(0, 100)}`);
        if (buf.length < nl + 1 + size + 1) break;
        // A copy: the chunk it lies in is not kept.
        const data = Buffer.from(buf.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
        this.waiting.shift()!.resolve({ oid, type, data });
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.waiting.length === 0) this.hold(false);
    buf = buf.subarray(at);
    this.buffered = buf.length > 0 ? [buf] : [];
    this.bufferedBytes = buf.length;
  }
}

/** The kept processes of a reader of several repositories (one per git directory). */
export class CatFiles {
  private readonly open = new Map<string, CatFile>();

  of(gitDir: string): CatFile {
    let c = this.open.get(gitDir);
    if (!c || !c.usable) this.open.set(gitDir, (c = new CatFile(gitDir)));
    return c;
  }

  close(): void {
    for (const c of this.open.values()) c.close();
    this.open.clear();
  }
}

/** A commit walked, and what its tree's `m` is (null: it has none). */
export interface WalkedCommit {
  oid: string;
  m: GitObject | null;
}

/**
 * The commits after `from` up to `tip`, oldest first, each with its blob
 * `m` (a public-inbox epoch holds one message per commit), when the
 * history between them is a line: `tip~0`, `tip~1`, … and `tip~N:m` asked
 * a batch at a time (git resolves the expressions; one answer per request,
 * not one round trip per commit), until `from`. For 100 new commits in a
 * pack (public-inbox writes with git fast-import) this took 11–22 ms where
 * a rev-list process started from the extension host took 26–61 ms; loose
 * objects make git read each commit again for every N (20 ms more). Null when that cannot say
 * (a merge or a root reached before `from` — history rewritten —, more than
 * `limit` commits): the caller asks git's own walk then. What is read is
 * held until the walk ends, hence the small limit.
 */
export async function commitsSince(cat: CatFile, tip: string, from: string, limit = 1000, signal?: AbortSignal): Promise<WalkedCommit[] | null> {
  // git finds `x~N` by walking N parents: batches of a few, each from the last commit of the one before.
  const BATCH = 16;
  const out: WalkedCommit[] = [];
  let base = tip;
  let first = 0;
  while (out.length < limit) {
    signal?.throwIfAborted();
    const asked: [Promise<GitObject | null>, Promise<GitObject | null>][] = [];
    for (let i = first; i < first + BATCH; i++) {
      const c = cat.object(`${base}~${i}`);
      const m = cat.object(`${base}~${i}:m`);
      c.catch(() => undefined);
      m.catch(() => undefined);
      asked.push([c, m]);
    }
    for (const [c, m] of asked) {
      const o = await c;
      const blob = await m;
      if (!o || o.type !== 'commit') return null;
      if (o.oid === from) return out.reverse();
      // Each commit before `from` has one parent, or ~N did not follow the only line there is.
      const head = o.data.toString('latin1', 0, Math.min(o.data.length, 4096));
      const end = head.indexOf('\n\n');
      const parents = (end < 0 ? head : head.slice(0, end)).split('\n').filter((l) => l.startsWith('parent ')).length;
      if (parents !== 1) return null;
      out.push({ oid: o.oid, m: blob && blob.type === 'blob' ? blob : null });
    }
    base = out[out.length - 1]!.oid;
    first = 1;
  }
  return null;
}
