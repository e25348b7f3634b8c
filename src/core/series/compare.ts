/**
 * Comparing two versions of a series, patch by patch, as a reviewer does
 * between v(n) and v(n+1): which patches were added, which dropped, which
 * changed, matched by title (patches keep their subject across versions far
 * more often than their position).
 */
import { normalizeTitle } from '../mail/subject';
import type { PatchEntry, SeriesVersion } from './model';

export type PatchChange =
  | { kind: 'unchanged' | 'changed'; old: PatchEntry; new: PatchEntry }
  | { kind: 'added'; new: PatchEntry }
  | { kind: 'dropped'; old: PatchEntry };

function diffKey(p: PatchEntry): string {
  // Index lines and hunk offsets move when earlier patches change; the change itself does not.
  return p.diff
    .split('\n')
    .filter((l) => !/^(index |@@ )/.test(l))
    .map(trimBlanksEnd)
    .join('\n');
}

/** The line without trailing spaces and tabs, by a scan from its end: /[ \t]+$/ backtracks over every run of blanks inside a line. */
function trimBlanksEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return end === line.length ? line : line.slice(0, end);
}

export function compareVersions(older: SeriesVersion, newer: SeriesVersion): PatchChange[] {
  const byTitle = new Map<string, PatchEntry>();
  for (const p of older.patches) byTitle.set(normalizeTitle(p.subject.title), p);
  const used = new Set<PatchEntry>();
  const out: PatchChange[] = [];
  for (const p of newer.patches) {
    const match = byTitle.get(normalizeTitle(p.subject.title));
    if (match && !used.has(match)) {
      used.add(match);
      out.push({ kind: diffKey(match) === diffKey(p) ? 'unchanged' : 'changed', old: match, new: p });
    } else {
      out.push({ kind: 'added', new: p });
    }
  }
  for (const p of older.patches) if (!used.has(p)) out.push({ kind: 'dropped', old: p });
  return out;
}
