/**
 * The key a set of sources' model is kept under (see image.ts): every input
 * that made it — the sources as read, what their files looked like then, the
 * code that grouped them. A model kept under another key is not shown.
 */
import * as path from 'node:path';
import { SUMMARY_VERSION } from '../../core/series/summary';

/** The inputs a model was made from, in order. */
export interface SummaryKey {
  /** The sources as read (lists folders expanded), with the signature each had when it was read. */
  sources: { path: string; signature: string }[];
  /** The code that grouped them (the extension's version). */
  producer: string;
}

export function keyText(key: SummaryKey): string {
  return JSON.stringify([SUMMARY_VERSION, key.producer, key.sources.map((s) => [path.resolve(s.path), s.signature])]);
}
