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
}

export function sparseSides(path: string, patch: StructuredPatch, status: 'modified' | 'added' | 'deleted' | 'renamed'): PatchSideText {
  const oldLines: string[] = [];
  const newLines: string[] = [];
  const put = (arr: string[], at: number, text: string): void => {
    while (arr.length < at - 1) arr.push('');
    arr[at - 1] = text;
  };
  for (const h of patch.hunks) {
    let o = h.oldStart;
    let n = h.newStart;
    for (const l of h.lines) {
      const kind = l[0];
      const text = l.slice(1);
      if (kind === '\\') continue;
      if (kind !== '+') put(oldLines, o++, text);
      if (kind !== '-') put(newLines, n++, text);
    }
  }
  return {
    path,
    old: status === 'added' ? null : `${oldLines.join('\n')}\n`,
    new: status === 'deleted' ? null : `${newLines.join('\n')}\n`,
  };
}
