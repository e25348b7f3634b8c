// Builds the production bundles and packages them as execmem-lens-<version>.vsix
// with @vscode/vsce. Everything the extension runs is bundled by esbuild, so the
// VSIX carries no node_modules (--no-dependencies).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const out = `${name}-${version}.vsix`;
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  } catch {
    console.error(`package: ${path.basename(args[0])} failed (its messages are above)`);
    process.exit(1);
  }
};

run(process.execPath, ['scripts/build.mjs', '--production']);
run(process.execPath, [
  'node_modules/@vscode/vsce/vsce',
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  // The README's screenshot ships in the VSIX (docs/screenshot.png) and is
  // linked relatively; there is no repository URL to rewrite links against.
  '--no-rewrite-relative-links',
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
