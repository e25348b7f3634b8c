// Builds the production bundles and packages them as execmem-lens-<version>.vsix
// with @vscode/vsce. Everything the extension runs is bundled by esbuild, so the
// VSIX carries no node_modules (--no-dependencies).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const out = `${name}-${version}.vsix`;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, ['scripts/build.mjs', '--production']);
run(process.execPath, [
  'node_modules/@vscode/vsce/vsce',
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--out',
  out,
]);
const bytes = statSync(new URL(`../${out}`, import.meta.url)).size;
const limit = 5 * 1024 * 1024;
console.log(`package: ${out} is ${(bytes / 1024).toFixed(1)} KiB`);
if (bytes > limit) {
  console.error(`package: ${out} is larger than the 5 MiB budget`);
  process.exit(1);
}
