/**
 * Which functions a diff's changed lines fall in, per file: what the history
 * lens and dfhh: go by.
 */
import { definedName } from '../search/functions';

/** Per file of a diff: the functions its changed lines fall in. */
export interface FileTouch {
  functions: Set<string>;
}

/** The function a hunk header names (git writes the line of the enclosing function there), or null. */
function headerFunction(heading: string): string | null {
  return definedName(heading.trimStart());
}

/**
 * What each file of a diff touches, by its new path and its old one. Within
 * a hunk, a changed line is credited to the function it is in: the one the
 * header names until a line of the hunk (context or changed) starts another
 * definition — git names the function above the hunk's first line, which is
 * the previous function when a change sits at the top of the next one.
 */
export function touchesOf(diff: string): Map<string, FileTouch> {
  const out = new Map<string, FileTouch>();
  let current: FileTouch[] = [];
  let oldPath: string | null = null;
  let fn: string | null = null;
  const fileOf = (p: string): FileTouch => {
    let t = out.get(p);
    if (!t) out.set(p, (t = { functions: new Set() }));
    return t;
  };
  for (const line of diff.split('\n')) {
    const git = line.startsWith('diff --git ') ? /^diff --git a\/(\S+) b\/(\S+)/.exec(line) : null;
    if (git) {
      // A rename or a mode change may have no ---/+++ lines: the file is touched all the same.
      current = [...new Set([git[2]!, git[1]!])].map(fileOf);
      oldPath = null;
      fn = null;
      continue;
    }
    if (line.startsWith('--- ')) {
      oldPath = /^--- (?:a\/)?(\S+)/.exec(line)?.[1] ?? null;
      continue;
    }
    if (line.startsWith('+++ ')) {
      const newPath = /^\+\+\+ (?:b\/)?(\S+)/.exec(line)?.[1] ?? null;
      current = [...new Set([newPath, oldPath])].filter((p): p is string => !!p && p !== '/dev/null').map(fileOf);
      continue;
    }
    if (line.startsWith('@@')) {
      fn = headerFunction(/^@@@* [-+\d, ]+ @@@* ?(.*)$/.exec(line)?.[1] ?? '');
      continue;
    }
    const mark = line[0];
    if (mark !== ' ' && mark !== '+' && mark !== '-') continue;
    // Only a line whose text starts with a letter or '_' can start a definition (see definedName):
    // most lines of a diff are indented, and are not cut out and tried.
    const c = line.charCodeAt(1) | 0x20;
    if ((c >= 0x61 && c <= 0x7a) || c === 0x7f) {
      const defined = definedName(line.slice(1));
      if (defined !== null) fn = defined;
    }
    if ((mark === '+' || mark === '-') && fn !== null) for (const t of current) t.functions.add(fn.toLowerCase());
  }
  return out;
}

