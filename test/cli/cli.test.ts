import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { EXIT_OK, EXIT_USAGE, runCli } from '../../src/cli/main';

const ROOT = path.resolve(__dirname, '..', '..');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('execmem-lens CLI', () => {
  test('--version prints the package version', async () => {
    assert.deepEqual(await run('--version'), { code: EXIT_OK, out: `${version}\n`, err: '' });
  });

  test('--help, -h and no arguments print usage on stdout', async () => {
    for (const argv of [['--help'], ['-h'], []]) {
      const r = await run(...argv);
      assert.equal(r.code, EXIT_OK);
      assert.match(r.out, /^execmem-lens \d+\.\d+\.\d+/);
      assert.match(r.out, /Usage:\n {2}execmem-lens <command> \[options\]/);
      assert.equal(r.err, '');
    }
  });

  test('an unknown command or option is a usage error on stderr, naming it', async () => {
    assert.deepEqual(await run('frobnicate'), { code: EXIT_USAGE, out: '', err: "execmem-lens: unknown command 'frobnicate' (try --help)\n" });
    assert.deepEqual(await run('--frob'), { code: EXIT_USAGE, out: '', err: "execmem-lens: unknown option '--frob' (try --help)\n" });
    // Names of Object.prototype are not commands.
    assert.equal((await run('constructor')).code, EXIT_USAGE);
    assert.equal((await run('__proto__')).code, EXIT_USAGE);
  });

  test('as a process: exit codes and streams', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
    const ok = cli('--version');
    assert.equal(ok.status, 0);
    assert.equal(ok.stdout, `${version}\n`);
    const bad = cli('nope');
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /unknown command 'nope'/);
  });
});
