/**
 * Benchmark of the arch map over a whole kernel tree (issue "Arch map", Speed),
 * timed as a user meets it: the shipped bundle as a process of its own,
 *   node dist/cli.js archmap --tree linux-source-6.12 --json
 * from spawn to exit (Node's start, loading the bundle and tree-sitter's
 * WebAssembly, the prefilter, reading, parsing, building, printing):
 *   1. the first such process of the bench, before the bench itself reads the
 *      tree (the page cache is not dropped: it holds whatever the extraction
 *      or earlier work left in it);
 *   2. the median of several such processes, rg installed (the CLI's prefilter);
 *   3. the same with no rg on PATH: the CLI falls back to its streaming scan;
 *   4. the baseline: plain `rg --files-with-matches -w -e WORD ...` with the
 *      prefilter's words (ARCHMAP_WORDS) and globs (*.c, *.h) over the same
 *      folder (arch/) of the same tree, as a process; the ratios (2)/(4), (3)/(4).
 * The tree is the whole of Debian's linux-source-6.12 tarball, extracted once
 * into .cache/full-kernel/ (about 1.5 GB; a stamp file marks it complete), not
 * the subset scripts/kernel-source.sh extracts for the tests.
 * Every run's map must have the 11 arches with an execmem side each, and the
 * files it cites must be among those plain rg lists; otherwise the bench fails.
 * Medians of several runs; this machine is shared and noisy.
 *
 *   npm run bench:archmap [-- --runs 5]     (builds dist/ first)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ArchMap } from '../src/core/archmap/types';
import { ARCHMAP_WORDS } from '../src/core/archmap/words';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const VERSION = '6.12';
const TARBALL = `/usr/src/linux-source-${VERSION}.tar.xz`;
const CACHE = path.join(ROOT, '.cache', 'full-kernel');
const TARGET_MS = 10_000;
/** The arches whose 6.12 code names an execmem table (or an override), as the map of the tests' subset tree has them. */
const ARCHES = ['arm', 'arm64', 'loongarch', 'mips', 'nios2', 'parisc', 'powerpc', 'riscv', 's390', 'sparc', 'x86'];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The whole tarball, extracted once into the worktree's own cache. The stamp
 * names the tarball's size and time, so a new package re-extracts; a half
 * extraction (interrupted) has no stamp and starts over.
 */
function wholeTree(): string {
  const tree = path.join(CACHE, `linux-source-${VERSION}`);
  const stamp = path.join(tree, '.execmem-lens-whole');
  if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing; install Debian's package: apt-get install linux-source-${VERSION}`);
  const st = statSync(TARBALL);
  const want = `${TARBALL} ${st.size} ${st.mtimeMs}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return tree;
  const part = `${tree}.part`;
  console.log(`extracting the whole of ${TARBALL} into ${tree} (about 1.5 GB, a few minutes; once)`);
  rmSync(tree, { recursive: true, force: true });
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  const t = now();
  const r = spawnSync('tar', ['-xJf', TARBALL, '-C', part], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tar -xJf ${TARBALL} failed (${r.error?.message ?? `exit ${r.status}`})`);
  renameSync(path.join(part, `linux-source-${VERSION}`), tree);
  rmSync(part, { recursive: true, force: true });
  writeFileSync(stamp, `${want}\n`);
  console.log(`extracted in ${((now() - t) / 1000).toFixed(0)} s`);
  return tree;
}

/** .c/.h files and their bytes under a folder. */
function sources(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = sources(p);
      files += s.files;
      bytes += s.bytes;
    } else if (e.isFile() && /\.[ch]$/.test(e.name)) {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

/** A stale bundle would time old code: dist/cli.js must be newer than every source file. */
function checkBundle(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build (npm run bench:archmap does)');
  const built = statSync(CLI).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  if (newest(path.join(ROOT, 'src')) > built) throw new Error('dist/cli.js is older than src/: run npm run build (npm run bench:archmap does)');
}

interface Proc {
  ms: number;
  out: string;
}

/** Runs a command to its exit; the time is from spawn to exit. */
function timed(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; okCodes?: number[] }): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const t = now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = now() - t;
      if (!(opts.okCodes ?? [0]).includes(code ?? -1)) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
      resolve({ ms, out });
    });
  });
}

/** PATH for the CLI's no-ripgrep runs: an empty folder, so spawning rg fails and the CLI scans. */
function pathWithoutRg(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'archmap-bench-norg-'));
  const probe = spawnSync('rg', ['--version'], { env: { ...process.env, PATH: dir } });
  if (!probe.error) throw new Error(`rg still runs with PATH=${dir}`);
  return dir;
}

/** The CLI on the tree; fails unless the map has the 11 arches, each with an execmem side. */
async function cli(tree: string, env?: NodeJS.ProcessEnv): Promise<{ ms: number; map: ArchMap; json: string }> {
  const p = await timed(process.execPath, [CLI, 'archmap', '--tree', tree, '--json'], { cwd: ROOT, env });
  const map = JSON.parse(p.out) as ArchMap;
  const arches = Object.keys(map.arches).sort();
  if (arches.join(' ') !== ARCHES.join(' ')) throw new Error(`the CLI's map has arches [${arches.join(' ')}], not the 11 expected [${ARCHES.join(' ')}]`);
  for (const a of arches) {
    if (!Object.values(map.arches[a]!.types).some((e) => e.after !== null)) throw new Error(`the CLI's map has no execmem side for ${a}`);
  }
  return { ms: p.ms, map, json: p.out };
}

