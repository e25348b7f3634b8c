/**
 * Where a review reply comments: reviewers quote the patch with "> " and
 * write below the lines they mean. For each block of the reviewer's own text
 * this finds the quoted diff line just above it and the file and line (old or
 * new side) that line stands for in the patch. A quoted line such as " {"
 * occurs in many places, so the run of quoted lines leading to it is matched
 * too, and the place where most of that run matches wins.
 */
import type { PatchFile } from '../patch/patch';

export interface ReviewAnchor {
  /** Path of the file in the patch. */
  path: string;
  /** 'new' for a '+' or context line, 'old' for a '-' line. */
  side: 'old' | 'new';
  /** 1-based line in that side of the file. */
  line: number;
  /** The quoted diff line, as the reviewer quoted it (without "> "). */
  quoted: string;
  /** The reviewer's own words under it, quote marks removed. */
  text: string;
}

interface DiffLine {
  text: string;
  path: string;
  side: 'old' | 'new';
  line: number;
}

/** The patch's diff lines in order, and where each text occurs in that list. */
function diffLines(files: readonly PatchFile[]): { lines: DiffLine[]; at: Map<string, number[]> } {
  const lines: DiffLine[] = [];
  for (const f of files) {
    for (const h of f.structured.hunks) {
      let o = h.oldStart;
      let n = h.newStart;
      for (const text of h.lines) {
        const kind = text[0];
        if (kind === '+') lines.push({ text, path: f.path, side: 'new', line: n++ });
        else if (kind === '-') lines.push({ text, path: f.path, side: 'old', line: o++ });
        else if (kind === ' ') {
          lines.push({ text, path: f.path, side: 'new', line: n });
          o++;
          n++;
        }
      }
    }
  }
  const at = new Map<string, number[]>();
  lines.forEach((l, i) => {
    const key = fold(l.text);
    const list = at.get(key) ?? [];
    list.push(i);
    at.set(key, list);
  });
  return { lines, at };
}

/** Mailers turn tabs into spaces and trim line ends: compare lines with white space folded. */
function fold(line: string): string {
  return line[0] + line.slice(1).replace(/\s+/g, ' ').trim();
}

const FILE_HEADER_RE = /^(?:diff --git a\/\S+ b\/(\S+)|\+\+\+ b\/(\S+))/;
const SNIP_RE = /^\s*\[?(\.\.\.|…|snip)\]?\s*$/i;

export function reviewAnchors(replyBody: string, files: readonly PatchFile[]): ReviewAnchor[] {
  if (files.length === 0) return [];
  const { lines, at } = diffLines(files);
  const anchors: ReviewAnchor[] = [];
  let currentFile: string | null = null;
  /** Quoted diff lines since the reviewer last wrote something. */
  let run: string[] = [];
  let own: string[] = [];

  const locate = (): DiffLine | null => {
    const lastQuoted = run[run.length - 1];
    if (lastQuoted === undefined) return null;
    let best: { i: number; score: number } | null = null;
    for (const i of at.get(fold(lastQuoted)) ?? []) {
      let score = currentFile && lines[i]!.path === currentFile ? 0.5 : 0;
      for (let k = 1; k < run.length && i - k >= 0; k++) {
        if (fold(lines[i - k]!.text) !== fold(run[run.length - 1 - k]!)) break;
        score++;
      }
      if (!best || score > best.score) best = { i, score };
    }
    return best ? lines[best.i]! : null;
  };

  const flush = () => {
    const text = own.join('\n').trim();
    const where = text ? locate() : null;
    if (where) anchors.push({ path: where.path, side: where.side, line: where.line, quoted: run[run.length - 1]!, text });
    own = [];
  };

  for (const raw of replyBody.split('\n')) {
    if (raw === '-- ') break;
    // Any depth: a reply to a reply still quotes the patch, one level deeper.
    const q = /^(?:> ?)+(.*)$/.exec(raw);
    if (!q) {
      // Snip marks say text was cut, nothing about the code.
      if (!SNIP_RE.test(raw)) own.push(raw);
      continue;
    }
    if (own.some((l) => l.trim())) {
      flush();
      run = [];
    }
    own = [];
    const quoted = q[1]!;
    const header = FILE_HEADER_RE.exec(quoted);
    if (header) {
      currentFile = header[1] ?? header[2] ?? null;
      continue;
    }
    if (/^[+\- ]/.test(quoted) && !/^(---|\+\+\+) /.test(quoted) && at.has(fold(quoted))) run.push(quoted);
  }
  flush();
  return anchors;
}
