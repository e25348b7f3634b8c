/**
 * The mailing-list history of a file or a function: the patches in the mail
 * read that touched it, newest first — `git log -L` for a list, which lore
 * answers only with a hand-typed dfn:/dfhh: query.
 *
 * A patch touches a function of a file when one of that file's hunks names
 * the function in its header (git puts the enclosing function there), or
 * when a changed line defines it (a line at column 0 naming it before a '(',
 * as kernel style writes definitions). Calls of the function elsewhere are
 * not its history.
 */
import type { PatchEntry, SeriesIndex, SeriesVersion } from '../series/model';
import { wordsOf } from './query';

/** Per file of a diff: the words of its hunk headers, and the names its changed lines define. */
export interface FileTouch {
  headerWords: Set<string>;
  defined: Set<string>;
}

/** What each file of a diff touches, by its new path (and its old one, for a rename). */
export function touchesOf(diff: string): Map<string, FileTouch> {
  const out = new Map<string, FileTouch>();
  let current: FileTouch[] = [];
  let oldPath: string | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('--- ')) {
      oldPath = /^--- (?:a\/)?(\S+)/.exec(line)?.[1] ?? null;
      continue;
    }
    if (line.startsWith('+++ ')) {
      const newPath = /^\+\+\+ (?:b\/)?(\S+)/.exec(line)?.[1] ?? null;
      current = [];
      for (const p of new Set([newPath, oldPath])) {
        if (!p || p === '/dev/null') continue;
        let t = out.get(p);
        if (!t) out.set(p, (t = { headerWords: new Set(), defined: new Set() }));
        current.push(t);
      }
      continue;
    }
    if (line.startsWith('@@')) {
      const heading = /^@@@* [-+\d, ]+ @@@* ?(.*)$/.exec(line)?.[1] ?? '';
      for (const t of current) for (const w of wordsOf(heading)) t.headerWords.add(w);
      continue;
    }
    if ((line.startsWith('+') || line.startsWith('-')) && /^[+-][A-Za-z_]/.test(line)) {
      const name = /\b([A-Za-z_]\w*)\s*\(/.exec(line.slice(1))?.[1];
      if (name) for (const t of current) t.defined.add(name.toLowerCase());
    }
  }
  return out;
}

export interface HistoryHit {
  version: SeriesVersion;
  patch: PatchEntry;
  /** The path in the patch that matched (the file's own, or its name before a rename). */
  path: string;
}

/** Whether a patch path is the file: the same path, or one ending in it (a tree opened from a subfolder). */
function samePath(patchPath: string, file: string): boolean {
  return patchPath === file || file.endsWith(`/${patchPath}`) || patchPath.endsWith(`/${file}`);
}

/**
 * The patches that touched `file` (a path relative to the kernel tree), or
 * with `fn` only those that touched that function, newest first. Touches are
 * worked out once per patch and kept in `cache`.
 */
export type TouchCache = WeakMap<PatchEntry, Map<string, FileTouch>>;

function touchesCached(patch: PatchEntry, cache: TouchCache): Map<string, FileTouch> {
  let touches = cache.get(patch);
  if (!touches) cache.set(patch, (touches = touchesOf(patch.diff)));
  return touches;
}

/** Of a file's history, the patches that touched function `fn` (for a lens per function: the file's history is found once). */
export function narrowToFunction(hits: readonly HistoryHit[], fn: string, cache: TouchCache = new WeakMap()): HistoryHit[] {
  const name = fn.toLowerCase();
  return hits.filter((h) => {
    const t = touchesCached(h.patch, cache).get(h.path);
    return t !== undefined && (t.headerWords.has(name) || t.defined.has(name));
  });
}

export function historyOf(index: SeriesIndex, file: string, fn?: string, cache: TouchCache = new WeakMap()): HistoryHit[] {
  const out: HistoryHit[] = [];
  const name = fn?.toLowerCase();
  for (const version of index.series) {
    for (const patch of [...version.patches, ...version.extras]) {
      if (!patch.files.some((f) => samePath(f.path, file) || (f.oldPath !== undefined && f.oldPath !== null && samePath(f.oldPath, file)))) continue;
      for (const [path, t] of touchesCached(patch, cache)) {
        if (!samePath(path, file)) continue;
        if (name !== undefined && !t.headerWords.has(name) && !t.defined.has(name)) continue;
        out.push({ version, patch, path });
        break;
      }
    }
  }
  return out.sort((a, b) => b.patch.message.time - a.patch.message.time || b.version.version - a.version.version || a.patch.index - b.patch.index);
}
