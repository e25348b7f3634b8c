/**
 * The two sides of one file's diff, rebuilt from its hunks alone (for when the
 * file is not in the workspace): the old side from context and '-' lines, the
 * new side from context and '+' lines, hunks separated by a marker line. Each
 * side remembers which file line each of its lines stands for, so review
 * comments can be placed on it.
 */
import type { StructuredPatch } from 'diff';

export interface Side {
  text: string;
  /** For each line of `text` (0-based), the 1-based line of the real file, or 0 for a marker line. */
  fileLines: number[];
}

export interface HunkSides {
  old: Side;
  new: Side;
}

export function hunkSides(patch: StructuredPatch): HunkSides {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  const oldMap: number[] = [];
  const newMap: number[] = [];
  for (const h of patch.hunks) {
    const marker = `⋯ @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ ⋯`;
    oldLines.push(marker);
    oldMap.push(0);
    newLines.push(marker);
    newMap.push(0);
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
