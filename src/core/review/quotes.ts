/**
 * Where a review reply comments. Reviewers quote the patch with "> " and write
 * below what they mean, interleaving quote blocks and their own text:
 *
 *   > diff --git a/arch/x86/kernel/ftrace.c b/arch/x86/kernel/ftrace.c
 *   > -	if (ftrace_poke_late)
 *   > +	if (ftrace_poke_late) {
 *
 *   And in the above case it's actively wrong …
 *
 * The reply is split at its quote blocks. Each block of the reviewer's own
 * text becomes a comment on the lines of the quote block just above it, in
 * the file that block belongs to:
 *   1. the file header quoted in the block ("diff --git", "+++ b/…");
 *   2. else the file with a hunk of the quoted "@@ -a,b +c,d @@" header;
 *   3. else the file of a header quoted earlier in the reply, when its hunks
 *      hold every line of the block;
 *   4. else the one file whose hunks hold every line of the block (several:
 *      the one where most of the block matches in order).
 * Within that file the block's last quoted diff line is placed where the run
 * of quoted lines leading to it matches best, and the comment covers the run.
 * Own text that follows no quote (the greeting, the attribution line), or a
 * quote that matches no hunk (quoted prose, another patch), stays on the
 * message: it is returned as `unplaced`.
 */
import type { PatchFile } from '../patch/patch';

export interface ReviewAnchor {
  /** Path of the file in the patch. */
  path: string;
  /** 'new' for a '+' or context line, 'old' for a '-' line. */
  side: 'old' | 'new';
  /** 1-based line in that side of the file: the last quoted line of the block. */
  line: number;
  /** 1-based first line of the quoted run on the same side (≤ line). */
  startLine: number;
  /** The quoted diff line the comment is under, as the reviewer quoted it (without "> "). */
  quoted: string;
  /** The reviewer's own words under the block, quote marks removed. */
  text: string;
}

export interface ReviewSplit {
  anchors: ReviewAnchor[];
  /** Own text placed on no line: it stays on the message. */
  unplaced: string[];
}

interface DiffLine {
  text: string;
  key: string;
  kind: '+' | '-' | ' ';
  oldLine: number;
  newLine: number;
  /** Index of its hunk in the file. */
  hunk: number;
}

interface FileLines {
  file: PatchFile;
  lines: DiffLine[];
  at: Map<string, number[]>;
  hunks: { oldStart: number; newStart: number }[];
}

/** Mailers turn tabs into spaces and trim line ends: compare lines with white space folded. */
function fold(line: string): string {
  return line[0] + line.slice(1).replace(/\s+/g, ' ').trim();
}

function fileLines(file: PatchFile): FileLines {
  const lines: DiffLine[] = [];
  const hunks: FileLines['hunks'] = [];
  file.structured.hunks.forEach((h, hunk) => {
    hunks.push({ oldStart: h.oldStart, newStart: h.newStart });
    let o = h.oldStart;
    let n = h.newStart;
    for (const text of h.lines) {
      const kind = text[0];
      if (kind === '+') lines.push({ text, key: fold(text), kind, oldLine: 0, newLine: n++, hunk });
      else if (kind === '-') lines.push({ text, key: fold(text), kind, oldLine: o++, newLine: 0, hunk });
      else if (kind === ' ') lines.push({ text, key: fold(text), kind, oldLine: o++, newLine: n++, hunk });
    }
  });
  const at = new Map<string, number[]>();
  lines.forEach((l, i) => {
    const list = at.get(l.key);
    if (list) list.push(i);
    else at.set(l.key, [i]);
  });
  return { file, lines, at, hunks };
}

const QUOTE_RE = /^((?:>[ \t]?)+)(.*)$/;
const GIT_HEADER_RE = /^diff --git a\/(\S+) b\/(\S+)/;
/** "--- a/x" and "+++ b/x" (or /dev/null); a bare "--- x" is a removed line "-- x", not a header. */
const SIDE_HEADER_RE = /^(?:--- (?:a\/(\S+)|\/dev\/null)|\+\+\+ (?:b\/(\S+)|\/dev\/null))/;

