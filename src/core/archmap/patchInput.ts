/**
 * A series' patches as C the extractor can read: for each file a patch
 * touches, its old side (context and '-' lines) and new side (context and
 * '+' lines), each line placed at its real line number with blank lines in
 * the gaps, so tree-sitter reports the lines a reviewer will find in the
 * tree. Fragments parse with errors at their edges; the extractor reads what
 * is whole (a function, an initializer) and skips the rest.
 */
import type { StructuredPatch } from 'diff';

export interface PatchSideText {
  path: string;
  /** Null when the file is new (old side) or deleted (new side). */
  old: string | null;
  new: string | null;
  /** File line → position of its '-' line (old side) or '+' line (new side), when positions were given. */
  oldChanged: Map<number, number>;
  newChanged: Map<number, number>;
}

/**
 * positionOf(h, k), when given, says where line k of hunk h stands in the
 * text the patch was read from; changed lines are then mapped to it.
 */
export function sparseSides(
  path: string,
  patch: StructuredPatch,
  status: 'modified' | 'added' | 'deleted' | 'renamed',
  positionOf?: (hunk: number, line: number) => number,
): PatchSideText {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  const oldChanged = new Map<number, number>();
  const newChanged = new Map<number, number>();
  const put = (arr: string[], at: number, text: string): void => {
    while (arr.length < at - 1) arr.push('');
    arr[at - 1] = text;
  };
  patch.hunks.forEach((h, hi) => {
    let o = h.oldStart;
    let n = h.newStart;
    h.lines.forEach((l, k) => {
      const kind = l[0];
      const text = l.slice(1);
      if (kind === '\\') return;
      if (kind === '-' && positionOf) oldChanged.set(o, positionOf(hi, k));
      if (kind === '+' && positionOf) newChanged.set(n, positionOf(hi, k));
      if (kind !== '+') put(oldLines, o++, text);
      if (kind !== '-') put(newLines, n++, text);
    });
  });
  return {
    path,
    old: status === 'added' ? null : `${oldLines.join('\n')}\n`,
    new: status === 'deleted' ? null : `${newLines.join('\n')}\n`,
    oldChanged,
    newChanged,
  };
}

/**
 * A file as a series leaves it, known only where its hunks showed it: the
 * lines each patch's hunks carry, moved and replaced as later patches apply
 * (a line a later patch removes is gone, lines after a hunk shift by what it
 * added). Gaps stay blank, so line numbers are the file's.
 */
export class SparseFile {
  private lines = new Map<number, string>();

  apply(patch: StructuredPatch): void {
    const hunks = [...patch.hunks].sort((a, b) => a.oldStart - b.oldStart);
    const next = new Map<number, string>();
    // Known lines outside every hunk's old range keep their text, shifted by the hunks before them.
    for (const [line, text] of this.lines) {
      let shift = 0;
      let replaced = false;
      for (const h of hunks) {
        // "-5,0" inserts after old line 5; "-5,3" replaces old lines 5..7.
        const first = h.oldLines === 0 ? h.oldStart + 1 : h.oldStart;
        const after = h.oldStart + h.oldLines;
        if (h.oldLines > 0 && line >= first && line < after) replaced = true;
        else if (line >= (h.oldLines === 0 ? first : after)) shift += h.newLines - h.oldLines;
      }
      if (!replaced) next.set(line + shift, text);
    }
    for (const h of hunks) {
      let n = h.newStart;
      for (const l of h.lines) {
        if (l[0] === '\\' || l[0] === '-') continue;
        next.set(n++, l.slice(1));
      }
    }
    this.lines = next;
  }

  text(): string {
    const max = Math.max(0, ...this.lines.keys());
    const out: string[] = [];
    for (let k = 1; k <= max; k++) out.push(this.lines.get(k) ?? '');
    return `${out.join('\n')}\n`;
  }
}
