/**
 * Call sites in a patch as it is read (a .patch document or a mail body):
 * each touched C file's old side ('-' and context lines) and new side ('+'
 * and context lines) are rebuilt at their file line numbers, read for call
 * sites, and every site found on a '-' or '+' line is reported at its line
 * in the patch text, so lenses sit on the changed lines themselves. Sites
 * on context lines are left to the file's own documents.
 */
import type { Node } from 'web-tree-sitter';
import { detectCallSites, type CallSite } from './detect';

export interface DiffSide {
  path: string;
  side: 'old' | 'new';
  text: string;
  /** File line → patch line (0-based), for '-' (old) or '+' (new) lines only. */
  changed: Map<number, number>;
}

/** The sides of every C file a unified diff touches. */
export function diffSides(patchText: string): DiffSide[] {
  const out: DiffSide[] = [];
  const lines = patchText.split('\n');
  let oldPath: string | null = null;
  let newPath: string | null = null;
  let cur: { old: DiffSide; new: DiffSide; oldLines: string[]; newLines: string[] } | null = null;
  let o = 0;
  let n = 0;
  let inHunk = false;
  let remainingOld = 0;
  let remainingNew = 0;
  const flush = (): void => {
    if (!cur) return;
    cur.old.text = `${cur.oldLines.join('\n')}\n`;
    cur.new.text = `${cur.newLines.join('\n')}\n`;
    if (/\.[ch]$/.test(cur.old.path)) out.push(cur.old);
    if (/\.[ch]$/.test(cur.new.path)) out.push(cur.new);
    cur = null;
  };
  const put = (arr: string[], at: number, text: string): void => {
    while (arr.length < at - 1) arr.push('');
    arr[at - 1] = text;
  };
  lines.forEach((line, k) => {
    if (inHunk && (remainingOld > 0 || remainingNew > 0) && cur) {
      const kind = line[0];
      const text = line.slice(1);
      if (kind === '\\') return;
      if (kind === '-' || kind === ' ' || line === '') {
        put(cur.oldLines, o, text);
        if (kind === '-') cur.old.changed.set(o, k);
        o++;
        remainingOld--;
      }
      if (kind === '+' || kind === ' ' || line === '') {
        put(cur.newLines, n, text);
        if (kind === '+') cur.new.changed.set(n, k);
        n++;
        remainingNew--;
      }
      if (kind === '-' || kind === '+' || kind === ' ' || line === '') return;
    }
    inHunk = false;
    const git = /^diff --git a\/(\S+) b\/(\S+)/.exec(line);
    if (git) {
      flush();
      oldPath = git[1]!;
      newPath = git[2]!;
      return;
    }
    const minus = /^--- (?:a\/)?(\S+)/.exec(line);
    if (minus) {
      if (minus[1] !== '/dev/null') oldPath = minus[1]!;
      return;
    }
    const plus = /^\+\+\+ (?:b\/)?(\S+)/.exec(line);
    if (plus) {
      if (plus[1] !== '/dev/null') newPath = plus[1]!;
      return;
    }
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && (oldPath || newPath)) {
      if (!cur || cur.new.path !== (newPath ?? oldPath)) {
        flush();
        cur = {
          old: { path: oldPath ?? newPath!, side: 'old', text: '', changed: new Map() },
          new: { path: newPath ?? oldPath!, side: 'new', text: '', changed: new Map() },
          oldLines: [],
          newLines: [],
        };
      }
      o = Number(hunk[1]);
      remainingOld = hunk[2] === undefined ? 1 : Number(hunk[2]);
      n = Number(hunk[3]);
      remainingNew = hunk[4] === undefined ? 1 : Number(hunk[4]);
      inHunk = true;
    }
  });
  flush();
  return out;
}

/** Sites of one side, moved to the patch text's lines (column + 1 for the '+'/'-' prefix). */
export function sitesOnChangedLines(side: DiffSide, root: Node): CallSite[] {
  return detectCallSites(root, side.path).flatMap((s) => {
    const at = side.changed.get(s.line);
    return at === undefined ? [] : [{ ...s, line: at + 1, column: s.column + 1 }];
  });
}