/** The path a quoted file-header line names; null for /dev/null; undefined when it is no header. */
function fileHeader(text: string): string | null | undefined {
  const git = GIT_HEADER_RE.exec(text);
  if (git) return git[2]!;
  const side = SIDE_HEADER_RE.exec(text);
  if (side) return side[2] ?? side[1] ?? null;
  return undefined;
}
const HUNK_RE = /^@@+ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;
const SNIP_RE = /^\s*[[<(]?\s*(\.\.\.|…|snip|snipped|cut)\s*[\]>)]?\s*$/i;

interface QuoteBlock {
  /** Path named by a file header quoted in the block (the last one). */
  header: string | null;
  /** Numbers of the last hunk header quoted in the block. */
  hunk: { oldStart: number; newStart: number } | null;
  /** Quoted diff lines after the last file header, as quoted. */
  lines: string[];
  /** Where in `lines` the last stretch starts that no blank line or snip mark interrupts. */
  lastStretch: number;
  /** A blank line or snip mark was seen: the next quoted line starts a stretch. */
  broken: boolean;
}

type Block = { kind: 'quote'; quote: QuoteBlock } | { kind: 'own'; lines: string[] };

function readBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '-- ') break;
    const q = QUOTE_RE.exec(line);
    if (q) {
      if (current?.kind !== 'quote') blocks.push((current = { kind: 'quote', quote: { header: null, hunk: null, lines: [], lastStretch: 0, broken: false } }));
      const text = q[2]!;
      const b = current.quote;
      const header = fileHeader(text);
      const hunk = HUNK_RE.exec(text);
      if (header !== undefined) {
        // A new file starts: what was quoted before it belongs to the previous file.
        if (header !== null) b.header = header;
        b.lines = [];
        b.lastStretch = 0;
        b.hunk = null;
      } else if (hunk) {
        b.hunk = { oldStart: Number(hunk[1]), newStart: Number(hunk[2]) };
        b.broken = true;
      } else if (SNIP_RE.test(text)) {
        b.broken = true;
      } else if (/^[+\- ]/.test(text)) {
        if (b.broken) b.lastStretch = b.lines.length;
        b.broken = false;
        b.lines.push(text);
      }
      continue;
    }
    if (!line.trim() || SNIP_RE.test(line)) {
      // Blank lines and snip marks belong to the text around them; they start nothing,
      // but inside a quote they end a stretch: the reviewer trimmed or joined quotes there.
      if (current?.kind === 'own') current.lines.push(line);
      else if (current?.kind === 'quote') current.quote.broken = true;
      continue;
    }
    if (current?.kind !== 'own') blocks.push((current = { kind: 'own', lines: [] }));
    current.lines.push(line);
  }
  return blocks;
}

/** File lines a quote may leave out between two lines it keeps (reviewers trim the '-' lines of a hunk). */
const MAX_GAP = 4;

/**
 * How many of the block's lines, ending with the one at `end`, match the
 * file's lines in order going up from `pos`, each within MAX_GAP file lines of
 * the previous match; and the file position of the first matched line.
 */
function runFrom(f: FileLines, pos: number, quoted: readonly string[], end: number): { length: number; start: number } {
  let length = 1;
  let at = pos;
  for (let q = end - 1; q >= 0; q--) {
    const key = fold(quoted[q]!);
    let found = -1;
    for (let p = at - 1; p >= 0 && p >= at - 1 - MAX_GAP; p--) {
      if (f.lines[p]!.key === key && f.lines[p]!.hunk === f.lines[at]!.hunk) {
        found = p;
        break;
      }
    }
    if (found < 0) break;
    at = found;
    length++;
  }
  return { length, start: at };
}

/** Where the block's lines sit in the file: the best run ending at the last line the file has. */
function placeIn(f: FileLines, block: QuoteBlock): { pos: number; start: number; length: number; end: number } | null {
  for (let end = block.lines.length - 1; end >= 0; end--) {
    const positions = f.at.get(fold(block.lines[end]!));
    if (!positions) continue;
    let best: { pos: number; start: number; length: number; end: number } | null = null;
    for (const pos of positions) {
      if (block.hunk && !sameHunk(f, pos, block.hunk)) continue;
      const run = runFrom(f, pos, block.lines, end);
      if (!best || run.length > best.length) best = { pos, start: run.start, length: run.length, end };
    }
    if (best) return best;
  }
  return null;
}

