/**
 * Call sites in a patch as it is read (a .patch document or a mail body):
 * the diff is parsed by the `diff` package (parseDiffFiles), each touched C
 * file's old side ('-' and context lines) and new side ('+' and context
 * lines) are rebuilt at their file line numbers (sparseSides), read for call
 * sites, and every site found on a '-' or '+' line is reported at its line
 * in the patch text, so lenses sit on the changed lines themselves. Sites on
 * context lines are left to the file's own documents.
 */
import type { Node } from 'web-tree-sitter';
import { sparseSides } from '../archmap/patchInput';
import { parseDiffFiles, splitPatchBody } from '../patch/patch';
import { detectCallSites, type CallSite } from './detect';

export interface DiffSide {
  path: string;
  side: 'old' | 'new';
  text: string;
  /** File line → patch line (0-based), for '-' (old) or '+' (new) lines only. */
  changed: Map<number, number>;
}

/** The sides of every C file a patch text touches, with its changed lines' places in that text. */
export function diffSides(patchText: string): DiffSide[] {
  // The diff part of the text (headers, message and the "-- " signature left out), and the line it starts on.
  const { diff } = splitPatchBody(patchText);
  if (!diff) return [];
  const lines = patchText.split('\n');
  const start = patchText.slice(0, patchText.indexOf(diff)).split('\n').length - 1;
  const files = parseDiffFiles(diff);
  const out: DiffSide[] = [];
  // The parser gives hunks, not where they stand: find each hunk's header in order, its lines follow it.
  let at = start;
  for (const f of files) {
    const hunkStart: number[] = [];
    for (const h of f.structured.hunks) {
      const header = `@@ -${h.oldStart}`;
      while (at < lines.length && !(lines[at]!.startsWith(header) && lines[at]!.includes(` +${h.newStart}`))) at++;
      hunkStart.push(at + 1);
      at += 1 + h.lines.length;
    }
    if (!/\.[ch]$/.test(f.path)) continue;
    const s = sparseSides(f.path, f.structured, f.status, (h, k) => hunkStart[h]! + k);
    if (s.old !== null) out.push({ path: f.oldPath ?? f.path, side: 'old', text: s.old, changed: s.oldChanged });
    if (s.new !== null) out.push({ path: f.path, side: 'new', text: s.new, changed: s.newChanged });
  }
  return out;
}

/** Sites of one side, moved to the patch text's lines (column + 1 for the '+'/'-' prefix). */
export function sitesOnChangedLines(side: DiffSide, root: Node): CallSite[] {
  return detectCallSites(root, side.path).flatMap((s) => {
    const at = side.changed.get(s.line);
    return at === undefined ? [] : [{ ...s, line: at + 1, column: s.column + 1 }];
  });
}
