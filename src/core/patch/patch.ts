/**
 * The patch inside a mail: commit message, diff, and the files and hunks of
 * that diff (parsed by the `diff` package), with a diffstat.
 */
import { parsePatch, type StructuredPatch } from 'diff';

export interface PatchFile {
  /** Path as the tree knows it: the new path, or the old one for a deletion. */
  path: string;
  oldPath: string | null;
  newPath: string | null;
  status: 'modified' | 'added' | 'deleted' | 'renamed';
  additions: number;
  deletions: number;
  /**
   * The file's part of the diff, as parsed. With `lazyHunks` it is parsed
   * again on first use, so a whole archive's hunks are not all kept in memory.
   */
  readonly structured: StructuredPatch;
}

export interface DiffStat {
  files: number;
  additions: number;
  deletions: number;
}

export interface PatchParts {
  /** The commit message: the body up to the "---" line that starts the notes/diffstat. */
  message: string;
  /** The unified diff, from its first header to before the mail signature; '' when none. */
  diff: string;
}

/** Lines a diff can start with; each candidate is confirmed by what follows it (see diffStart). */
const CANDIDATE_RE = /^(?:diff --(?:git|cc|combined) |Index: |--- |GIT binary patch$)/gm;
/** What follows a "diff --git" header when the change has no hunks: a rename, a mode change, a binary. */
const GIT_EXTENDED_RE = /^(?:@@@* -\d|rename (?:from|to) |copy (?:from|to) |new file mode |deleted file mode |old mode |new mode |similarity index |GIT binary patch$|Binary files )/m;

function lineAfter(text: string, at: number): { line: string; next: number } {
  const nl = text.indexOf('\n', at);
  const end = nl < 0 ? text.length : nl;
  return { line: text.slice(at, end).replace(/\r$/, ''), next: nl < 0 ? text.length : nl + 1 };
}

/**
 * Where the diff in a text starts, or -1. A diff is what git, quilt and
 * patchwork take as one: a "diff --git" (or combined "diff --cc") header
 * followed by hunks or by an extended header (rename, mode, binary); "---"
 * and "+++" lines followed by a hunk header (combined "@@@" ones too); or a
 * lone "GIT binary patch". A "--- " line in prose is not one.
 */
export function diffStart(text: string): number {
  CANDIDATE_RE.lastIndex = 0;
  for (let m = CANDIDATE_RE.exec(text); m; m = CANDIDATE_RE.exec(text)) {
    const at = m.index;
    const first = lineAfter(text, at);
    const rest = text.slice(first.next, first.next + 4096);
    if (m[0].startsWith('diff --') || m[0] === 'Index: ') {
      if (GIT_EXTENDED_RE.test(rest) && /^diff --|^Index: /.test(first.line)) return at;
    } else if (m[0] === '--- ') {
      const plus = lineAfter(text, first.next);
      if (/^\+\+\+ \S/.test(plus.line) && /^@@@* -\d/.test(lineAfter(text, plus.next).line)) return at;
    } else {
      return at; // GIT binary patch
    }
    CANDIDATE_RE.lastIndex = first.next;
  }
  return -1;
}

/** True when the text carries a diff (see diffStart). */
export function hasDiff(text: string): boolean {
  return diffStart(text) >= 0;
}

/** Characters at which JavaScript's multiline ^ and $ see a line end. */
function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/**
 * Where the first line that is exactly `line` starts, or -1: what /^line$/m
 * finds. indexOf skips to each candidate natively; the expression tried ^ at
 * every character of a whole diff, and a list archive's diffs are megabytes.
 */
function lineIndex(text: string, line: string): number {
  for (let at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + 1)) {
    const end = at + line.length;
    if ((at === 0 || isLineTerminator(text.charCodeAt(at - 1))) && (end === text.length || isLineTerminator(text.charCodeAt(end)))) return at;
  }
  return -1;
}

/**
 * Commit message and diff of a patch mail. `start` is diffStart(body), for a
 * caller that has it already (the grouping finds it when it classifies a
 * message): the scan is the costly part.
 */
export function splitPatchBody(body: string, start: number = diffStart(body)): PatchParts {
  const beforeDiff = start >= 0 ? body.slice(0, start) : body;
  const sep = /^---\s*$/m.exec(beforeDiff);
  const message = (sep ? beforeDiff.slice(0, sep.index) : beforeDiff).trimEnd();
  if (start < 0) return { message, diff: '' };
  let diff = body.slice(start);
  // The signature "-- \n2.39.2" that git send-email appends is not part of the diff.
  const sig = lineIndex(diff, '-- ');
  if (sig >= 0) diff = diff.slice(0, sig);
  return { message, diff };
}

function stripPrefix(name: string | undefined): string | null {
  if (!name || name === '/dev/null') return null;
  return name.replace(/^[ab]\//, '');
}

function parseQuietly(diff: string): StructuredPatch[] {
  try {
    return parsePatch(diff);
  } catch {
    return [];
  }
}

/**
 * Files of a diff. Text that is not a diff gives no files rather than an
 * error. With `lazyHunks`, each file's hunks are dropped after counting and
 * parsed again from `diff` when `structured` is first read.
 */
export function parseDiffFiles(diff: string, opts: { lazyHunks?: boolean } = {}): PatchFile[] {
  if (!diff.trim()) return [];
  const parsed = parseQuietly(diff);
  const files: PatchFile[] = [];
  let reparsed: StructuredPatch[] | undefined;
  for (const [i, p] of parsed.entries()) {
    const oldPath = stripPrefix(p.oldFileName);
    const newPath = stripPrefix(p.newFileName);
    if (!oldPath && !newPath) continue;
    let additions = 0;
    let deletions = 0;
    for (const h of p.hunks) {
      for (const line of h.lines) {
        if (line[0] === '+') additions++;
        else if (line[0] === '-') deletions++;
      }
    }
    const extra = p as StructuredPatch & { isRename?: boolean; isCreate?: boolean; isDelete?: boolean };
    const status = !oldPath || extra.isCreate ? 'added' : !newPath || extra.isDelete ? 'deleted' : extra.isRename || oldPath !== newPath ? 'renamed' : 'modified';
    const file = { path: (newPath ?? oldPath)!, oldPath, newPath, status, additions, deletions } as PatchFile;
    if (opts.lazyHunks) {
      Object.defineProperty(file, 'structured', {
        enumerable: false,
        get: () => (reparsed ??= parseQuietly(diff))[i]!,
      });
    } else {
      Object.defineProperty(file, 'structured', { enumerable: false, value: p });
    }
    files.push(file);
  }
  return files;
}

export function diffStat(files: readonly PatchFile[]): DiffStat {
  return files.reduce<DiffStat>(
    (s, f) => ({ files: s.files + 1, additions: s.additions + f.additions, deletions: s.deletions + f.deletions }),
    { files: 0, additions: 0, deletions: 0 },
  );
}
