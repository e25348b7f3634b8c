/**
 * Benchmark of the arch map over a kernel tree (issue "Arch map", Speed):
 *   1. full map: factsOfTree(linux-source-6.12) + buildArchMap(files, files),
 *      candidate files found by ripgrep (the default when rg is installed);
 *   2. the same with { noRipgrep: true }: the streaming scan as prefilter;
 *   3. the baseline: plain `rg --files-with-matches -w -e WORD ...` with the
 *      same words (PREFILTER_WORDS) and globs (*.c, *.h) over the same folder
 *      (arch/), as a child process; the ratios (1)/(3) and (2)/(3).
 * The tree is the one scripts/kernel-source.sh extracts, a subset of the
 * kernel (arch/<arch>/{mm,kernel,include/asm,net}, mm/, some kernel/ and
 * include/linux files); factsOfTree is given its root and searches arch/.
 * Cold runs each start a fresh process, which pays the WebAssembly load of
 * tree-sitter and the first parses; warm runs reuse this process's loaded
 * parser. Both read files from the page cache (the tree is read before
 * them). A rough split of a warm run (prefilter / reading / parsing /
 * building) is timed by doing factsOfTree's steps one by one.
 * Medians of several runs; this machine is shared and noisy.
 *
 *   npx tsx bench/archmap.ts [--runs 5]
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildArchMap } from '../src/core/archmap/build';
import { INTEREST, type FileFacts } from '../src/core/archmap/extract';
import { EXECMEM_ALIASES } from '../src/core/sim/types';
import { factsOfText, factsOfTree, PREFILTER_WORDS } from '../src/node/archmap/inputs';
import { loadC } from '../src/node/c/parser';

const ROOT = path.resolve(__dirname, '..');
const VERSION = '6.12';
const TARGET_MS = 10_000;
const COLD_CHILD = '--cold-child';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The extracted tree, as test/support/kernelSource.ts gets it (extracts it once on a fresh clone). */
function kernelTree(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'kernel-source.sh'), VERSION], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tree = out.trim().split('\n').pop() ?? '';
  if (!tree) throw new Error(`scripts/kernel-source.sh ${VERSION} printed no path`);
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
    } else if (/\.[ch]$/.test(e.name)) {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

interface MapRun {
  ms: number;
  candidates: number;
  files: number;
  prefilter: string;
  searched: string[];
  arches: number;
  findings: number;
}

async function fullMap(tree: string, noRipgrep: boolean): Promise<MapRun> {
  const t = now();
  const facts = await factsOfTree(tree, { noRipgrep });
  const map = buildArchMap(facts.files, facts.files);
  const ms = now() - t;
  return {
    ms,
    candidates: facts.candidates,
    files: facts.files.length,
    prefilter: facts.prefilter,
    searched: facts.searched,
    arches: Object.keys(map.arches).length,
    findings: map.findings.length,
  };
}

/** Plain rg with the prefilter's words and globs, run as factsOfTree runs it (cwd = tree, path arch). */
function rg(tree: string, paths: string[]): Promise<{ ms: number; files: string[] }> {
  const args = ['--files-with-matches', '--no-messages', '-g', '*.c', '-g', '*.h', '-w', ...PREFILTER_WORDS.flatMap((w) => ['-e', w]), ...paths];
  return new Promise((resolve, reject) => {
    const t = now();
    const child = spawn('rg', args, { cwd: tree, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = now() - t;
      if (code !== 0 && code !== 1) return reject(new Error(`rg ${args.join(' ')} exited ${code}`));
      resolve({ ms, files: out.split('\n').filter(Boolean).sort() });
    });
  });
}

interface Split {
  readMs: number;
  parseMs: number;
  buildMs: number;
  bytes: number;
  parsed: number;
}

/** factsOfTree's steps after the prefilter, one by one: read each candidate, parse those that mention the words, build. */
async function split(tree: string, list: string[]): Promise<Split> {
  let readMs = 0;
  let parseMs = 0;
  let bytes = 0;
  let parsed = 0;
  let t = now();
  const header = await readFile(path.join(tree, 'include/linux/execmem.h'), 'utf8');
  readMs += now() - t;
  t = now();
  const aliases = { ...EXECMEM_ALIASES, ...(await factsOfText('include/linux/execmem.h', header)).aliases };
  parseMs += now() - t;
  const files: FileFacts[] = [];
  for (const rel of list) {
    t = now();
    const text = await readFile(path.join(tree, rel), 'utf8');
    const hit = INTEREST.test(text);
    readMs += now() - t;
    bytes += text.length;
    if (!hit) continue;
    t = now();
    const facts = await factsOfText(rel, text, aliases);
    parseMs += now() - t;
    parsed++;
    if (facts.overrides.length > 0 || facts.tables.length > 0) files.push(facts);
  }
  t = now();
  buildArchMap(files, files);
  return { readMs, parseMs, buildMs: now() - t, bytes, parsed };
}

/** Runs in a fresh process: one full map with the parser not yet loaded; prints JSON. */
async function coldChild(tree: string): Promise<void> {
  const t = now();
  await loadC();
  const loadMs = now() - t;
  const facts = await factsOfTree(tree);
  buildArchMap(facts.files, facts.files);
  console.log(JSON.stringify({ ms: now() - t, loadMs }));
}

function coldRun(tree: string): Promise<{ ms: number; loadMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, COLD_CHILD, tree], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`cold run exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ms: number; loadMs: number });
    });
  });
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

/** A markdown table: measurement, value (right-aligned), target, verdict. */
function table(rows: [string, string, string, string][]): string {
  const all: [string, string, string, string][] = [['measurement', 'value', 'target', ''], ...rows];
  const w = [0, 1, 2, 3].map((c) => Math.max(6, ...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((x, c) => (c === 1 ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join(' | ')} |`;
  return [line(all[0]!), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const runs = arg('--runs', 5);
  const coldRuns = Math.min(runs, 3);
  const tree = kernelTree();
  const arch = sources(path.join(tree, 'arch'));
  const whole = sources(tree);
  console.log(`tree: ${tree}
  a subset of linux-source-${VERSION} (scripts/kernel-source.sh extracts arch/<arch>/{mm,kernel,include/asm,net}, mm/, some kernel/ and include/linux files):
  ${whole.files} .c/.h files, ${(whole.bytes / 1048576).toFixed(1)} MiB in all; ${arch.files} files, ${(arch.bytes / 1048576).toFixed(1)} MiB under arch/
prefilter words: ${PREFILTER_WORDS.join(' ')} (globs *.c, *.h)
`);

  const base = await rg(tree, ['arch']); // also brings the tree into the page cache
  const cold: { ms: number; loadMs: number }[] = [];
  for (let r = 0; r < coldRuns; r++) {
    cold.push(await coldRun(tree));
    console.log(`cold run ${r + 1}/${coldRuns} (fresh process): ${cold[r]!.ms.toFixed(0)} ms, of which loading tree-sitter ${cold[r]!.loadMs.toFixed(0)} ms`);
  }
  const first = await fullMap(tree, false);
  console.log(`first run in this process (cold parser, not counted): ${first.ms.toFixed(0)} ms`);

  const withRg: MapRun[] = [];
  const withScan: MapRun[] = [];
  const plain: number[] = [];
  const splits: Split[] = [];
  for (let r = 0; r < runs; r++) {
    withRg.push(await fullMap(tree, false));
    withScan.push(await fullMap(tree, true));
    plain.push((await rg(tree, ['arch'])).ms);
    splits.push(await split(tree, base.files));
    console.log(
      `warm run ${r + 1}/${runs}: map (rg) ${withRg[r]!.ms.toFixed(0)} ms, map (scan) ${withScan[r]!.ms.toFixed(0)} ms, plain rg ${plain[r]!.toFixed(0)} ms; ` +
        `split: read ${splits[r]!.readMs.toFixed(0)}, parse ${splits[r]!.parseMs.toFixed(0)}, build ${splits[r]!.buildMs.toFixed(1)} ms`,
    );
  }

  const a = withRg[0]!;
  const s = withScan[0]!;
  if (a.prefilter !== 'ripgrep') console.log(`\nNOTE: factsOfTree fell back to the scan (${a.prefilter}); rg did not run for it`);
  if (base.files.length !== a.candidates) console.log(`\nNOTE: plain rg found ${base.files.length} files, factsOfTree's prefilter ${a.candidates}`);
  const coldMs = median(cold.map((c) => c.ms));
  const loadMs = median(cold.map((c) => c.loadMs));
  const rgMs = median(withRg.map((x) => x.ms));
  const scanMs = median(withScan.map((x) => x.ms));
  const plainMs = median(plain);
  const readMs = median(splits.map((x) => x.readMs));
  const parseMs = median(splits.map((x) => x.parseMs));
  const buildMs = median(splits.map((x) => x.buildMs));
  const sp = splits[0]!;
  const target = `≤ ${TARGET_MS.toLocaleString('en')} ms`;
  console.log(`
searched: ${a.searched.join(', ')}/ (factsOfTree searches arch/ when the tree has one; include/linux/execmem.h is read for the enum aliases)
candidates: ${a.candidates} files from ripgrep, ${s.candidates} from the scan; files with facts: ${a.files} (scan: ${s.files}); map: ${a.arches} arches, ${a.findings} findings
candidates read: ${(sp.bytes / 1024).toFixed(0)} KiB; parsed (mention the words): ${sp.parsed} + include/linux/execmem.h

${table([
  [`cold: fresh process, full map, rg prefilter (median of ${coldRuns})`, ms(coldMs), target, verdict(coldMs <= TARGET_MS)],
  ['  of which loading tree-sitter (WebAssembly)', ms(loadMs), '', ''],
  [`(1) warm: full map, rg prefilter (median of ${runs})`, ms(rgMs), target, verdict(rgMs <= TARGET_MS)],
  [`(2) warm: full map, streaming scan, noRipgrep (median of ${runs})`, ms(scanMs), '', ''],
  [`(3) plain rg, same words and globs over arch/ (median of ${runs})`, ms(plainMs), '', ''],
  ['ratio (1) / (3)', `${(rgMs / plainMs).toFixed(1)}×`, '', ''],
  ['ratio (2) / (3)', `${(scanMs / plainMs).toFixed(1)}×`, '', ''],
])}

rough split of a warm run with the rg prefilter (medians; factsOfTree's steps done one by one):
  prefilter (rg child process) ${plainMs.toFixed(0)} ms, reading candidates ${readMs.toFixed(0)} ms, parsing + extracting ${parseMs.toFixed(0)} ms, building the map ${buildMs.toFixed(1)} ms
  (sum ${(plainMs + readMs + parseMs + buildMs).toFixed(0)} ms against (1) ${rgMs.toFixed(0)} ms); the streaming scan itself costs about (2) − (1) + rg = ${(scanMs - rgMs + plainMs).toFixed(0)} ms
`);
}

if (process.argv[2] === COLD_CHILD) {
  coldChild(process.argv[3] ?? '').catch((e: unknown) => {
    console.error(`bench/archmap (cold run): ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    console.error(`bench/archmap: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
