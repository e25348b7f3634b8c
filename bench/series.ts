/**
 * Benchmark of the series reader (issue "Patch-series explorer", Speed):
 *   1. the whole linux-modules public-inbox epoch read and grouped into series
 *      by the CLI (`execmem-lens series REPO --json`): wall time and peak RSS;
 *   2. the same messages written as one mbox, read by the CLI and by Python's
 *      standard library (mailbox + email, policy.default) in the same run,
 *      and the ratio of the two;
 *   3. one thread mbox from threads/ read and grouped in-process, as the
 *      extension does when it is opened.
 * Medians of several runs; this machine is shared and noisy.
 *
 *   npm run bench:series [-- --runs 5 --python-runs 3]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { groupSeries } from '../src/core/series/group';
import { readSources } from '../src/node/mail/read';
import { ROOT } from '../scripts/lib/codeServer';
import { epochRepo, THREADS_DIR } from '../scripts/lib/corpus';

const TARGET_MS = 3000;
const TARGET_RSS_MB = 400;
const TARGET_RATIO = 3;
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

function timed(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  execFileSync('mv', [`${file}.part`, file]);
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

async function main(): Promise<void> {
  const runs = arg('--runs', 5);
  const pyRuns = arg('--python-runs', 3);
  execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const rusage = path.join(ROOT, 'bench', 'lib', 'rusage.cjs');
  const repo = epochRepo();
  mkdirSync(path.join(ROOT, '.cache', 'bench'), { recursive: true });
  const mbox = path.join(ROOT, '.cache', 'bench', 'linux-modules-epoch0.mbox');
  await writeEpochMbox(repo, mbox);
  console.log(`epoch: ${repo}\nsame messages as one mbox: ${mbox} (${(statSync(mbox).size / 1048576).toFixed(1)} MiB)\n`);

  const ours = (source: string) => timed(process.execPath, ['--require', rusage, cli, 'series', source, '--json']);
  const inbox: Run[] = [];
  const asMbox: Run[] = [];
  const python: Run[] = [];
  for (let r = 0; r < runs; r++) {
    inbox.push(await ours(repo));
    asMbox.push(await ours(mbox));
    if (r < pyRuns) python.push(await timed('python3', [path.join(ROOT, 'bench', 'baseline', 'stdlib_mail.py'), mbox]));
    process.stdout.write(`run ${r + 1}/${runs}: inbox ${inbox[r]!.ms.toFixed(0)} ms, mbox ${asMbox[r]!.ms.toFixed(0)} ms${python[r] ? `, python ${python[r]!.ms.toFixed(0)} ms` : ''}\n`);
  }
  const json = JSON.parse(inbox[0]!.out) as { messages: number; series: unknown[]; errors: unknown[] };
  const py = JSON.parse(python[0]!.out) as { messages: number; errors: number };

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
  const pyMs = median(python.map((r) => r.ms));
  const ratio = pyMs / mboxMs;
  const tMs = median(threadMs.slice(1));
  console.log(`
messages: ${json.messages} read by Execmem Lens (${json.errors.length} unreadable), ${py.messages} by Python (${py.errors} unreadable); ${json.series.length} series versions

| measurement (median of runs)                          | value     | target        |        |
| ----------------------------------------------------- | --------- | ------------- | ------ |
| epoch from public-inbox, read + grouped (CLI, wall)   | ${inboxMs.toFixed(0).padStart(6)} ms | ≤ ${TARGET_MS} ms     | ${verdict(inboxMs <= TARGET_MS)} |
| peak RSS of that run (largest of ${inbox.length})                   | ${inboxRss.toFixed(0).padStart(6)} MB | ≤ ${TARGET_RSS_MB} MB      | ${verdict(inboxRss <= TARGET_RSS_MB)} |
| same messages as one mbox, Execmem Lens CLI           | ${mboxMs.toFixed(0).padStart(6)} ms |               |        |
| same mbox, Python mailbox + email (policy.default)    | ${pyMs.toFixed(0).padStart(6)} ms |               |        |
| ratio Python / Execmem Lens                           | ${ratio.toFixed(1).padStart(7)}× | ≥ ${TARGET_RATIO}×          | ${verdict(ratio >= TARGET_RATIO)} |
| one thread mbox (v1, 55 messages) read + grouped      | ${tMs.toFixed(1).padStart(6)} ms | ≤ ${TARGET_THREAD_MS} ms      | ${verdict(tMs <= TARGET_THREAD_MS)} |
`);
}

main().catch((e: unknown) => {
  console.error(`bench/series: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
