// Runs test files with Node's built-in test runner (TypeScript through tsx).
//   node scripts/run-tests.mjs unit   every test/**/*.test.ts except test/e2e
//   node scripts/run-tests.mjs e2e    test/e2e/**/*.e2e.test.ts (needs the VSIX)
//   node scripts/run-tests.mjs all    both, in one run with one summary
// Node 20's --test does not expand globs itself, hence the file walk.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const which = process.argv[2] ?? 'all';
if (!['unit', 'e2e', 'all'].includes(which)) {
  console.error(`run-tests: unknown suite '${which}' (unit, e2e or all)`);
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(path.join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => {
    const e2e = f.includes(`${path.sep}e2e${path.sep}`);
    return which === 'all' || (which === 'e2e') === e2e;
  })
  .map((f) => path.relative(root, f))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no test files for '${which}'`);
  process.exit(1);
}

const reporter = process.env.TEST_REPORTER ?? 'spec';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...process.argv.slice(3), ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