/** Plain rg with the prefilter's words and globs over arch/, as the CLI's prefilter runs it (src/node/search/ripgrep.ts). */
async function rg(tree: string): Promise<{ ms: number; files: string[] }> {
  const args = ['--files-with-matches', '--no-messages', '-g', '*.c', '-g', '*.h', '-w', ...ARCHMAP_WORDS.flatMap((w) => ['-e', w]), 'arch'];
  const p = await timed('rg', args, { cwd: tree, okCodes: [0, 1] });
  return { ms: p.ms, files: p.out.split('\n').filter(Boolean).sort() };
}

/** Files the map cites (sides' "path:line"). */
function cited(map: ArchMap): Set<string> {
  const files = new Set<string>();
  for (const entry of Object.values(map.arches)) {
    for (const e of Object.values(entry.types)) {
      for (const side of [e.before, e.after]) if (side) files.add(side.location.replace(/:\d+$/, ''));
    }
  }
  return files;
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** A markdown table: measurement, value (right-aligned), target, verdict. */
function table(rows: [string, string, string, string][]): string {
  const all: [string, string, string, string][] = [['measurement', 'value', 'target', ''], ...rows];
  const w = [0, 1, 2, 3].map((c) => Math.max(6, ...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((x, c) => (c === 1 ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join(' | ')} |`;
  return [line(all[0]!), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const runs = arg('--runs', 5);
  checkBundle();
  const tree = wholeTree();
  const noRg = pathWithoutRg();
  try {
    await measure(tree, runs, { ...process.env, PATH: noRg });
  } finally {
    rmSync(noRg, { recursive: true, force: true });
  }
}

async function measure(tree: string, runs: number, noRgEnv: NodeJS.ProcessEnv): Promise<void> {
  const cliVersion = execFileSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).trim();

  // The first process, before the bench reads the tree for anything else.
  const first = await cli(tree);
  console.log(`first CLI process: ${first.ms.toFixed(0)} ms`);

  const arch = sources(path.join(tree, 'arch'));
  const whole = sources(tree);
  console.log(`tree: ${tree}
  the whole of ${TARBALL}: ${whole.files} .c/.h files, ${(whole.bytes / 1048576).toFixed(0)} MiB in all; ${arch.files} files, ${(arch.bytes / 1048576).toFixed(1)} MiB under arch/
CLI: node ${path.relative(ROOT, CLI)} archmap --tree TREE --json (${cliVersion}, Node ${process.version})
prefilter words: ${ARCHMAP_WORDS.join(' ')} (globs *.c, *.h)
`);

  // Fixed cost of every process: Node's start and loading the bundle.
  const startup: number[] = [];
  const withRg: number[] = [];
  const withScan: number[] = [];
  const plain: number[] = [];
  let base = await rg(tree);
  let scanJson = '';
  for (let r = 0; r < runs; r++) {
    startup.push((await timed(process.execPath, [CLI, '--version'], { cwd: ROOT })).ms);
    const a = await cli(tree);
    const s = await cli(tree, noRgEnv);
    base = await rg(tree);
    withRg.push(a.ms);
    withScan.push(s.ms);
    plain.push(base.ms);
    if (a.json !== first.json) throw new Error(`run ${r + 1}'s map differs from the first run's`);
    scanJson = s.json;
    console.log(`run ${r + 1}/${runs}: CLI (rg) ${a.ms.toFixed(0)} ms, CLI (no rg: scan) ${s.ms.toFixed(0)} ms, plain rg ${base.ms.toFixed(0)} ms, node cli.js --version ${startup[r]!.toFixed(0)} ms`);
  }

  // The baseline must find what the CLI used: every file the map cites is among plain rg's.
  const files = cited(first.map);
  const missing = [...files].filter((f) => !base.files.includes(f));
  if (missing.length > 0) throw new Error(`the map cites files plain rg does not list: ${missing.join(', ')}`);
  const found = Object.values(first.map.arches).reduce((n, e) => n + Object.keys(e.types).length, 0);
  console.log(`
map: ${Object.keys(first.map.arches).length} arches (${Object.keys(first.map.arches).join(' ')}), ${found} arch × type entries, ${first.map.findings.length} findings
files the map cites: ${files.size}, all among the ${base.files.length} files plain rg lists (the CLI's prefilter runs the same rg)
the no-rg (scan) map is ${scanJson === first.json ? 'the same as' : 'DIFFERENT from'} the rg map`);

  const rgMs = median(withRg);
  const scanMs = median(withScan);
  const plainMs = median(plain);
  const target = `≤ ${TARGET_MS.toLocaleString('en')} ms`;
  console.log(`
${table([
  ['(1) first CLI process, rg prefilter', ms(first.ms), target, verdict(first.ms <= TARGET_MS)],
  [`(2) CLI process, rg prefilter (median of ${runs})`, ms(rgMs), target, verdict(rgMs <= TARGET_MS)],
  [`(3) CLI process, no rg: streaming scan (median of ${runs})`, ms(scanMs), '', ''],
  [`(4) plain rg, same words and globs over arch/ (median of ${runs})`, ms(plainMs), '', ''],
  ['ratio (2) / (4)', `${(rgMs / plainMs).toFixed(1)}×`, '', ''],
  ['ratio (3) / (4)', `${(scanMs / plainMs).toFixed(1)}×`, '', ''],
  [`  of each CLI process: node dist/cli.js --version (median of ${runs})`, ms(median(startup)), '', ''],
])}
`);
}

main().catch((e: unknown) => {
  console.error(`bench/archmap: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
