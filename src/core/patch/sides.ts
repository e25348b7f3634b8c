/**
 * The two sides of one file's diff, rebuilt from its hunks alone (for when the
 * file is not in the workspace): the old side from context and '-' lines, the
 * new side from context and '+' lines. Each line stands on the line number the
 * hunk header gives it, as in the real file, so the editor's line numbers are
 * the file's: the lines no hunk shows are left blank, and the blank line just
 * above a hunk carries its header ("⋯ @@ -a,b +c,d @@ ⋯"). The gaps are as
 * long on both sides (what lies between hunks is unchanged), so a diff editor
 * pairs them as unchanged. Each side remembers which file line each of its
 * lines stands for (0 for a blank or a header line), so review comments can be
 * placed on it.
 */
import type { StructuredPatch } from 'diff';

export interface Side {
  text: string;
  /** For each line of `text` (0-based), the 1-based line of the real file, or 0 for a line no hunk shows. */
  fileLines: number[];
}

export interface HunkSides {
  old: Side;
  new: Side;
}

/** Blank lines up to just before file line `start`, the last of them showing the hunk's header when there is room. */
function padTo(lines: string[], map: number[], start: number, marker: string): void {
  while (lines.length < start - 1) {
    lines.push(lines.length === start - 2 ? marker : '');
    map.push(0);
  }
}

export function hunkSides(patch: StructuredPatch): HunkSides {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  const oldMap: number[] = [];
  const newMap: number[] = [];
  for (const h of patch.hunks) {
    const marker = `⋯ @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ ⋯`;
    padTo(oldLines, oldMap, h.oldStart, marker);
    padTo(newLines, newMap, h.newStart, marker);
    let o = h.oldStart;
    let n = h.newStart;
    for (const line of h.lines) {
      const kind = line[0];
      const text = line.slice(1);
      if (kind === '\\') continue; // "\ No newline at end of file"
      if (kind !== '+') {
        oldLines.push(text);
        oldMap.push(o++);
      }
      if (kind !== '-') {
        newLines.push(text);
        newMap.push(n++);
      }
    }
  }
  return { old: { text: `${oldLines.join('\n')}\n`, fileLines: oldMap }, new: { text: `${newLines.join('\n')}\n`, fileLines: newMap } };
}

/** The 0-based line of `side` showing file line `fileLine`, or -1. */
export function sideLineOf(side: Side, fileLine: number): number {
  return side.fileLines.indexOf(fileLine);
}

/**
 * For the new side shown as the workspace file with the patch applied: for
 * each line of `applied` (0-based), the 1-based line of the patch's new side
 * it is, or 0 for a line no hunk shows. Each hunk's new lines are looked for
 * as a block near where its header puts them (a patch applied to a tree that
 * moved lands some lines off); a hunk not found maps no line.
 */
export function appliedLines(applied: string, patch: StructuredPatch): number[] {
  const lines = applied.split('\n');
  const map = new Array<number>(lines.length).fill(0);
  for (const h of patch.hunks) {
    const block = h.lines.filter((l) => l[0] === ' ' || l[0] === '+').map((l) => l.slice(1));
    if (block.length === 0) continue;
    const fits = (at: number) => at >= 0 && at + block.length <= lines.length && block.every((b, i) => lines[at + i] === b);
    const want = h.newStart - 1;
    let found = -1;
    for (let d = 0; d <= Math.max(lines.length, 1) && found < 0; d++) {
      if (fits(want - d)) found = want - d;
      else if (d > 0 && fits(want + d)) found = want + d;
      if (d > 5000) break;
    }
    if (found < 0) continue;
    for (let i = 0; i < block.length; i++) map[found + i] = h.newStart + i;
  }
  return map;
}
