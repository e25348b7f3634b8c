/**
 * The object names of a repository's refs, as `git for-each-ref
 * --format=%(objectname)` prints them (by ref name), read from its files:
 * the loose refs under refs/ and the packed-refs file. An epoch's refs are
 * looked at every time a window opens and whenever new mail may have come,
 * and a git process for it cost some 25 ms of each.
 *
 * Written here rather than taken from a library: the two file formats are
 * all that is read (gitrepository-layout(5)), and a git library for this
 * alone would be a large dependency. Anything else — a reftable repository,
 * a symbolic ref under refs/, a line that is not what the format says — gives
 * null, and the caller asks git.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';

const OBJECT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export async function refTips(gitDir: string): Promise<string[] | null> {
  if (existsSync(path.join(gitDir, 'reftable')) || !existsSync(path.join(gitDir, 'refs'))) return null;
  const refs = new Map<string, string>();
  let packed: string | null = null;
  try {
    packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  for (const line of (packed ?? '').split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    const name = line.slice(space + 1);
    if (space < 0 || !OBJECT.test(line.slice(0, space)) || !name.startsWith('refs/')) return null;
    refs.set(name, line.slice(0, space));
  }
  // Loose refs win over packed ones of the same name.
  const walk = async (dir: string, name: string): Promise<boolean> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const ref = `${name}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(await walk(full, ref))) return false;
        continue;
      }
      // A ref being written (git's own lock), or something that is not a plain file: not a ref.
      if (entry.name.endsWith('.lock') || !entry.isFile()) continue;
      const value = (await readFile(full, 'utf8')).trim();
      if (!OBJECT.test(value)) return false;
      refs.set(ref, value);
    }
    return true;
  };
  try {
    if (!(await walk(path.join(gitDir, 'refs'), 'refs'))) return null;
  } catch {
    return null;
  }
  // In ref name order, as git sorts them (byte order; ref names are ASCII in practice).
  const names = [...refs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...new Set(names.map((n) => refs.get(n)!))];
}
