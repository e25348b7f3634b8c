/**
 * Benchmark of the series reader (issue "Patch-series explorer", Speed),
 * against the strongest baselines there are, in the same run:
 *   1. the whole linux-modules public-inbox epoch read and grouped into series
 *      by the CLI (`execmem-lens series REPO --json`): wall time and peak RSS;
 *   2. the same messages written as one mbox, read, decoded, threaded,
 *      grouped and printed as JSON by the CLI, beside
 *      - Python's standard library at its fastest: the file read into memory,
 *        split on its separator lines, each message parsed from bytes with
 *        email's compat32 policy (subject, ids, references, decoded plain body;
 *        bench/baseline/stdlib_mail.py), and
 *      - mblaze over the same messages as a maildir: `mlist | mthread | mscan`,
 *        threading them and printing a line each;
 *      after checking that all three read the same number of messages (the
 *      benchmark fails when they do not);
 *   3. what the accounting (dedupe + accountFor) adds to a read and group of
 *      the same mbox, in-process;
 *   4. one thread mbox from threads/ read and grouped in-process, as the
 *      extension does when it is opened.
 * Medians of several runs; this machine is shared and noisy.
 *
 *   npm run bench:series [-- --runs 5 --python-runs 3 --python-mailbox]
 * (--python-mailbox also times Python's mailbox module with policy.default once, for comparison.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { accountFor, dedupe } from '../src/core/series/accounting';
import { groupSeries } from '../src/core/series/group';
import { readSources } from '../src/node/mail/read';
import { ROOT } from '../scripts/lib/codeServer';
import { epochRepo, THREADS_DIR } from '../scripts/lib/corpus';

const TARGET_MS = 3000;
const TARGET_RSS_MB = 400;
/** At least this many times as fast as Python's email (compat32). */
const TARGET_PYTHON_RATIO = 2;
/** No slower than mblaze's threading. */
const TARGET_MBLAZE_RATIO = 1;
/** The accounting adds at most this share to a read and group. */
const TARGET_ACCOUNTING = 0.1;
const TARGET_THREAD_MS = 150;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Run {
  ms: number;
  rssMb: number;
  out: string;
}

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      const rss = /execmem-bench maxrss_kb=(\d+)/.exec(err)?.[1] ?? /"maxrss_kb": (\d+)/.exec(out)?.[1];
      resolve({ ms, rssMb: rss ? Number(rss) / 1024 : NaN, out });
    });
  });
}

