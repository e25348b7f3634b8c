/**
 * The arch map's inputs, read from disk: a kernel tree (candidate files
 * found with ripgrep when it is installed, else by a streaming scan, then
 * parsed), or the patches of a series in a mail file (old and new sides of
 * each touched C file, in series order).
 */
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { archOfPath } from '../../core/archmap/build';
import { envFor, type Era } from '../../core/archmap/config';
import { extractFacts } from '../../core/archmap/extract';
import type { FileFacts } from '../../core/archmap/facts';
import { blankAnnotations, preprocessorConditions } from '../../core/archmap/preprocess';
import { ARCHMAP_WORDS, INTEREST } from '../../core/archmap/words';
import { SparseFile, sparseSides } from '../../core/archmap/patchInput';
import { EXECMEM_ALIASES } from '../../core/sim/types';
import { groupSeries } from '../../core/series/group';
import type { SeriesVersion } from '../../core/series/model';
import { newCParser } from '../c/parser';
import { isMissing, unreadable } from '../fs/errors';
import { readSources } from '../mail/read';
import { filesNaming } from '../search/ripgrep';
import { filesMatching } from '../search/scan';

export interface TreeFacts {
  root: string;
  files: FileFacts[];
  /** Files the prefilter passed, and how it ran. */
  candidates: number;
  prefilter: 'ripgrep' | 'scan';
  /** Where the candidate files came from. */
  searched: string[];
}

let parserPromise: Promise<Parser> | undefined;
const parser = (): Promise<Parser> => (parserPromise ??= newCParser());

/** Parses one C text and extracts its facts; the tree is freed before returning. */
/** era: which kernel's configuration chooses among alternatives (a 6.1 tree, a series' sides: 'before'). */
export async function factsOfText(path: string, text: string, aliases: Readonly<Record<string, string>> = EXECMEM_ALIASES, era: Era = 'after'): Promise<FileFacts> {
  const p = await parser();
  const tree = p.parse(blankAnnotations(text));
  if (!tree) throw new Error(`${path}: tree-sitter could not parse the file`);
  try {
    return extractFacts(tree.rootNode, path, { env: envFor(archOfPath(path), era), aliases, lineConds: preprocessorConditions(text) });
  } finally {
    tree.delete();
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (e) {
    if (isMissing(e)) return false;
    throw unreadable(p, e);
  }
}

/**
 * What is wrong with a configured kernel tree, or null when it reads as one.
 * Only "not there" gets the plain words; any other failure to stat the
 * folder or its arch/ (EACCES, EIO) is said as such, not as a missing folder.
 */
export async function kernelTreeProblem(root: string): Promise<string | null> {
  const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    return isMissing(e) ? 'no such folder' : `could not be read: ${why(e)}`;
  }
  if (!st.isDirectory()) return 'not a folder';
  try {
    await stat(join(root, 'arch'));
  } catch (e) {
    return isMissing(e) ? 'no arch/ folder in it: not a kernel source tree' : `${join(root, 'arch')}: could not be read: ${why(e)}`;
  }
  return null;
}

/**
 * The enum aliases of include/linux/execmem.h, or null when the tree has no
 * such file (a 6.1 tree). A header that is there but cannot be read, or that
 * holds no enum execmem_type, is an error naming it: reading the tree as 6.1
 * instead would give a wrong map and no sign of why.
 */
