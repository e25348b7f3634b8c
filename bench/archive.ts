/**
 * Benchmark of the persistent mail index (issue 12), beside notmuch 0.37 on
 * the same messages, in the same run:
 *   - the linux-arch public-inbox epoch (53,141 messages; --repo overrides it)
 *     indexed from scratch: by the CLI (`execmem-lens index REPO --index DIR
 *     --json`, on a throw-away `git clone --shared` of the epoch) and by
 *     `notmuch new` over the same messages written once as a maildir (cached
 *     in .cache/bench, one file per blob `m`), into a fresh database whose
 *     files live outside the maildir: wall time, peak RSS, size on disk
 *     against the size of the mail (notmuch's also after `notmuch compact`,
 *     of a copy, since `notmuch new` alone leaves it uncompacted);
 *   - the index opened again with nothing new (`index` again; `notmuch new`
 *     again): the cost of reopening;
 *   - queries with the same meaning in both tools (subject word, sender,
 *     Message-ID), each run as its own process several times, p50 and p95,
 *     with both tools' hit counts; two patch queries notmuch has no
 *     equivalent for (dfn:, dfhh:) are timed for the CLI only. A CLI query
 *     pays Node's start-up, so Node's bare start-up (`node -e 0`) and the
 *     CLI bundle's (`cli.js --version`) are measured in the same run (a bare
 *     start-up beside each query run) and the query targets are judged on
 *     p95 less the bare start-up;
 *   - 100 new messages (replies to a message of the epoch) appended: as 100
 *     commits to the clone for the CLI (written by one git fast-import, as
 *     public-inbox writes them, so they are packed), as 100 files for notmuch (in a folder
 *     beside the maildir, removed afterwards); the update timed; the CLI must
 *     report exactly 100 new messages or the benchmark fails;
 *   - peak RSS of indexing the linux-modules epoch (about 10,000 messages)
 *     against that of linux-arch: memory must grow sublinearly;
 *   - from the per-message costs, estimates for 300,000 and 3,000,000
 *     messages.
 * Peak RSS of a Node process is its own (bench/lib/rusage.cjs); the CLI's git
 * children are not in it, so the whole process tree is also sampled from
 * /proc every 20 ms and that sum printed beside it. notmuch's is GNU time's.
 * `notmuch new` takes minutes, so it runs once per run; --reuse-notmuch keeps
 * the database of an earlier run (its figures are printed as reused). Until
 * the CLI has `index`, its side prints why it is not available and notmuch's
 * side runs alone. Figures are saved to .cache/bench/archive-<time>.json.
 *
 *   npm run bench:archive [-- --runs 21 --cli-query-runs 3 --index-runs 3 --repo PATH
 *                             --reuse-notmuch --skip-notmuch --cli dist/cli.js]
 * (--runs: runs of each query and of the start-ups; --index-runs: fresh
 * indexings by the CLI of each epoch; --cli: another build of the CLI.)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../scripts/lib/codeServer';
import { epochRepo } from '../scripts/lib/corpus';
import { searchEntries } from '../src/core/search/docs';
import { SearchPlan } from '../src/core/search/plan';
import { parseQuery } from '../src/core/search/query';
import { readBodies } from '../src/node/index/bodies';
import { indexSources, loadIndex } from '../src/node/index/indexer';
import { IndexWorker } from '../src/node/index/remote';
import { imageFileFor, imageKey, ModelImage } from '../src/node/index/image';
import { ModelBuilder } from '../src/node/index/model';
import { sourceSignature } from '../src/node/mail/signature';
import { loadSqlite } from '../src/node/index/sqlite';

const DEFAULT_REPO = '/work/.mirror/linux-mailinglist-archives+linux-arch.vger.kernel.org.0/repo';

const TARGET_INDEX_MS = 12_000;
const TARGET_RSS_MB = 300;
/** The index's size on disk, as a share of the mail's. */
const TARGET_SIZE_SHARE = 0.25;
const TARGET_REOPEN_MS = 300;
const TARGET_APPEND_MS = 300;
const TARGET_QUERY_P95_MS = 50;
/** Peak RSS at linux-arch over that at linux-modules (about 5× the messages). */
const TARGET_RSS_RATIO = 1.5;
const APPENDED = 100;
/** A patch in linux-arch: the Message-ID query looks for it, the appended messages reply to it. */
const REPLIED_TO: Original = { msgid: '20241023162711.2579610-8-rppt@kernel.org', subject: '[PATCH v7 7/8] execmem: add support for cache of large ROX pages' };
const REOPEN_RUNS = 5;
/** Batches of new mail taken in, in process (the median is the figure). */
const APPEND_RUNS = 5;

// ---------------------------------------------------------------- arguments

function numArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} wants a whole number ≥ 1`);
  return n;
}

function strArg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} wants a value`);
  return v;
}

const flag = (name: string) => process.argv.includes(name);

// ---------------------------------------------------------------- statistics

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Nearest-rank percentile: the smallest sample with at least p of the samples at or below it. */
const percentile = (xs: number[], p: number) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};

// ---------------------------------------------------------------- measured processes

interface Run {
  ms: number;
  code: number | null;
  out: string;
  err: string;
  /** Peak RSS the process itself reported (rusage.cjs) or GNU time reported for it, in MB. */
  rssMb: number;
  /** Largest sampled sum of RSS over the process and all its descendants, in MB (NaN when not sampled). */
  treeMb: number;
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone already
  }
  return kids;
}

function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The RSS of a process and all its descendants, summed, in kB. */
function treeRssKb(root: number): number {
  let sum = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    sum += rssKb(pid);
    todo.push(...childrenOf(pid));
  }
  return sum;
}

/** Runs a command to its end; never throws on its exit code (the caller decides). */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; sample?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let out = '';
    let err = '';
    let treePeak = 0;
    const sampler = opts.sample && child.pid !== undefined ? setInterval(() => (treePeak = Math.max(treePeak, treeRssKb(child.pid!))), 20) : undefined;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (sampler) clearInterval(sampler);
      const rss = /execmem-bench maxrss_kb=(\d+)/.exec(err)?.[1];
      resolve({ ms, code, out, err, rssMb: rss ? Number(rss) / 1024 : NaN, treeMb: opts.sample ? treePeak / 1024 : NaN });
    });
  });
}