/** Writes every message of the epoch into one mboxrd file, in commit order. */
async function writeEpochMbox(repo: string, file: string): Promise<void> {
  if (existsSync(file) && statSync(file).mtimeMs > statSync(path.join(repo, 'HEAD')).mtimeMs) return;
  const commits = execFileSync('git', ['-C', repo, 'rev-list', '--all', '--reverse'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
  const blobs = execFileSync('git', ['-C', repo, 'cat-file', '--batch'], { input: commits.map((c) => `${c}:m\n`).join(''), maxBuffer: 1 << 30 });
  const out = createWriteStream(`${file}.part`);
  let i = 0;
  while (i < blobs.length) {
    const nl = blobs.indexOf(10, i);
    const size = Number(blobs.toString('latin1', i, nl).split(' ')[2]);
    const body = blobs.toString('latin1', nl + 1, nl + 1 + size).replace(/^(>*From )/gm, '>$1');
    out.write(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${body}${body.endsWith('\n') ? '' : '\n'}\n`, 'latin1');
    i = nl + 1 + size + 1;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(`${file}.part`, file);
}

/** The mbox's messages as a maildir (mdeliver -M undoes the mboxrd escaping), made once. */
function writeMaildir(mbox: string, dir: string): void {
  if (existsSync(dir) && statSync(dir).mtimeMs > statSync(mbox).mtimeMs) return;
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(part, sub));
  execFileSync('sh', ['-c', 'mdeliver -M "$1" < "$2"', 'sh', part, mbox]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(part, dir);
}

function requireMblaze(): void {
  try {
    execFileSync('sh', ['-c', 'command -v mthread && command -v mlist && command -v mscan && command -v mdeliver'], { stdio: 'ignore' });
  } catch {
    throw new Error('mblaze is not installed (it is the threading baseline): run scripts/ensure-debian.sh as root, or apt-get install mblaze');
  }
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

interface SeriesOut {
  messages: number;
  series: unknown[];
  duplicates: unknown[];
  errors: unknown[];
}

interface PythonOut {
  messages: number;
  errors: number;
  ms: number;
}

async function main(): Promise<void> {
  const runs = arg('--runs', 5);
  const pyRuns = Math.min(runs, arg('--python-runs', 3));
  requireMblaze();
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const rusage = path.join(ROOT, 'bench', 'lib', 'rusage.cjs');
  const python = path.join(ROOT, 'bench', 'baseline', 'stdlib_mail.py');
  const repo = epochRepo();
  const cache = path.join(ROOT, '.cache', 'bench');
  mkdirSync(cache, { recursive: true });
  const mbox = path.join(cache, 'linux-modules-epoch0.mbox');
  await writeEpochMbox(repo, mbox);
  const maildir = path.join(cache, 'linux-modules-epoch0.maildir');
  writeMaildir(mbox, maildir);
  // mscan reads the current-message sequence from $MBLAZE; an empty one keeps it quiet.
  const mblazeHome = path.join(cache, 'mblaze');
  mkdirSync(mblazeHome, { recursive: true });
  if (!existsSync(path.join(mblazeHome, 'seq'))) writeFileSync(path.join(mblazeHome, 'seq'), '');
  const mblazeEnv = { ...process.env, MBLAZE: mblazeHome };
  console.log(`epoch: ${repo}\nsame messages as one mbox: ${mbox} (${(statSync(mbox).size / 1048576).toFixed(1)} MiB)\nand as a maildir: ${maildir}`);
  // On a shared machine the other load is part of every figure: say what it was.
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average at the start: ${load()}\n`);

  const ours = (source: string) => timed(process.execPath, ['--require', rusage, cli, 'series', source, '--json']);
  const mblaze = () => timed('sh', ['-c', 'mlist "$1" | mthread | mscan > /dev/null', 'sh', maildir], mblazeEnv);
  const inbox: Run[] = [];
  const asMbox: Run[] = [];
  const py: Run[] = [];
  const mb: Run[] = [];
  for (let r = 0; r < runs; r++) {
    inbox.push(await ours(repo));
    asMbox.push(await ours(mbox));
    mb.push(await mblaze());
    if (r < pyRuns) py.push(await timed('python3', [python, mbox]));
    process.stdout.write(
      `run ${r + 1}/${runs}: inbox ${inbox[r]!.ms.toFixed(0)} ms, mbox ${asMbox[r]!.ms.toFixed(0)} ms, mblaze ${mb[r]!.ms.toFixed(0)} ms${py[r] ? `, python ${py[r]!.ms.toFixed(0)} ms` : ''}\n`,
    );
  }
  const mailboxRun = process.argv.includes('--python-mailbox') ? await timed('python3', [python, mbox, '--mailbox']) : undefined;

  // Every side must have read the same messages, or the times compare different work.
  const fromInbox = JSON.parse(inbox[0]!.out) as SeriesOut;
  const fromMbox = JSON.parse(asMbox[0]!.out) as SeriesOut;
  const pyOut = JSON.parse(py[0]!.out) as PythonOut;
  const listed = execFileSync('sh', ['-c', 'mlist "$1" | wc -l', 'sh', maildir], { encoding: 'utf8' }).trim();
  // mthread prints a line per message (a file name, indented by depth) and one per missing parent ("<id>");
  // it keeps one file per Message-ID.
  const threadedLines = execFileSync('sh', ['-c', 'mlist "$1" | mthread', 'sh', maildir], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  const threaded = threadedLines.filter((l) => l.trim() !== '' && !l.trim().startsWith('<')).length;
  const counts = {
    'Execmem Lens, public-inbox': fromInbox.messages,
    'Execmem Lens, mbox': fromMbox.messages,
    'Python email (read + unreadable)': pyOut.messages + pyOut.errors,
    'mblaze mlist (maildir files)': Number(listed),
  };
  const distinct = fromMbox.messages - fromMbox.duplicates.length;
  console.log(`\nmessages read: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`distinct Message-IDs: Execmem Lens ${distinct} (${fromMbox.duplicates.length} duplicates, ${fromMbox.errors.length} unreadable), mthread ${threaded}; ${fromMbox.series.length} series versions`);
  const bad = Object.entries(counts).filter(([, v]) => v !== fromMbox.messages);
  if (bad.length > 0 || threaded !== distinct) {
    throw new Error(`the sides read different messages: ${JSON.stringify(counts)}, distinct ${distinct} vs mthread ${threaded}; the times would not compare the same work`);
  }

  // What the accounting adds, in-process: dedupe (inside every read) and accountFor (before the JSON is printed).
  const shares: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t = process.hrtime.bigint();
    const read = await readSources([mbox]);
    const index = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
    const whole = Number(process.hrtime.bigint() - t) / 1e6;
    const all = [...read.messages, ...read.duplicates.map((d) => d.message)];
    t = process.hrtime.bigint();
    dedupe(all);
    const a = accountFor(index);
    const accounting = Number(process.hrtime.bigint() - t) / 1e6;
    if (a.unaccounted !== 0 || a.doubleCounted.length > 0) throw new Error(`accounting is off: ${a.unaccounted} unaccounted, ${a.doubleCounted.length} counted twice`);
    shares.push(accounting / whole);
  }

  // Opening one thread, as the extension does: read the mbox and group it, in-process.
  const thread = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');
  const threadMs: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t = process.hrtime.bigint();
    const read = await readSources([thread]);
    groupSeries(read.messages, read.errors);
    threadMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }

  const inboxMs = median(inbox.map((r) => r.ms));
  const inboxRss = Math.max(...inbox.map((r) => r.rssMb));
  const mboxMs = median(asMbox.map((r) => r.ms));
  const mboxRss = Math.max(...asMbox.map((r) => r.rssMb));
  const pyMs = median(py.map((r) => r.ms));
  const mbMs = median(mb.map((r) => r.ms));
  // Ratios of the runs made in the same round, side by side: the load on a shared machine drifts between rounds.
  const pyRatio = median(py.map((r, i) => r.ms / asMbox[i]!.ms));
  const mbRatio = median(mb.map((r, i) => r.ms / asMbox[i]!.ms));
  const share = median(shares);
  const tMs = median(threadMs.slice(1));
  const row = (what: string, value: string, target: string, ok?: boolean) =>
    `| ${what.padEnd(72)} | ${value.padStart(9)} | ${target.padEnd(9)} | ${ok === undefined ? '      ' : verdict(ok).padEnd(6)} |`;
  console.log(`
| measurement (median of runs)${' '.repeat(44)} | value     | target    |        |
| ${'-'.repeat(72)} | --------- | --------- | ------ |
${row('epoch from public-inbox, read + grouped (CLI, wall)', `${inboxMs.toFixed(0)} ms`, `≤ ${TARGET_MS} ms`, inboxMs <= TARGET_MS)}
${row(`peak RSS of that run (largest of ${inbox.length})`, `${inboxRss.toFixed(0)} MB`, `≤ ${TARGET_RSS_MB} MB`, inboxRss <= TARGET_RSS_MB)}
${row('same messages as one mbox: read, decode, thread, group, JSON (CLI)', `${mboxMs.toFixed(0)} ms`, '')}
${row(`peak RSS of that run (largest of ${asMbox.length})`, `${mboxRss.toFixed(0)} MB`, '')}
${row(`same mbox, Python email compat32 from bytes in memory (${py.length} runs)`, `${pyMs.toFixed(0)} ms`, '')}
${row('ratio Python / Execmem Lens (median of the rounds\' ratios)', `${pyRatio.toFixed(2)}×`, `≥ ${TARGET_PYTHON_RATIO}×`, pyRatio >= TARGET_PYTHON_RATIO)}
${row('same messages as a maildir, mblaze `mlist \\| mthread \\| mscan`', `${mbMs.toFixed(0)} ms`, '')}
${row('ratio mblaze / Execmem Lens (median of the rounds\' ratios)', `${mbRatio.toFixed(2)}×`, `≥ ${TARGET_MBLAZE_RATIO}×`, mbRatio >= TARGET_MBLAZE_RATIO)}
${row('accounting (dedupe + accountFor) / in-process read + group of the mbox', `${(share * 100).toFixed(1)} %`, `≤ ${TARGET_ACCOUNTING * 100} %`, share <= TARGET_ACCOUNTING)}
${row('one thread mbox (v1, 55 messages) read + grouped', `${tMs.toFixed(1)} ms`, `≤ ${TARGET_THREAD_MS} ms`, tMs <= TARGET_THREAD_MS)}
`);
  if (mailboxRun) {
    const m = JSON.parse(mailboxRun.out) as PythonOut;
    console.log(`for comparison, Python mailbox + email (policy.default), one run: ${mailboxRun.ms.toFixed(0)} ms, ${m.messages} messages (${m.errors} unreadable)`);
  }
  console.log(`load average at the end: ${load()}`);
  console.log(`Python, first run: ${pyOut.ms} ms of its ${py[0]!.ms.toFixed(0)} ms wall inside the script (interpreter start-up aside)`);
}

main().catch((e: unknown) => {
  console.error(`bench/series: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