export async function headerAliases(header: string): Promise<Record<string, string> | null> {
  let text: string;
  try {
    text = await readFile(header, 'utf8');
  } catch (e) {
    if (isMissing(e)) return null;
    throw unreadable(header, e);
  }
  if (!/\benum\s+execmem_type\s*\{/.test(text)) throw new Error(`${header}: no enum execmem_type in it: not the execmem header the arch map reads (a truncated or unrelated file?)`);
  return (await factsOfText('include/linux/execmem.h', text)).aliases;
}

export interface TreeOptions {
  /** Force the streaming scan even when rg is installed (benchmarks compare the two). */
  noRipgrep?: boolean;
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

/**
 * Maps a kernel tree: arch/ (the overrides and tables) and
 * include/linux/execmem.h (enum aliases). Any folder works; one without
 * arch/ is searched whole.
 */
export async function factsOfTree(root: string, opts: TreeOptions = {}): Promise<TreeFacts> {
  if (!(await isDir(root))) throw new Error(`--tree ${root}: not a folder`);
  const searched = (await isDir(join(root, 'arch'))) ? ['arch'] : ['.'];
  let aliases: Record<string, string> = { ...EXECMEM_ALIASES };
  const header = join(root, 'include/linux/execmem.h');
  // A tree with include/linux/execmem.h is read with the 6.12 configuration, one without
  // (a 6.1 tree) with 6.1's and the built-in aliases of 6.12.
  let era: Era = 'before';
  const h = await headerAliases(header);
  if (h) {
    aliases = { ...aliases, ...h };
    era = 'after';
  }
  let list = opts.noRipgrep ? null : await filesNaming(root, ARCHMAP_WORDS, searched);
  const prefilter = list ? 'ripgrep' : 'scan';
  list ??= await filesMatching(root, INTEREST, searched);
  list.sort();
  const files: FileFacts[] = [];
  let done = 0;
  for (const rel of list) {
    if (opts.isCancelled?.()) break;
    const path = relative(root, join(root, rel));
    let text: string;
    try {
      text = await readFile(join(root, rel), 'utf8');
    } catch (e) {
      // Deleted since it was listed (a checkout under way): nothing of it to map.
      if (!isMissing(e)) throw unreadable(join(root, rel), e);
      text = '';
    }
    if (INTEREST.test(text)) {
      const facts = await factsOfText(path, text, aliases, era);
      if (facts.overrides.length > 0 || facts.tables.length > 0) files.push(facts);
    }
    opts.onProgress?.(++done, list.length);
  }
  return { root, files, candidates: list.length, prefilter, searched };
}

export interface SeriesFacts {
  /** The series version the patches come from. */
  title: string;
  version: number;
  patches: number;
  before: FileFacts[];
  after: FileFacts[];
}

/**
 * Facts from the patches of one series version: the old side of each file as
 * its first patch shows it (in series order), and the new side as the whole
 * series leaves it (each file's hunks applied in order, so a line a later
 * patch removes is gone).
 */
export async function factsOfSeries(series: SeriesVersion): Promise<SeriesFacts> {
  const before: FileFacts[] = [];
  const after: FileFacts[] = [];
  const files = new Map<string, SparseFile>();
  for (const p of series.patches) {
    for (const f of p.files) {
      if (!/\.[ch]$/.test(f.path)) continue;
      const oldPath = f.oldPath ?? f.path;
      const sides = sparseSides(f.path, f.structured, f.status);
      if (sides.old !== null && INTEREST.test(sides.old)) {
        const facts = await factsOfText(oldPath, sides.old, EXECMEM_ALIASES, 'before');
        if (facts.overrides.length || facts.tables.length) before.push(facts);
      }
      const file = files.get(oldPath) ?? new SparseFile();
      files.delete(oldPath);
      if (f.status === 'deleted') continue;
      file.apply(f.structured);
      files.set(f.newPath ?? f.path, file);
    }
  }
  for (const [path, file] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const text = file.text();
    if (!INTEREST.test(text)) continue;
    const facts = await factsOfText(path, text, EXECMEM_ALIASES, 'before');
    if (facts.overrides.length || facts.tables.length) after.push(facts);
  }
  return { title: series.title, version: series.version, patches: series.patches.length, before, after };
}

/**
 * The series in a mail file to map: the newest version whose patches touch
 * arch code the map reads (a thread file holds one; an archive may hold many).
 */
export async function seriesOfMbox(file: string): Promise<SeriesVersion> {
  const read = await readSources([file]);
  if (read.messages.length === 0) throw new Error(`--mbox ${file}: no messages could be read${read.errors[0] ? ` (${read.errors[0].message})` : ''}`);
  const index = groupSeries(read.messages, read.errors);
  const touching = index.series.filter((v) => v.patches.some((p) => p.files.some((f) => f.path.startsWith('arch/') && /\.[ch]$/.test(f.path) && INTEREST.test(p.diff))));
  const chosen = touching.sort((a, b) => b.time - a.time)[0];
  if (!chosen) throw new Error(`--mbox ${file}: no series in it changes arch code that allocates executable memory`);
  return chosen;
}
