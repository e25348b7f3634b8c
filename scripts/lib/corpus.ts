/** The shared mail corpus (../shared/corpus, or EXECMEM_LENS_CORPUS_DIR), read where it lies, never copied into the repo. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './codeServer';

export const CORPUS_DIR = process.env.EXECMEM_LENS_CORPUS_DIR ?? path.resolve(ROOT, '..', 'shared', 'corpus');
export const THREADS_DIR = path.join(CORPUS_DIR, 'threads');

/** The public-inbox epoch of the corpus, cloned (once) from its bundle into .cache. */
export function epochRepo(): string {
  const repo = path.join(ROOT, '.cache', 'linux-modules.git');
  if (!existsSync(path.join(repo, 'HEAD'))) {
    const bundle = path.join(CORPUS_DIR, 'linux-modules-epoch0.bundle');
    if (!existsSync(bundle)) throw new Error(`no corpus bundle at ${bundle} (set EXECMEM_LENS_CORPUS_DIR)`);
    mkdirSync(path.dirname(repo), { recursive: true });
    execFileSync('git', ['clone', '--quiet', '--bare', bundle, `${repo}.part`]);
    renameSync(`${repo}.part`, repo);
  }
  return repo;
}
