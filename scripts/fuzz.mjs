// The long fuzz run: the property files of test/fuzz/ with a large budget,
// round after round with a new seed, for a given time; then the hostile
// fixtures and the linear-time checks at full size once.
//
//   npm run fuzz                        30 minutes
//   npm run fuzz -- --minutes 5         another length
//   npm run fuzz -- --seed 42           first seed (default: from the clock; printed)
//   npm run fuzz -- --property-seconds 20   time per property per round (default 40)
//
// Each round runs every property for --property-seconds with one seed
// (EXECMEM_FUZZ_SEED, EXECMEM_FUZZ_SECONDS; see test/fuzz/support/budget.ts).
// A round that overruns its time is killed and reported as a hang, with its
// seed. Everything found (fast-check's seed, path and counterexample) is
// printed at the end and written to .cache/fuzz/<start time>/findings.md;
// each round's full output is beside it. Replay one failure with
//   EXECMEM_FUZZ_SEED=<seed> EXECMEM_FUZZ_PATH=<path> node --import tsx --test \
//     --test-name-pattern='<test name>' test/fuzz/<file>
// and keep what it found as a small inline test in test/fuzz/regressions.test.ts.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PROPERTY_FILES = ['test/fuzz/mail.fuzz.test.ts', 'test/fuzz/series.fuzz.test.ts', 'test/fuzz/corpus.fuzz.test.ts'];
const FULL_FILES = ['test/fuzz/hostile.test.ts', 'test/fuzz/linear.test.ts', 'test/fuzz/regressions.test.ts'];
/** Properties in PROPERTY_FILES: a round takes about their number × seconds ÷ the files run at once. */
const PROPERTIES = 14;
const CONCURRENCY = 2;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`fuzz: --${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}

const minutes = option('minutes', 30);
const propertySeconds = option('property-seconds', 40);
const firstSeed = option('seed', Date.now() % 2 ** 31);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = path.join(root, '.cache', 'fuzz', stamp);
mkdirSync(outDir, { recursive: true });

/** Runs test files once; resolves with their TAP output and whether they overran `limitMs`. */
function run(files, env, limitMs, logName, concurrency = CONCURRENCY) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', `--test-concurrency=${concurrency}`, ...files], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      // The whole group: the runner and the test processes it started.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(path.join(outDir, logName), out);
      resolve({ out, code, hung });
    });
  });
}

/** Failed tests in TAP output (todo ones are expected and left out), with fast-check's report when there is one. */
function failures(tap) {
  const found = [];
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m || /# TODO/.test(m[1])) continue;
    const block = [];
    for (let k = i + 1; k < lines.length && !/^\s*(ok|not ok) \d+ - /.test(lines[k]); k++) block.push(lines[k]);
    if (block.some((l) => /failureType: 'subtestsFailed'/.test(l))) continue;
    const text = block.join('\n');
    const seed = /seed: (-?\d+), path: "([^"]*)"/.exec(text);
    const counter = /Counterexample: (.*)/.exec(text);
    // fast-check's report first, then what the property threw ("Got: …", see test/fuzz/support/budget.ts).
    const error = /Got: (.*)/.exec(text) ?? /error: (?:\|-\n)?\s*(.*)/.exec(text);
    found.push({
      test: m[1].trim(),
      seed: seed?.[1],
      path: seed?.[2],
      counterexample: counter?.[1],
      error: error?.[1]?.slice(0, 500),
    });
  }
  return found;
}

const findings = [];
const started = Date.now();
const deadline = started + minutes * 60_000;
console.log(`fuzz: ${minutes} min, ${propertySeconds} s per property per round, first seed ${firstSeed}; output in ${path.relative(root, outDir)}`);

// Full-size fixtures and linear-time checks, once.
{
  const t = Date.now();
  // One file at a time: the linear-time checks must not share the machine with the big fixtures.
  const r = await run(FULL_FILES, { EXECMEM_FUZZ_FULL: '1' }, 20 * 60_000, 'full-size.tap', 1);
  const f = failures(r.out).map((x) => ({ ...x, round: 'full-size fixtures' }));
  if (r.hung) f.push({ round: 'full-size fixtures', test: 'the run', error: 'did not finish in 20 minutes' });
  findings.push(...f);
  console.log(`fuzz: full-size fixtures and linear-time checks: ${f.length ? `${f.length} failing` : 'all pass'} (${Math.round((Date.now() - t) / 1000)} s)`);
}

let round = 0;
let cases = 0;
while (Date.now() < deadline - 30_000) {
  const seed = (firstSeed + round) % 2 ** 31;
  const left = (deadline - Date.now()) / 1000;
  const seconds = Math.max(5, Math.min(propertySeconds, Math.floor((left * CONCURRENCY) / PROPERTIES) - 2));
  const expected = ((PROPERTIES * seconds) / CONCURRENCY) * 1000;
  const t = Date.now();
  const r = await run(PROPERTY_FILES, { EXECMEM_FUZZ_SEED: String(seed), EXECMEM_FUZZ_SECONDS: String(seconds) }, 3 * expected + 120_000, `round-${round}-seed-${seed}.tap`);
  const f = failures(r.out).map((x) => ({ ...x, round: `round ${round} (seed ${seed})` }));
  if (r.hung) f.push({ round: `round ${round} (seed ${seed})`, test: 'the round', error: `killed after ${Math.round((Date.now() - t) / 1000)} s: a property hung (see its log for the last test started)` });
  findings.push(...f);
  const roundCases = [...r.out.matchAll(/fuzz-cases (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  cases += roundCases;
  console.log(`fuzz: round ${round}, seed ${seed}, ${seconds} s per property, ${roundCases} cases: ${f.length ? `${f.length} failing` : 'nothing found'} (${Math.round((Date.now() - t) / 1000)} s)`);
  round++;
}

const report = (short) => [
  `# Fuzz run ${stamp}`,
  '',
  `${minutes} min; ${round} rounds of the property files (${cases} cases), seeds ${firstSeed}…${(firstSeed + round - 1) % 2 ** 31}; full-size fixtures once.`,
  '',
  findings.length === 0
    ? 'Nothing found.'
    : findings
        .map((f) => {
          const counter = f.counterexample && short && f.counterexample.length > 600 ? `${f.counterexample.slice(0, 600)}… (whole in findings.md)` : f.counterexample;
          return [`## ${f.round}: ${f.test}`, f.seed ? `seed ${f.seed}, path "${f.path}"` : '', counter ? `counterexample: ${counter}` : '', f.error ? `error: ${f.error}` : ''].filter(Boolean).join('\n');
        })
        .join('\n\n'),
  '',
].join('\n');
writeFileSync(path.join(outDir, 'findings.md'), report(false));
console.log(`\n${report(true)}`);
console.log(`fuzz: ${Math.round((Date.now() - started) / 60_000)} min; report in ${path.relative(root, path.join(outDir, 'findings.md'))}`);
process.exit(findings.length ? 1 : 0);
