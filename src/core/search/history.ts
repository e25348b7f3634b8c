/**
 * The mailing-list history of a file or a function: the patches in the mail
 * read that touched it, newest first — `git log -L` for a list, which lore
 * answers only with a hand-typed dfn:/dfhh: query.
 *
 * A patch touches a function of a file when a changed line of that file
 * falls in the function (see touchesOf). Calls of the function elsewhere
 * are not its history.
 */
import type { PatchEntry, SeriesIndex, SeriesVersion } from '../series/model';
import { type FileTouch, touchesOf } from '../patch/touches';

export { type FileTouch, touchesOf };

export interface HistoryHit {
  version: SeriesVersion;
  patch: PatchEntry;
  /** The path in the patch that matched (the file's own, or its name before a rename). */
  path: string;
}

/**
 * Whether a patch path is the file. With `exact` (the file's path inside its
 * kernel tree is known) only the same path is: include/linux/list.h is not
 * tools/include/linux/list.h. Without, a path ending in the other (a file
 * outside any known tree), for paths of two components or more, so that a
 * top-level Makefile is not every Makefile.
 */
export function samePath(patchPath: string, file: string, exact: boolean): boolean {
  if (patchPath === file) return true;
  if (exact) return false;
  const shorter = patchPath.length < file.length ? patchPath : file;
  if (!shorter.includes('/')) return false;
  return file.endsWith(`/${patchPath}`) || patchPath.endsWith(`/${file}`);
}

/**
 * The patches that touched `file` (a path relative to the kernel tree), or
 * with `fn` only those that touched that function, newest first. Touches are
 * worked out once per patch and kept in `cache`.
 */
export type TouchCache = WeakMap<PatchEntry, Map<string, FileTouch>>;

function touchesCached(patch: PatchEntry, cache: TouchCache): Map<string, FileTouch> {
  let touches = cache.get(patch);
  if (!touches) {
    const known = patch.message.facts?.touches;
    touches = known ? new Map(known.map(([path, fns]) => [path, { functions: new Set(fns) }])) : touchesOf(patch.diff);
    cache.set(patch, touches);
  }
  return touches;
}

/** Of a file's history, the patches that touched function `fn` (for a lens per function: the file's history is found once). */
export function narrowToFunction(hits: readonly HistoryHit[], fn: string, cache: TouchCache = new WeakMap()): HistoryHit[] {
  const name = fn.toLowerCase();
  return hits.filter((h) => {
    const t = touchesCached(h.patch, cache).get(h.path);
    return t !== undefined && t.functions.has(name);
  });
}

export function historyOf(index: Pick<SeriesIndex, 'series'>, file: string, fn?: string, cache: TouchCache = new WeakMap(), exact = false): HistoryHit[] {
  const out: HistoryHit[] = [];
  const name = fn?.toLowerCase();
  for (const version of index.series) {
    for (const patch of [...version.patches, ...version.extras]) {
      const file_ = patch.files.find((f) => samePath(f.path, file, exact) || (f.oldPath !== undefined && f.oldPath !== null && samePath(f.oldPath, file, exact)));
      if (!file_) continue;
      // A file's history without a function: the patch's file list says it (a pure rename or mode change has no hunks).
      if (name === undefined) {
        out.push({ version, patch, path: samePath(file_.path, file, exact) ? file_.path : (file_.oldPath ?? file_.path) });
        continue;
      }
      for (const [path, t] of touchesCached(patch, cache)) {
        if (!samePath(path, file, exact)) continue;
        if (!t.functions.has(name)) continue;
        out.push({ version, patch, path });
        break;
      }
    }
  }
  return out.sort((a, b) => b.patch.message.time - a.patch.message.time || b.version.version - a.version.version || a.patch.index - b.patch.index);
}
