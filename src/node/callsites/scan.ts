/**
 * Finds call sites in C text or in a whole tree: ripgrep (when installed)
 * narrows the tree to files naming the API, tree-sitter reads those.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { blankAnnotations } from '../../core/archmap/preprocess';
import { CALL_INTEREST, CALL_NAMES, detectCallSites, type CallSite } from '../../core/callsites/detect';
import { diffSides, sitesOnChangedLines } from '../../core/callsites/diff';
import { newCParser } from '../c/parser';
import { isMissing, unreadable } from '../fs/errors';
import { filesNaming } from '../search/ripgrep';
import { filesMatching } from '../search/scan';

let parserPromise: Promise<Parser> | undefined;
const parser = (): Promise<Parser> => (parserPromise ??= newCParser());

/** Sites on the '-' and '+' lines of a patch, at their lines in the patch text. */
export async function sitesOfPatchText(text: string): Promise<CallSite[]> {
  if (!CALL_INTEREST.test(text)) return [];
  const p = await parser();
  const out: CallSite[] = [];
  for (const side of diffSides(text)) {
    if (!CALL_INTEREST.test(side.text)) continue;
    const tree = p.parse(blankAnnotations(side.text));
    if (!tree) continue;
    try {
      out.push(...sitesOnChangedLines(side, tree.rootNode));
    } finally {
      tree.delete();
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

export async function sitesOfText(path: string, text: string): Promise<CallSite[]> {
  if (!CALL_INTEREST.test(text)) return [];
  const p = await parser();
  const tree = p.parse(blankAnnotations(text));
  if (!tree) throw new Error(`${path}: tree-sitter could not parse the file`);
  try {
    return detectCallSites(tree.rootNode, path);
  } finally {
    tree.delete();
  }
}

export interface ScanOptions {
  onProgress?: (done: number, total: number, file: string) => void;
  isCancelled?: () => boolean;
  noRipgrep?: boolean;
  /** How a listed file is read (tests give one that fails). */
  read?: (file: string) => Promise<string>;
}

export interface ScanResult {
  root: string;
  sites: CallSite[];
  files: number;
  prefilter: 'ripgrep' | 'scan';
  cancelled: boolean;
}

/** Every call site under root, in file order (path, then line). */
export async function scanTree(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const listed = opts.noRipgrep ? null : await filesNaming(root, CALL_NAMES, ['.']);
  const prefilter = listed ? 'ripgrep' : 'scan';
  const files = (listed ?? (await filesMatching(root, CALL_INTEREST, ['.']))).sort();
  const sites: CallSite[] = [];
  const read = opts.read ?? ((file: string) => readFile(file, 'utf8'));
  let done = 0;
  for (const f of files) {
    if (opts.isCancelled?.()) return { root, sites, files: files.length, prefilter, cancelled: true };
    let text: string;
    try {
      text = await read(join(root, f));
    } catch (e) {
      // Deleted since it was listed: no sites in it. Anything else would leave its sites out unsaid.
      if (!isMissing(e)) throw unreadable(join(root, f), e);
      text = '';
    }
    sites.push(...(await sitesOfText(relative(root, join(root, f)), text)));
    opts.onProgress?.(++done, files.length, f);
  }
  sites.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
  return { root, sites, files: files.length, prefilter, cancelled: false };
}