function sameHunk(f: FileLines, pos: number, hunk: { oldStart: number; newStart: number }): boolean {
  const h = f.hunks[f.lines[pos]!.hunk]!;
  return h.oldStart === hunk.oldStart || h.newStart === hunk.newStart;
}

function holdsAll(f: FileLines, lines: readonly string[]): boolean {
  return lines.length > 0 && lines.every((l) => f.at.has(fold(l)));
}

function byPath(files: readonly FileLines[], p: string): FileLines | undefined {
  return files.find((f) => f.file.path === p || f.file.newPath === p || f.file.oldPath === p);
}

function fileOf(files: readonly FileLines[], block: QuoteBlock, carried: string | null): FileLines | undefined {
  if (block.header) return byPath(files, block.header);
  if (block.hunk) {
    const { oldStart, newStart } = block.hunk;
    const withHunk = files.filter((f) => f.hunks.some((h) => h.oldStart === oldStart && h.newStart === newStart));
    if (withHunk.length === 1) return withHunk[0];
  }
  const previous = carried ? byPath(files, carried) : undefined;
  if (previous && holdsAll(previous, block.lines)) return previous;
  const holding = files.filter((f) => holdsAll(f, block.lines));
  if (holding.length <= 1) return holding[0];
  // Several files have every line: the one where the most of the block matches in order, if one does.
  const scored = holding.map((f) => ({ f, length: placeIn(f, block)?.length ?? 0 })).sort((a, b) => b.length - a.length);
  return scored[0]!.length > scored[1]!.length ? scored[0]!.f : undefined;
}

function anchorIn(f: FileLines, block: QuoteBlock, text: string): ReviewAnchor | null {
  const placed = placeIn(f, block);
  if (!placed) {
    if (block.lines.length > 0 || f.lines.length === 0) return null;
    // Only the file header was quoted: the comment is about the file; put it on its first line.
    const first = f.lines[0]!;
    const side = first.kind === '-' ? 'old' : 'new';
    const line = side === 'old' ? first.oldLine : first.newLine;
    return { path: f.file.path, side, line, startLine: line, quoted: first.text, text };
  }
  const last = f.lines[placed.pos]!;
  const side = last.kind === '-' ? 'old' : 'new';
  const lineOf = (l: DiffLine) => (side === 'old' ? l.oldLine : l.newLine);
  let startLine = lineOf(last);
  for (let k = placed.start; k <= placed.pos; k++) {
    const n = lineOf(f.lines[k]!);
    if (n > 0) {
      startLine = Math.min(startLine, n);
      break;
    }
  }
  return { path: f.file.path, side, line: lineOf(last), startLine, quoted: block.lines[placed.end]!, text };
}

export function splitReview(replyBody: string, files: readonly PatchFile[]): ReviewSplit {
  const blocks = readBlocks(replyBody);
  const indexed = files.map(fileLines);
  const anchors: ReviewAnchor[] = [];
  const unplaced: string[] = [];
  let carried: string | null = null;
  let above: QuoteBlock | null = null;
  for (const b of blocks) {
    if (b.kind === 'quote') {
      above = b.quote;
      if (b.quote.header) carried = b.quote.header;
      continue;
    }
    const text = b.lines.join('\n').trim();
    if (!text) continue;
    let f: FileLines | undefined;
    if (above) {
      // Quoted lines no file of the patch has (a diffstat, "---", a line the mailer wrapped) say nothing about where.
      const known = (lines: readonly string[]) => lines.filter((l) => indexed.some((x) => x.at.has(fold(l))));
      const whole = { ...above, lines: known(above.lines) };
      f = fileOf(indexed, whole, carried);
      if (f) above = whole;
      else if (above.lastStretch > 0) {
        // Quotes of several files joined: the text is about the last of them, just above it.
        const last = { ...above, header: null, lines: known(above.lines.slice(above.lastStretch)) };
        f = fileOf(indexed, last, carried);
        if (f) above = last;
      }
    }
    const anchor = f && above ? anchorIn(f, above, text) : null;
    if (anchor) anchors.push(anchor);
    else unplaced.push(text);
    if (f) carried = f.file.path;
    above = null;
  }
  return { anchors, unplaced };
}

/** The comments of a reply on the patch's lines (see splitReview). */
export function reviewAnchors(replyBody: string, files: readonly PatchFile[]): ReviewAnchor[] {
  return splitReview(replyBody, files).anchors;
}
