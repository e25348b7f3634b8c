/** The shared mail corpus (../shared/corpus, or EXECMEM_LENS_CORPUS_DIR), read where it lies. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_DIR = process.env.EXECMEM_LENS_CORPUS_DIR ?? path.resolve(ROOT, '..', 'shared', 'corpus');
export const THREADS_DIR = path.join(CORPUS_DIR, 'threads');
export const corpusMissing = existsSync(THREADS_DIR) ? false : `no mail corpus at ${CORPUS_DIR} (set EXECMEM_LENS_CORPUS_DIR)`;

/** A bare public-inbox epoch cloned (once) from the corpus bundle into .cache. */
export function epochRepo(): string {
  const repo = path.join(ROOT, '.cache', 'linux-modules.git');
  if (!existsSync(path.join(repo, 'HEAD'))) {
    mkdirSync(path.dirname(repo), { recursive: true });
    execFileSync('git', ['clone', '--quiet', '--bare', path.join(CORPUS_DIR, 'linux-modules-epoch0.bundle'), `${repo}.part`]);
    execFileSync('mv', [`${repo}.part`, repo]);
  }
  return repo;
}

/** What the corpus README says a correct reader finds: series title → [label, patches][]. */
export const EXPECTED_SERIES: Record<string, [string, number][]> = {
  'mm: jit/text allocator': [['v1', 13], ['v2', 12], ['v3', 13], ['v4', 15], ['v5', 15], ['v6', 16], ['v7', 16], ['v8', 17], ['RESEND v8', 16]],
  'x86/module: use large ROX pages for text allocations': [['RFC v1', 7], ['v2', 8], ['v3', 8], ['v4', 8], ['v5', 8], ['v6', 8], ['v7', 8]],
  'x86/module: rework ROX cache to avoid writable copy': [['v1', 8], ['v2', 10], ['v3', 9]],
  'x86: enable EXECMEM_ROX_CACHE for ftrace and kprobes': [['v1', 8], ['v2', 8], ['v3', 8]],
};
