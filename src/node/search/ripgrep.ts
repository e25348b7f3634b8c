/**
 * The search prefilter both tree readers use: ripgrep lists the C files that
 * name any of some identifiers. Resolves null when rg is not installed or
 * fails, so the caller falls back to reading files itself.
 */
import { spawn } from 'node:child_process';

export function filesNaming(root: string, words: readonly string[], paths: readonly string[]): Promise<string[] | null> {
  return new Promise((resolve) => {
    const args = ['--files-with-matches', '--no-messages', '-g', '*.c', '-g', '*.h', '-w', ...words.flatMap((w) => ['-e', w]), ...paths];
    let child;
    try {
      child = spawn('rg', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      resolve(null);
      return;
    }
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', () => resolve(null));
    // rg exits 1 when nothing matched: an empty list, not a failure.
    child.on('close', (code) => resolve(code === 0 || code === 1 ? out.split('\n').filter(Boolean).map((f) => f.replace(/^\.\//, '')) : null));
  });
}
