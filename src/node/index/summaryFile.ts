/**
 * The Patch Series view's summary (core/series/summary.ts) kept beside the
 * mail indexes, one file per set of sources, so that a window opened again
 * shows its tree before the full model is read.
 *
 * A JSON file, not a table of the index: it belongs to a set of sources, not
 * to one, it is read whole or not at all, and it is thrown away whenever its
 * key (the sources, their signatures, the code's version) does not match. A
 * file that does not parse or check is taken as no summary.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseSummary, SUMMARY_VERSION, type TreeSummary } from '../../core/series/summary';
import { writeAtomically } from '../fs/atomic';

/** The inputs a summary was made from, in order. */
export interface SummaryKey {
  /** The sources as read (lists folders expanded), with the signature each had when it was read. */
  sources: { path: string; signature: string }[];
  /** The code that grouped them (the extension's version). */
  producer: string;
}

function keyText(key: SummaryKey): string {
  return JSON.stringify([SUMMARY_VERSION, key.producer, key.sources.map((s) => [path.resolve(s.path), s.signature])]);
}

/** One file per set of sources (their paths), whatever their signatures. */
export function summaryFileFor(dir: string, sources: readonly string[]): string {
  const h = createHash('sha1').update(JSON.stringify(sources.map((s) => path.resolve(s)))).digest('hex').slice(0, 16);
  return path.join(dir, `tree-${h}.json`);
}

/** The summary kept for exactly these inputs, or undefined (none, another key, unreadable). */
export async function readSummary(dir: string, key: SummaryKey): Promise<TreeSummary | undefined> {
  let text: string;
  try {
    text = await readFile(summaryFileFor(dir, key.sources.map((s) => s.path)), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as { key?: unknown; summary?: unknown };
    if (o.key !== keyText(key)) return undefined;
    return parseSummary(o.summary);
  } catch {
    return undefined;
  }
}

export function writeSummary(dir: string, key: SummaryKey, summary: TreeSummary): void {
  const file = summaryFileFor(dir, key.sources.map((s) => s.path));
  writeAtomically(file, Buffer.from(JSON.stringify({ key: keyText(key), summary })), 'the tree summary');
}
