/** The extracted Debian kernel sources tests read (scripts/kernel-source.sh). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Extracts (once) and returns the tree of linux-source-VERSION; throws naming the missing package. */
export function kernelTree(version: '6.1' | '6.12'): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'kernel-source.sh'), version], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim().split('\n').pop() ?? '';
}
