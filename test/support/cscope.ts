/** C text read through the extractor's first steps, for tests of the later ones. */
import type { Parser } from 'web-tree-sitter';
import { UNKNOWN_ENV, type CondEnv } from '../../src/core/archmap/cond';
import { blankAnnotations, preprocessorConditions } from '../../src/core/archmap/preprocess';
import { readScope, type FileScope } from '../../src/core/archmap/scope';
import { EXECMEM_ALIASES } from '../../src/core/sim/types';
import { newCParser } from '../../src/node/c/parser';

let parser: Promise<Parser> | undefined;

/** The file scope of a C text (the tree stays alive: tests are short). */
export async function scopeOf(text: string, env: CondEnv = UNKNOWN_ENV): Promise<FileScope> {
  const p = await (parser ??= newCParser());
  const tree = p.parse(blankAnnotations(text));
  if (!tree) throw new Error('tree-sitter could not parse the test text');
  return readScope(tree.rootNode, { env, aliases: EXECMEM_ALIASES, lineConds: preprocessorConditions(text) });
}