/** Like run, but a failure is an error of the benchmark. */
async function mustRun(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; sample?: boolean } = {}): Promise<Run> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.err.slice(-2000)}`);
  return r;
}

/** What a failed run said: its error line (a thrown Error's, when Node printed a stack) or else its first line. */
function firstLine(r: Run): string {
  const said = r.err.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('execmem-bench'));
  return (said.find((l) => /^(\w*Error\b|execmem-lens)/.test(l)) ?? said[0] ?? `exit ${r.code}, nothing on stderr`).slice(0, 300);
}

/** Bytes of all files under dir (their sizes, as `du -sb` adds them), symlinks not followed. */
function bytesUnder(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sum += bytesUnder(p);
    else if (e.isFile()) sum += lstatSync(p).size;
  }
  return sum;
}

const git = (repo: string, args: string[], input?: string) =>
  execFileSync('git', [`--git-dir=${repo}`, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, ...(input === undefined ? {} : { input }) });

// ---------------------------------------------------------------- the maildir notmuch reads

interface Manifest {
  repo: string;
  /** Every ref and its commit: a changed epoch gives a new maildir. */
  refs: string;
  messages: number;
  /** Sum of the blobs' sizes: the size of the mail. */
  bytes: number;
}

const MANIFEST = '.bench-manifest.json';

/**
 * Writes every message of the epoch (each commit's blob `m`, oldest first) as
 * cur/<n>:2, of a maildir, made once: one `git cat-file --batch` reads them
 * all, into a temporary folder renamed into place when complete.
 */
async function ensureMaildir(repo: string, dir: string): Promise<Manifest> {
  const refs = git(repo, ['for-each-ref', '--format=%(objectname) %(refname)']);
  const file = path.join(dir, MANIFEST);
  if (existsSync(file)) {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.repo === repo && m.refs === refs) return m;
    console.log(`the maildir at ${dir} was made from another epoch: making it again`);
  }
  console.log(`writing the epoch as a maildir (once): ${dir}`);
  const commits = git(repo, ['rev-list', '--all', '--reverse']).split('\n').filter(Boolean);
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(part, sub), { recursive: true });
  const cat = spawn('git', [`--git-dir=${repo}`, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let n = 0;
  let bytes = 0;
  let buf: Buffer = Buffer.alloc(0);
  let size = -1; // the size of the blob being read; -1 while reading a header line
  const done = new Promise<void>((resolve, reject) => {
    cat.on('error', reject);
    cat.stdout.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (size < 0) {
          const nl = buf.indexOf(10);
          if (nl < 0) return;
          const header = buf.toString('latin1', 0, nl).split(' ');
          if (header[1] !== 'blob') return reject(new Error(`git cat-file: ${header.join(' ')} (commit ${commits[n]})`));
          size = Number(header[2]);
          buf = buf.subarray(nl + 1);
        }
        if (buf.length < size + 1) return;
        n++;
        writeFileSync(path.join(part, 'cur', `${n}:2,`), buf.subarray(0, size));
        bytes += size;
        buf = buf.subarray(size + 1);
        size = -1;
      }
    });
    cat.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git cat-file exited ${code}`))));
  });
  cat.stdin.end(commits.map((c) => `${c}:m\n`).join(''));
  await done;
  if (n !== commits.length) throw new Error(`wrote ${n} messages of ${commits.length} commits`);
  const manifest: Manifest = { repo, refs, messages: n, bytes };
  writeFileSync(path.join(part, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(part, dir);
  return manifest;
}

// ---------------------------------------------------------------- the appended messages

interface Original {
  msgid: string;
  subject: string;
}

/** The headers of one message of the epoch, unfolded, by lower-case name (first occurrence). */
function headersOf(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const h = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const m = /^([^:\s]+):\s*(.*)$/.exec(line);
    if (m && !h.has(m[1]!.toLowerCase())) h.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return h;
}

function rfc2822(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** 100 replies to `to`, each a plain, valid message with a Message-ID of this run. */
function syntheticReplies(to: Original, stamp: string): string[] {
  const start = Date.now();
  return Array.from({ length: APPENDED }, (_, i) => {
    const date = new Date(start + i * 1000);
    return [
      'From: Execmem Lens Bench <bench@execmem-lens.invalid>',
      'To: linux-arch@vger.kernel.org',
      `Subject: Re: ${to.subject.replace(/^(re:\s*)+/i, '')}`,
      `Date: ${rfc2822(date)}`,
      `Message-ID: <bench-${stamp}-${i + 1}@execmem-lens.invalid>`,
      `In-Reply-To: <${to.msgid}>`,
      `References: <${to.msgid}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `On ${rfc2822(date)}, someone wrote:`,
      '> (quoted text elided)',
      '',
      `Synthetic reply ${i + 1} of ${APPENDED}, appended by bench/archive.ts to time an index update.`,
      '',
    ].join('\n');
  });
}

/**
 * Appends the messages to a public-inbox epoch as commits on its master
 * branch, each with one blob `m`, written as public-inbox writes them: one
 * `git fast-import` for the batch (PublicInbox::Import drives fast-import),
 * so the new objects are in a pack, not loose files.
 */
function appendToEpoch(repo: string, messages: string[]): void {
  const parent = git(repo, ['rev-parse', 'refs/heads/master']).trim();
  const ident = 'Execmem Lens Bench <bench@execmem-lens.invalid>';
  const parts: Buffer[] = [];
  const data = (b: Buffer) => parts.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
  messages.forEach((raw, i) => {
    const h = headersOf(raw);
    const when = `${Math.floor(Date.parse(h.get('date')!) / 1000)} +0000`;
    parts.push(Buffer.from(`commit refs/heads/master\nauthor ${ident} ${when}\ncommitter ${ident} ${when}\n`));
    data(Buffer.from(`${h.get('subject')!}\n`));
    if (i === 0) parts.push(Buffer.from(`from ${parent}\n`));
    parts.push(Buffer.from('M 100644 inline m\n'));
    data(Buffer.from(raw));
  });
  execFileSync('git', [`--git-dir=${repo}`, 'fast-import', '--quiet'], { input: Buffer.concat(parts) });
}

// ---------------------------------------------------------------- queries

interface Query {
  /** The CLI's query (lore's language). */
  ours: string;
  /** notmuch's query with the same meaning, or null when it has none. */
  notmuch: string | null;
}

interface QueryFigures {
  query: Query;
  /** startMs: Node's bare start-up, timed just before each of the query's runs. */
  ours: { p50: number; p95: number; hits: number; startMs: number } | { unavailable: string };
  notmuch: { p50: number; p95: number; hits: number } | { unavailable: string };
}

// ---------------------------------------------------------------- notmuch

interface NotmuchState {
  refs: string;
  indexedAt: string;
  ms: number;
  rssMb: number;
  dbBytes: number;
  /** The same database after `notmuch compact` (of a copy: the queries use the one `notmuch new` left). */
  compactedBytes?: number;
  compactMs?: number;
  messages: number;
}

interface NotmuchSide {
  reused: boolean;
  indexedAt: string;
  indexMs: number;
  indexRssMb: number;
  dbBytes: number;
  compactedBytes: number;
  compactMs: number;
  messages: number;
  reopenMs: number[];
  appendMs: number;
  appendAdded: number;
}

class Notmuch {
  readonly env: NodeJS.ProcessEnv;
  readonly db: string;
  readonly root: string;
  readonly stateFile: string;

  constructor(
    readonly work: string,
    readonly maildir: string,
    readonly name: string,
  ) {
    this.db = path.join(work, 'db');
    this.root = path.join(work, 'root');
    this.stateFile = path.join(work, 'state.json');
    const config = path.join(work, 'config');
    mkdirSync(work, { recursive: true });
    // The database lives in db/, not in the maildir, which stays as it was made; root/
    // holds a link to the maildir and, while the append is timed, a folder of new mail.
    writeFileSync(
      config,
      [
        '[database]',
        `path=${this.db}`,
        `mail_root=${this.root}`,
        '[new]',
        'tags=',
        `ignore=${MANIFEST}`,
        '[maildir]',
        'synchronize_flags=false',
        '[search]',
        'exclude_tags=',
        '',
      ].join('\n'),
    );
    this.env = { ...process.env, NOTMUCH_CONFIG: config, NOTMUCH_PROFILE: '' };
    delete this.env.NOTMUCH_DATABASE;
  }

  /** `notmuch new`, under GNU time for its peak RSS. */
  newMail(): Promise<Run> {
    return mustRun('/usr/bin/time', ['-f', 'execmem-bench maxrss_kb=%M', 'notmuch', 'new', '--quiet'], { env: this.env });
  }

  state(): NotmuchState | undefined {
    return existsSync(this.stateFile) && existsSync(path.join(this.db, 'xapian')) ? (JSON.parse(readFileSync(this.stateFile, 'utf8')) as NotmuchState) : undefined;
  }

  /** A fresh database of the whole maildir, or the last one when reuse is asked for and it is of the same epoch. */
  async index(refs: string, reuse: boolean): Promise<{ state: NotmuchState; reused: boolean }> {
    const old = this.state();
    if (reuse && old && old.refs === refs) return { state: old, reused: true };
    if (reuse) console.log('notmuch: no database of this epoch to reuse: indexing');
    rmSync(this.stateFile, { force: true });
    rmSync(this.db, { recursive: true, force: true });
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.db, { recursive: true });
    mkdirSync(this.root, { recursive: true });
    symlinkSync(realpathSync(this.maildir), path.join(this.root, this.name));
    console.log('notmuch new: indexing the maildir from scratch (minutes) ...');
    const r = await this.newMail();
    const state: NotmuchState = {
      refs,
      indexedAt: new Date().toISOString(),
      ms: r.ms,
      rssMb: r.rssMb,
      dbBytes: bytesUnder(this.db),
      messages: Number((await mustRun('notmuch', ['count', '*'], { env: this.env })).out.trim()),
    };
    writeFileSync(this.stateFile, `${JSON.stringify(state, null, 2)}\n`);
    return { state, reused: false };
  }

  /** Measures what `notmuch compact` makes of the database, on a copy in scratch, and keeps the figures in the state. */
  async compacted(state: NotmuchState, scratch: string): Promise<NotmuchState> {
    if (state.compactedBytes !== undefined) return state;
    const copy = path.join(scratch, 'notmuch-compact');
    mkdirSync(copy, { recursive: true });
    execFileSync('cp', ['-r', this.db, path.join(copy, 'db')]);
    const config = path.join(copy, 'config');
    writeFileSync(config, readFileSync(String(this.env.NOTMUCH_CONFIG), 'utf8').replace(/^path=.*$/m, `path=${path.join(copy, 'db')}`));
    try {
      const r = await mustRun('notmuch', ['compact', '--quiet'], { env: { ...this.env, NOTMUCH_CONFIG: config } });
      const next = { ...state, compactedBytes: bytesUnder(path.join(copy, 'db')), compactMs: r.ms };
      writeFileSync(this.stateFile, `${JSON.stringify(next, null, 2)}\n`);
      return next;
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }

  /** Message-IDs matching the query, as `notmuch search --output=messages` prints them. */
  search(q: string): Promise<Run> {
    return mustRun('notmuch', ['search', '--output=messages', q], { env: this.env });
  }

  /**
   * Times `notmuch new` over the messages added as a maildir folder beside
   * the epoch's, then removes them (and from the database) so that a reused
   * database stays the epoch's.
   */
  async append(messages: string[]): Promise<{ ms: number; added: number }> {
    const dir = path.join(this.root, 'bench-appended');
    rmSync(dir, { recursive: true, force: true });
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
    messages.forEach((m, i) => writeFileSync(path.join(dir, 'cur', `${i + 1}:2,`), m));
    try {
      const r = await this.newMail();
      const ids = messages.map((m) => `id:${/^Message-ID: <([^>]+)>/m.exec(m)![1]}`);
      const added = Number((await mustRun('notmuch', ['count', ids.join(' OR ')], { env: this.env })).out.trim());
      return { ms: r.ms, added };
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await this.newMail();
    }
  }
}

// ---------------------------------------------------------------- our CLI

interface IndexOut {
  messages: number;
  new: number;
  ms: number;
}

function parseIndexOut(r: Run): IndexOut | string {
  if (r.code !== 0) return firstLine(r);
  try {
    const j = JSON.parse(r.out) as Partial<IndexOut>;
    if (typeof j.messages !== 'number' || typeof j.new !== 'number') return `unexpected output: ${r.out.slice(0, 200)}`;
    return { messages: j.messages, new: j.new, ms: typeof j.ms === 'number' ? j.ms : NaN };
  } catch {
    return `output is not JSON: ${r.out.slice(0, 200)}`;
  }
}

interface OurIndexRun {
  ms: number;
  rssMb: number;
  treeMb: number;
  out: IndexOut;
}

// ---------------------------------------------------------------- report

const fmtMs = (ms: number) =>
  Number.isNaN(ms) ? 'n/a' : ms >= 2 * 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 600_000 ? `${(ms / 60_000).toFixed(0)} min` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
const fmtMb = (mb: number) => (Number.isNaN(mb) ? 'n/a' : `${mb.toFixed(0)} MB`);
const fmtBytes = (b: number) => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : `${(b / (1 << 20)).toFixed(1)} MiB`);

function verdict(value: number | undefined, limit: number, atMost = true): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return (atMost ? value <= limit : value >= limit) ? 'PASS' : 'MISS';
}

// ---------------------------------------------------------------- main

interface InProcess {
  sqliteInitMs: number;
  /** A window opened again: the sources' signatures taken and the model image opened, the tree's first lines ready. */
  summaryMs: number[];
  /** Families the image's summary shows (as many as the model has, or it is wrong). */
  summaryFamilies: number;
  modelFamilies: number;
  /** Index opened, brought up to date (nothing new) and turned into the series model, as a window does when it opens again. */
  reopenMs: number[];
  /** Heap the loaded model holds (after a full GC), and the RSS it adds, against before loading. */
  heapMb: number;
  rssMb: number;
  /** Per query; `first` includes building the posting lists it needs. */
  queries: Map<string, { p50: number; p95: number; hits: number; bodiesRead: number; first: number }>;
  /** The same after 100 messages were appended: brought up to date and the model with them (median of APPEND_RUNS batches). */
  appendMs?: number;
  appendNew?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * What the extension does, timed in this process: open the index again and
 * build the series model from it (the tree shows that), answer queries on
 * the model already loaded, and the memory the model holds.
 */
async function inProcess(source: string, dir: string, queries: readonly Query[], runs: number): Promise<InProcess> {
  let t = performance.now();
  await loadSqlite();
  const sqliteInitMs = performance.now() - t;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const reopenMs: number[] = [];
  let loaded: ReturnType<typeof loadIndex> | undefined;
  for (let i = 0; i < REOPEN_RUNS; i++) {
    loaded = undefined;
    gc?.();
    t = performance.now();
    const { open } = await indexSources(dir, [source]);
    try {
      loaded = loadIndex(open);
    } finally {
      open.close();
    }
    reopenMs.push(performance.now() - t);
  }
  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  const rssMb = (process.memoryUsage().rss - rss0) / 1e6;
  // The model image a read leaves for the next window (written by the index's worker in the extension: ModelBuilder),
  // then opened as a window opened again does, and what holding it costs this thread.
  const index = loaded!.index;
  const imageFile = imageFileFor(dir, [source]);
  const inputs = `bench:${await sourceSignature(source)}`;
  const builder = new ModelBuilder();
  const built = await builder.build(dir, [source], inputs, imageFile);
  const summaryMs: number[] = [];
  let summaryFamilies = 0;
  for (let i = 0; i < REOPEN_RUNS; i++) {
    gc?.();
    t = performance.now();
    await sourceSignature(source);
    const img = ModelImage.open(imageFile, imageKey(inputs), () => ({ text: () => ({ body: '', attachedPatches: [] }) }));
    summaryMs.push(performance.now() - t);
    if (!img) throw new Error('the model image just written was not read back');
    summaryFamilies = img.header.summary.sources.reduce((n, x) => n + x.families.length, 0);
    img.close();
  }
  console.log(`in process: the model image written in ${fmtMs(built.image.ms)} (${fmtBytes(built.image.bytes)}, ${built.image.slices} slices; grouping ${fmtMs(built.groupMs)})`);
  const entries = searchEntries(loaded!.index);
  const byId = new Map(entries.map((e) => [e.doc.msgid, e.message]));
  // As the extension keeps it: one plan for the loaded mail, posting lists built by the first query that needs them.
  const plan = new SearchPlan(entries);
  const out = new Map<string, { p50: number; p95: number; hits: number; bodiesRead: number; first: number }>();
  for (const q of queries) {
    const parsed = parseQuery(q.ours);
    if (!parsed.ok) throw new Error(`${q.ours}: ${parsed.error}`);
    const ms: number[] = [];
    let hits = 0;
    let bodiesRead = 0;
    // A body query reads the whole archive again each time: three runs say enough.
    for (let i = 0; i < (q.ours.startsWith('b:') ? Math.min(runs, 3) : runs); i++) {
      t = performance.now();
      const r = await plan.run(parsed.value, (docs) => readBodies(docs.map((d) => byId.get(d.msgid)!)));
      ms.push(performance.now() - t);
      hits = r.hits.length;
      bodiesRead = r.bodiesRead;
    }
    out.set(q.ours, { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), hits, bodiesRead, first: ms[0]! });
  }
  return { sqliteInitMs, summaryMs, summaryFamilies, modelFamilies: index.families.length, reopenMs, heapMb, rssMb, queries: out };
}

async function main(): Promise<void> {
  const runs = numArg('--runs', 21);
  // A CLI query reads its whole index first (seconds): a few runs say what that costs.
  const cliRuns = numArg('--cli-query-runs', 3);
  const indexRuns = numArg('--index-runs', 3);
  const reuseNotmuch = flag('--reuse-notmuch');
  const skipNotmuch = flag('--skip-notmuch');
  const repo = realpathSync(strArg('--repo') ?? DEFAULT_REPO);
  const name = repo === realpathSync(DEFAULT_REPO) ? 'linux-arch' : `repo-${createHash('sha1').update(repo).digest('hex').slice(0, 8)}`;
  const cache = path.join(ROOT, '.cache', 'bench');
  mkdirSync(cache, { recursive: true });
  const cli = path.resolve(strArg('--cli') ?? path.join(ROOT, 'dist', 'cli.js'));
  const rusage = path.join(ROOT, 'bench', 'lib', 'rusage.cjs');
  const work = mkdtempSync(path.join(tmpdir(), 'execmem-bench-archive-'));
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  let failed: string | undefined;

  // The queries: a subject word, a sender and a Message-ID with hits in linux-arch, then two only the CLI answers.
  const queries: Query[] = [
    { ours: 's:execmem', notmuch: 'subject:execmem' },
    { ours: 'f:rppt@kernel.org', notmuch: 'from:rppt@kernel.org' },
    { ours: `m:${REPLIED_TO.msgid}`, notmuch: `id:${REPLIED_TO.msgid}` },
    { ours: 'dfn:mm/vmalloc.c', notmuch: null },
    { ours: 'dfhh:module_alloc', notmuch: null },
    { ours: 'b:VM_FLUSH_RESET_PERMS', notmuch: 'body:VM_FLUSH_RESET_PERMS' },
  ];

  try {
    const maildir = path.join(cache, `${name}-maildir`);
    const mail = await ensureMaildir(repo, maildir);
    console.log(`epoch: ${repo}\n  ${mail.messages} messages, ${fmtBytes(mail.bytes)} of mail (sum of the blobs; the maildir ${maildir} holds the same bytes)`);
    console.log(`load average at the start: ${load()}\n`);

    // Node's own start-up, which every CLI query pays before it reads its index.
    const nodeStart: number[] = [];
    const bundleStart: number[] = [];
    for (let i = 0; i < runs; i++) {
      nodeStart.push((await mustRun(process.execPath, ['-e', '0'])).ms);
      if (existsSync(cli)) bundleStart.push((await mustRun(process.execPath, [cli, '--version'])).ms);
    }
    console.log(`node start-up (node -e 0): median ${fmtMs(median(nodeStart))}; CLI bundle start-up (cli.js --version): ${bundleStart.length ? `median ${fmtMs(median(bundleStart))}` : 'n/a (no dist/cli.js: run npm run build)'}\n`);

    // ---- notmuch: a fresh database, reopened, queried.
    let nm: Notmuch | undefined;
    let nmSide: NotmuchSide | undefined;
    const nmQueries = new Map<string, QueryFigures['notmuch']>();
    if (skipNotmuch) console.log('notmuch: skipped (--skip-notmuch)\n');
    else {
      nm = new Notmuch(path.join(cache, `${name}-notmuch`), maildir, name);
      const indexed = await nm.index(mail.refs, reuseNotmuch);
      const reused = indexed.reused;
      const state = await nm.compacted(indexed.state, work);
      if (state.messages !== mail.messages) console.log(`notmuch holds ${state.messages} messages of ${mail.messages} files (it keeps one per Message-ID)`);
      console.log(
        reused
          ? `notmuch new: REUSED the database indexed at ${state.indexedAt} (--reuse-notmuch); its figures then: ${fmtMs(state.ms)}, peak RSS ${fmtMb(state.rssMb)}`
          : `notmuch new: ${fmtMs(state.ms)}, peak RSS ${fmtMb(state.rssMb)}`,
      );
      console.log(`notmuch database: ${fmtBytes(state.dbBytes)} (${((state.dbBytes / mail.bytes) * 100).toFixed(1)} % of the mail), ${state.messages} messages`);
      console.log(`  after notmuch compact (${fmtMs(state.compactMs!)}, on a copy): ${fmtBytes(state.compactedBytes!)} (${((state.compactedBytes! / mail.bytes) * 100).toFixed(1)} %)`);
      const reopen: number[] = [];
      for (let i = 0; i < REOPEN_RUNS; i++) reopen.push((await nm.newMail()).ms);
      console.log(`notmuch new, nothing new: median ${fmtMs(median(reopen))} of ${REOPEN_RUNS}`);
      for (const q of queries) {
        if (q.notmuch === null) {
          nmQueries.set(q.ours, { unavailable: 'no equivalent' });
          continue;
        }
        const ms: number[] = [];
        let hits = -1;
        for (let i = 0; i < runs; i++) {
          const r = await nm.search(q.notmuch);
          ms.push(r.ms);
          hits = r.out.split('\n').filter(Boolean).length;
        }
        nmQueries.set(q.ours, { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), hits });
        console.log(`notmuch search --output=messages '${q.notmuch}': p50 ${fmtMs(percentile(ms, 0.5))}, p95 ${fmtMs(percentile(ms, 0.95))}, ${hits} messages`);
      }
      nmSide = { reused, indexedAt: state.indexedAt, indexMs: state.ms, indexRssMb: state.rssMb, dbBytes: state.dbBytes, compactedBytes: state.compactedBytes!, compactMs: state.compactMs!, messages: state.messages, reopenMs: reopen, appendMs: NaN, appendAdded: NaN };
      console.log();
    }

    // ---- ours: the same epoch, through a throw-away clone that the append may change.
    const clone = path.join(work, 'epoch.git');
    execFileSync('git', ['clone', '--quiet', '--bare', '--shared', repo, clone]);
    let unavailable: string | undefined = existsSync(cli) ? undefined : 'no dist/cli.js (run npm run build)';
    const firsts: OurIndexRun[] = [];
    const indexDir = (i: number) => path.join(work, `index-${i}`);
    for (let i = 0; i < indexRuns && !unavailable; i++) {
      rmSync(indexDir(i), { recursive: true, force: true });
      const r = await run(process.execPath, ['--require', rusage, cli, 'index', clone, '--index', indexDir(i), '--json'], { sample: true });
      const out = parseIndexOut(r);
      if (typeof out === 'string') unavailable = out;
      else {
        firsts.push({ ms: r.ms, rssMb: r.rssMb, treeMb: r.treeMb, out });
        console.log(`execmem-lens index (fresh) ${i + 1}/${indexRuns}: ${fmtMs(r.ms)} (its own figure ${fmtMs(out.ms)}), ${out.messages} messages, ${out.new} new, peak RSS ${fmtMb(r.rssMb)} (process tree ${fmtMb(r.treeMb)})`);
        if (i > 0) rmSync(indexDir(i - 1), { recursive: true, force: true });
      }
    }
    const ourDir = indexDir(firsts.length - 1);
    const ourQueries = new Map<string, QueryFigures['ours']>();
    let ourIndexBytes = NaN;
    const reopen: number[] = [];
    let modules: { messages: number; rssMb: number; treeMb: number }[] = [];
    let append: { ms: number; out: IndexOut } | undefined;
    if (unavailable) console.log(`execmem-lens index: not available: ${unavailable}`);
    else {
      ourIndexBytes = bytesUnder(ourDir);
      console.log(`execmem-lens index on disk: ${fmtBytes(ourIndexBytes)} (${((ourIndexBytes / mail.bytes) * 100).toFixed(1)} % of the mail)`);
      for (let i = 0; i < REOPEN_RUNS; i++) {
        const r = await run(process.execPath, [cli, 'index', clone, '--index', ourDir, '--json']);
        const out = parseIndexOut(r);
        if (typeof out === 'string') throw new Error(`execmem-lens index again, nothing new: ${out}`);
        if (out.new !== 0) console.log(`execmem-lens index again reported ${out.new} new messages where there were none`);
        reopen.push(r.ms);
      }
      console.log(`execmem-lens index, nothing new: median ${fmtMs(median(reopen))} of ${REOPEN_RUNS}`);
      for (const q of queries) {
        const args = [cli, 'search', q.ours, clone, '--index', ourDir, '--json'];
        const probe = await run(process.execPath, args);
        if (probe.code !== 0) {
          ourQueries.set(q.ours, { unavailable: firstLine(probe) });
          console.log(`execmem-lens search '${q.ours}': not available: ${firstLine(probe)}`);
          continue;
        }
        const hits = (JSON.parse(probe.out) as { total: number }).total;
        // The load on this machine drifts: Node's start-up is timed beside each run, not once for all.
        const ms: number[] = [];
        const start: number[] = [];
        for (let i = 0; i < cliRuns; i++) {
          start.push((await mustRun(process.execPath, ['-e', '0'])).ms);
          ms.push((await mustRun(process.execPath, args)).ms);
        }
        nodeStart.push(...start);
        ourQueries.set(q.ours, { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), hits, startMs: median(start) });
        console.log(`execmem-lens search '${q.ours}': p50 ${fmtMs(percentile(ms, 0.5))}, p95 ${fmtMs(percentile(ms, 0.95))}, ${hits} messages; node -e 0 beside it: median ${fmtMs(median(start))}`);
      }
      // Memory against the archive's size: the same indexing of an epoch a fifth as large.
      const modulesRepo = epochRepo();
      modules = [];
      for (let i = 0; i < indexRuns; i++) {
        const dir = path.join(work, `modules-index-${i}`);
        const r = await run(process.execPath, ['--require', rusage, cli, 'index', modulesRepo, '--index', dir, '--json'], { sample: true });
        const out = parseIndexOut(r);
        if (typeof out === 'string') throw new Error(`execmem-lens index of linux-modules: ${out}`);
        modules.push({ messages: out.messages, rssMb: r.rssMb, treeMb: r.treeMb });
        rmSync(dir, { recursive: true, force: true });
      }
      console.log(`execmem-lens index of linux-modules (${modules[0]!.messages} messages): peak RSS ${fmtMb(Math.max(...modules.map((m) => m.rssMb)))} (process tree ${fmtMb(Math.max(...modules.map((m) => m.treeMb)))})`);
    }

    // ---- in this process, as the extension does it
    let inproc: InProcess | undefined;
    const inprocDir = path.join(work, 'inproc-index');
    if (!unavailable) {
      execFileSync('cp', ['-r', ourDir, inprocDir]);
      inproc = await inProcess(clone, inprocDir, queries, runs);
      console.log(`in process: SQLite's WebAssembly loaded in ${fmtMs(inproc.sqliteInitMs)} (once per process)`);
      console.log(`in process: window opened again, the model image opened (${inproc.summaryFamilies} of ${inproc.modelFamilies} families in its summary): median ${fmtMs(median(inproc.summaryMs))} of ${REOPEN_RUNS}`);
      console.log(`in process: index opened again and the series model built: median ${fmtMs(median(inproc.reopenMs))} of ${REOPEN_RUNS}; the model holds ${inproc.heapMb.toFixed(0)} MB of heap (RSS +${inproc.rssMb.toFixed(0)} MB)`);
      for (const [q, f] of inproc.queries) console.log(`in process: '${q}' on the loaded model: p50 ${fmtMs(f.p50)}, p95 ${fmtMs(f.p95)} (first run, building its posting lists: ${fmtMs(f.first)}), ${f.hits} hits${f.bodiesRead ? ` (${f.bodiesRead} bodies read again)` : ''}`);
    }

    // ---- 100 new messages: replies to the queried patch, the same for both sides.
    const replies = syntheticReplies(REPLIED_TO, new Date().toISOString().replace(/\D/g, '').slice(0, 14));
    const appendRuns: number[] = [];
    let indexWorker: IndexWorker | undefined;
    let takeInMore: ((batch: string[], label: string) => Promise<number>) | undefined;
    if (!unavailable) {
      // What the extension holds when new mail comes: the last read of the source through its index
      // (through the worker that holds SQLite for it, as SeriesStore does), grouped.
      indexWorker = new IndexWorker(15_000);
      const imageFile = imageFileFor(inprocDir, [clone]);
      const inputsOf = async () => `bench:${await sourceSignature(clone)}`;
      await indexWorker.model(inprocDir, [clone], await inputsOf(), imageFile);
      // As the extension does when its watcher sees the new commits (SeriesStore.load): the worker reads
      // them into the index, puts them into the model it holds (or groups everything again where that
      // cannot be done) and adds the slices that changed to the model image; this thread then opens it
      // again (the tree is told to show it).
      const takeIn = async (batch: string[], label: string): Promise<number> => {
        appendToEpoch(clone, batch);
        gc?.();
        const t0 = performance.now();
        const inputs = await inputsOf();
        const report = await indexWorker!.model(inprocDir, [clone], inputs, imageFile);
        const t1 = performance.now();
        const img = ModelImage.open(imageFile, imageKey(inputs), () => ({ text: () => ({ body: '', attachedPatches: [] }) }));
        const ms = performance.now() - t0;
        if (!img) throw new Error('the model image the worker wrote was not read back');
        img.close();
        const fresh = report.sources[0]?.fresh ?? 0;
        const put = report.grouped === 'extended';
        console.log(
          `in process: ${label}: ${APPENDED} appended, index updated, the model brought up to date and opened again: ${fmtMs(ms)} (${fresh} new; ` +
            `on the worker ${fmtMs(t1 - t0)}: ${put ? 'put into the model it held' : 'grouped again'} in ${fmtMs(report.groupMs)}, image ${fmtBytes(report.image.written)} of ${fmtBytes(report.image.bytes)} written in ${fmtMs(report.image.ms)}; opened here in ${fmtMs(performance.now() - t1)}; ` +
            `steps on the worker: ${Object.entries(report.steps).map(([k, v]) => `${k} ${v}`).join(', ')})`,
        );
        if (!put) failed = 'the in-process append grouped all the mail again instead of putting the replies into the model held';
        if (fresh !== APPENDED) failed = `the in-process append read ${fresh} new messages after ${APPENDED} were appended`;
        return ms;
      };
      appendRuns.push(await takeIn(replies, 'batch 1'));
      takeInMore = takeIn;
      inproc!.appendNew = APPENDED;
      const r = await run(process.execPath, [cli, 'index', clone, '--index', ourDir, '--json']);
      const out = parseIndexOut(r);
      if (typeof out === 'string') throw new Error(`execmem-lens index after the append: ${out}`);
      append = { ms: r.ms, out };
      console.log(`execmem-lens index after appending ${APPENDED}: ${fmtMs(r.ms)}, ${out.new} new, ${out.messages} messages`);
      if (out.new !== APPENDED) failed = `execmem-lens index reported ${out.new} new messages after ${APPENDED} were appended`;
    }
    if (nm && nmSide) {
      const a = await nm.append(replies);
      nmSide.appendMs = a.ms;
      nmSide.appendAdded = a.added;
      console.log(`notmuch new after adding ${APPENDED}: ${fmtMs(a.ms)}, ${a.added} found by Message-ID (then removed again)`);
    }
    // More batches in process (after the other tools had the first): one append is one sample on a shared machine.
    if (takeInMore) {
      for (let k = 2; k <= APPEND_RUNS; k++) appendRuns.push(await takeInMore(syntheticReplies(REPLIED_TO, `${Date.now()}b${k}`), `batch ${k}`));
    }
    await indexWorker?.dispose();
    if (inproc && appendRuns.length) {
      inproc.appendMs = median(appendRuns);
      console.log(`in process: ${APPENDED} appended, model brought up to date: median ${fmtMs(inproc.appendMs)} of ${appendRuns.length}`);
    }
    console.log(`\nload average at the end: ${load()}`);

    // ---- the table
    const cells = (what: string, ours: string, theirs: string, target: string, v: string) => [what, ours, theirs, target, v];
    const na = unavailable ? 'not available' : 'n/a';
    const nmNa = skipNotmuch ? 'skipped' : 'n/a';
    const firstMs = firsts.length ? median(firsts.map((f) => f.ms)) : NaN;
    const firstRss = firsts.length ? Math.max(...firsts.map((f) => f.rssMb)) : NaN;
    const firstTree = firsts.length ? Math.max(...firsts.map((f) => f.treeMb)) : NaN;
    const share = ourIndexBytes / mail.bytes;
    const reopenMs = reopen.length ? median(reopen) : NaN;
    const modulesRss = modules.length ? Math.max(...modules.map((m) => m.rssMb)) : NaN;
    const rssRatio = firstRss / modulesRss;
    const reusedMark = nmSide?.reused ? ' (reused)' : '';
    const lines = [
      cells('metric', 'execmem-lens', 'notmuch', 'target', ''),
      cells(`first index of ${mail.messages} messages, wall (median of ${firsts.length || indexRuns} / 1)`, unavailable ? na : fmtMs(firstMs), nmSide ? fmtMs(nmSide.indexMs) + reusedMark : nmNa, `≤ ${TARGET_INDEX_MS / 1000} s`, verdict(firstMs, TARGET_INDEX_MS)),
      cells('first index, peak RSS of the process', unavailable ? na : fmtMb(firstRss), nmSide ? fmtMb(nmSide.indexRssMb) + reusedMark : nmNa, `≤ ${TARGET_RSS_MB} MB`, verdict(firstRss, TARGET_RSS_MB)),
      cells('first index, peak RSS with child processes (sampled sum)', unavailable ? na : fmtMb(firstTree), nmSide ? 'single process' : nmNa, `≤ ${TARGET_RSS_MB} MB`, verdict(firstTree, TARGET_RSS_MB)),
      cells(
        `size on disk (mail: ${fmtBytes(mail.bytes)})`,
        unavailable ? na : `${fmtBytes(ourIndexBytes)} = ${(share * 100).toFixed(1)} %`,
        nmSide ? `${fmtBytes(nmSide.dbBytes)} = ${((nmSide.dbBytes / mail.bytes) * 100).toFixed(1)} %` : nmNa,
        `≤ ${TARGET_SIZE_SHARE * 100} % of mail`,
        verdict(share, TARGET_SIZE_SHARE),
      ),
      cells('  notmuch after `notmuch compact` (an extra step; not queried)', '', nmSide ? `${fmtBytes(nmSide.compactedBytes)} = ${((nmSide.compactedBytes / mail.bytes) * 100).toFixed(1)} %` : nmNa, '', ''),
      cells(`again, nothing new (median of ${REOPEN_RUNS})`, unavailable ? na : fmtMs(reopenMs), nmSide ? fmtMs(median(nmSide.reopenMs)) : nmNa, `≤ ${TARGET_REOPEN_MS} ms`, verdict(reopenMs, TARGET_REOPEN_MS)),
      cells(`${APPENDED} messages appended: update`, append ? fmtMs(append.ms) : na, nmSide ? fmtMs(nmSide.appendMs) : nmNa, `≤ ${TARGET_APPEND_MS} ms`, verdict(append?.ms, TARGET_APPEND_MS)),
      cells(`  new messages it found`, append ? String(append.out.new) : na, nmSide ? String(nmSide.appendAdded) : nmNa, `= ${APPENDED}`, append ? (append.out.new === APPENDED ? 'PASS' : 'FAIL') : 'n/a'),
    ];
    if (inproc) {
      const r = median(inproc.reopenMs);
      const shown = median(inproc.summaryMs);
      const sameFamilies = inproc.summaryFamilies === inproc.modelFamilies;
      lines.push(cells(`window opened again: tree shown from the model image, in process (median of ${REOPEN_RUNS})`, fmtMs(shown), '', `≤ ${TARGET_REOPEN_MS} ms`, sameFamilies ? verdict(shown, TARGET_REOPEN_MS) : 'FAIL (families differ)'));
      lines.push(cells(`  then the full model (index → series model) read behind it`, fmtMs(r), '', '', ''));
      // The extension host no longer holds it (bench:exthost measures the host): the CLI does, and the index's worker while it is up.
      lines.push(cells('  heap the whole model holds (the CLI; the index worker while up)', `${inproc.heapMb.toFixed(0)} MB`, '', '', ''));
      lines.push(cells(`${APPENDED} appended: model brought up to date, in process (median of ${APPEND_RUNS})`, inproc.appendMs === undefined ? na : fmtMs(inproc.appendMs), '', `≤ ${TARGET_APPEND_MS} ms`, verdict(inproc.appendMs, TARGET_APPEND_MS)));
      for (const q of queries) {
        const f = inproc.queries.get(q.ours)!;
        const t = nmQueries.get(q.ours);
        const nmCell = !t ? nmNa : 'unavailable' in t ? t.unavailable : `${fmtMs(t.p50)} / ${fmtMs(t.p95)}`;
        const beats = t && !('unavailable' in t) ? (f.p95 < t.p95 ? ', faster' : ', SLOWER') : '';
        lines.push(cells(`query ${q.ours} in process: p50 / p95`, `${fmtMs(f.p50)} / ${fmtMs(f.p95)}`, nmCell, `≤ ${TARGET_QUERY_P95_MS} ms${beats}`, q.ours.startsWith('b:') ? 'n/a (no target)' : verdict(f.p95, TARGET_QUERY_P95_MS)));
      }
    }
    for (const q of queries) {
      const o = ourQueries.get(q.ours);
      const t = nmQueries.get(q.ours);
      const ourCell = !o ? na : 'unavailable' in o ? 'not available' : `${fmtMs(o.p50)} / ${fmtMs(o.p95)} (${fmtMs(o.p95 - o.startMs)})`;
      const nmCell = !t ? nmNa : 'unavailable' in t ? t.unavailable : `${fmtMs(t.p50)} / ${fmtMs(t.p95)}`;
      lines.push(cells(`query ${q.ours}: p50 / p95 (p95 − start-up)`, ourCell, nmCell, `≤ ${TARGET_QUERY_P95_MS} ms *`, o && !('unavailable' in o) ? verdict(o.p95 - o.startMs, TARGET_QUERY_P95_MS) : 'n/a'));
    }
    lines.push(
      cells(`peak RSS at linux-arch / at linux-modules (${modules[0]?.messages ?? '≈10k'} messages)`, unavailable ? na : `${fmtMb(firstRss)} / ${fmtMb(modulesRss)} = ${rssRatio.toFixed(2)}`, '', `≤ ${TARGET_RSS_RATIO}`, verdict(rssRatio, TARGET_RSS_RATIO)),
      cells(`node start-up (node -e 0), median of ${nodeStart.length}`, fmtMs(median(nodeStart)), '', '', ''),
    );
    const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
    const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
    const rows = lines.map((l) => `| ${l.map((cell, c) => (c === 1 || c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`);
    console.log(`\n${[rows[0], rule, ...rows.slice(1)].join('\n')}`);
    console.log(`* a CLI query is a whole process: judged on its p95 less Node's bare start-up (the median of node -e 0 timed beside that query's runs).\n`);

    console.log('hits (messages matching; the tools tokenize differently, so the counts may differ):');
    for (const q of queries) {
      const o = ourQueries.get(q.ours);
      const t = nmQueries.get(q.ours);
      const oh = o && !('unavailable' in o) ? o.hits : undefined;
      const th = t && !('unavailable' in t) ? t.hits : undefined;
      const diff = oh !== undefined && th !== undefined ? `, difference ${oh - th >= 0 ? '+' : ''}${oh - th}` : '';
      console.log(`  ${q.ours.padEnd(45)} execmem-lens ${oh ?? (o && 'unavailable' in o ? 'not available' : na)}, notmuch ${th ?? (t && 'unavailable' in t ? t.unavailable : nmNa)}${diff}`);
    }

    // ---- extrapolation from per-message costs
    const scales = [300_000, 3_000_000];
    const extrapolated: Record<string, unknown> = {};
    console.log('\nextrapolated from the per-message costs measured here (linear; a guide, not a measurement):');
    if (!unavailable && firsts.length) {
      const msPer = firstMs / mail.messages;
      const bytesPer = ourIndexBytes / mail.messages;
      // RSS through the two measured sizes: what it costs to start plus what each message adds.
      const n1 = modules[0]?.messages ?? NaN;
      const slope = (firstRss - modulesRss) / (mail.messages - n1);
      const base = firstRss - slope * mail.messages;
      console.log(`  execmem-lens: ${(msPer * 1000).toFixed(1)} µs and ${bytesPer.toFixed(0)} bytes of index per message; RSS ${base.toFixed(0)} MB + ${(slope * 1024).toFixed(2)} kB per message`);
      for (const n of scales) {
        const e = { indexMs: msPer * n, indexBytes: bytesPer * n, rssMb: base + slope * n };
        extrapolated[`execmem-lens@${n}`] = e;
        console.log(`    ${n.toLocaleString('en')} messages: first index ${fmtMs(e.indexMs)}, index ${fmtBytes(e.indexBytes)}, peak RSS ${fmtMb(e.rssMb)}`);
      }
    } else console.log(`  execmem-lens: ${na}`);
    if (nmSide) {
      const msPer = nmSide.indexMs / mail.messages;
      const bytesPer = nmSide.dbBytes / mail.messages;
      console.log(`  notmuch: ${(msPer * 1000).toFixed(1)} µs and ${bytesPer.toFixed(0)} bytes of database per message (one size measured, so its RSS is not extrapolated)`);
      for (const n of scales) {
        const e = { indexMs: msPer * n, indexBytes: bytesPer * n };
        extrapolated[`notmuch@${n}`] = e;
        console.log(`    ${n.toLocaleString('en')} messages: notmuch new ${fmtMs(e.indexMs)}, database ${fmtBytes(e.indexBytes)}`);
      }
    }

    const file = path.join(cache, `archive-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const figures = {
      at: new Date().toISOString(),
      repo,
      mail: { messages: mail.messages, bytes: mail.bytes },
      load: loadavg(),
      nodeStartMs: nodeStart,
      bundleStartMs: bundleStart,
      targets: { TARGET_INDEX_MS, TARGET_RSS_MB, TARGET_SIZE_SHARE, TARGET_REOPEN_MS, TARGET_APPEND_MS, TARGET_QUERY_P95_MS, TARGET_RSS_RATIO },
      ours: unavailable
        ? { unavailable }
        : { firsts, indexBytes: ourIndexBytes, reopenMs: reopen, modules, append, queries: Object.fromEntries(ourQueries), inProcess: inproc ? { ...inproc, queries: Object.fromEntries(inproc.queries) } : null },
      notmuch: skipNotmuch ? { skipped: true } : { ...nmSide, queries: Object.fromEntries(nmQueries) },
      extrapolated,
      failed: failed ?? null,
    };
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`\nfigures saved to ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failed) throw new Error(failed);
}

main().catch((e: unknown) => {
  console.error(`bench/archive: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
