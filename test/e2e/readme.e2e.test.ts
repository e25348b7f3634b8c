/**
 * The README's commands work from a fresh `git clone` exactly as written: the
 * repository is cloned into a temporary folder, every script the README names
 * must be committed executable and run from there (the demo in its check mode:
 * set up, start, load the workbench, see the views populated, stop), and every
 * `npm run` script it names must exist.
 *
 * The clone installs its own npm dependencies, as a user's would (npm ci,
 * from the npm cache). It borrows this checkout's .cache (code-server, the
 * extracted kernel trees) through a symbolic link: fetching and extracting
 * them again is what CI's own run from a fresh clone already proves, and takes
 * minutes. node_modules must never be shared that way: npm ci in the clone
 * would empty it through the link.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../../scripts/lib/codeServer';
import { THREADS_DIR } from '../support/corpus';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Lines of the README's shell blocks, comments and prompts stripped. */
function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line && !line.startsWith('#')) lines.push(line);
    }
  }
  return lines;
}

const commands = shellLines(README);
const scripts = [...new Set(commands.flatMap((c) => [...c.matchAll(/(?:^|&&\s*)(\.\/scripts\/[\w.-]+)/g)].map((m) => m[1]!)))];
const npmRuns = [...new Set([...README.matchAll(/`npm run ([\w:-]+)/g), ...commands.join('\n').matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!))];

describe("the README's commands from a fresh clone", { timeout: 600_000 }, () => {
  let clone: string;

  before(() => {
    clone = path.join(mkdtempSync(path.join(tmpdir(), 'execmem-lens-clone-')), 'execmem-lens');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    symlinkSync(path.join(ROOT, '.cache'), path.join(clone, '.cache'));
  });

  after(() => {
    if (clone) rmSync(path.dirname(clone), { recursive: true, force: true });
  });

  test('the README names the two commands, and its npm scripts exist', () => {
    assert.ok(scripts.includes('./scripts/demo.sh'), `scripts named: ${scripts.join(', ')}`);
    assert.ok(scripts.includes('./scripts/test.sh'), `scripts named: ${scripts.join(', ')}`);
    const pkg = JSON.parse(readFileSync(path.join(clone, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const missing = npmRuns.filter((name) => !(name in pkg.scripts));
    assert.deepEqual(missing, [], `npm scripts the README names but package.json lacks: ${missing.join(', ')}`);
  });

  test('every script the README names is committed executable', () => {
    for (const script of scripts) {
      const file = path.join(clone, script);
      assert.ok(existsSync(file), `${script} is not in the clone`);
      const mode = execFileSync('git', ['-C', clone, 'ls-files', '-s', script], { encoding: 'utf8' }).split(' ')[0];
      assert.equal(mode, '100755', `${script} is committed as ${mode}, not executable`);
      accessSync(file, constants.X_OK);
    }
  });

  test('./scripts/demo.sh --check sets up, starts, sees the views populated and stops', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, EXECMEM_LENS_CORPUS: existsSync(THREADS_DIR) ? THREADS_DIR : path.join(clone, 'no-corpus') };
    delete env.EXECMEM_LENS_PORT;
    const run = spawnSync('./scripts/demo.sh', ['--check'], { cwd: clone, env, encoding: 'utf8', timeout: 540_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `demo.sh --check exited ${run.status}${run.signal ? ` (${run.signal})` : ''}:\n${output.slice(-4000)}`);
    assert.match(run.stdout, /demo check: the workbench at http:\/\/127\.0\.0\.1:\d+\/.* shows/);
    for (const view of ['Arch Map: x86', 'Call Sites: kprobes']) assert.ok(run.stdout.includes(view), `${view} missing from:\n${run.stdout}`);
    if (existsSync(THREADS_DIR)) assert.ok(run.stdout.includes('Patch Series: mm: jit/text allocator'), run.stdout);
    // Everything it started is stopped: nothing listens on the port it printed.
    const port = /127\.0\.0\.1:(\d+)/.exec(run.stdout)?.[1];
    assert.ok(port);
    const listening = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { encoding: 'utf8' });
    assert.notEqual(listening.status, 0, `something still listens on port ${port}`);
  });

  test('./scripts/test.sh is there, executable, and runs the typecheck, the VSIX and the tests', () => {
    const file = path.join(clone, 'scripts', 'test.sh');
    accessSync(file, constants.X_OK);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^#!\/usr\/bin\/env bash/);
    for (const step of ['npm run --silent typecheck', 'npm run --silent package', 'scripts/run-tests.mjs all']) assert.ok(text.includes(step), `test.sh lacks ${step}`);
    // .ci/run is the Debian prerequisites and then this command, nothing more.
    const ci = readFileSync(path.join(clone, '.ci', 'run'), 'utf8');
    assert.match(ci, /\.\/scripts\/test\.sh\s*$/);
  });

  test('the command-line examples run from the clone as written', () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: clone, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const examples = commands.filter((c) => c.startsWith('node dist/cli.js') && !c.includes('/path/to/'));
    assert.ok(examples.length > 0, 'the README shows the CLI');
    for (const example of examples) {
      if (example.includes('../shared/corpus') && !existsSync(THREADS_DIR)) continue;
      // The README runs from the repository's folder with the corpus beside it, as ../shared/corpus.
      const line = example.replace(/\.\.\/shared\/corpus/g, path.dirname(THREADS_DIR));
      const run = spawnSync('bash', ['-c', line], { cwd: clone, encoding: 'utf8' });
      assert.equal(run.status, 0, `${example}:\n${run.stderr}`);
      assert.ok(run.stdout.length > 0, `${example} printed nothing`);
    }
  });
});
