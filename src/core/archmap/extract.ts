/**
 * Reads one C file (parsed by tree-sitter-c) for the two shapes the series
 * converts between:
 *   - module_alloc-era overrides (module_alloc, alloc_insn_page,
 *     bpf_jit_alloc_exec, alloc_tramp) and the allocation calls they make
 *     (__vmalloc_node_range, vmalloc, kmalloc, module_alloc, or a file-local
 *     helper that makes one), with the conditions around each call;
 *   - the tables that replaced them: jit_alloc_params (v1),
 *     execmem_params (v2–v3), execmem_info (v4 on, Linux 6.10+), written by
 *     designated initializers, compound literals or field assignments.
 * Values are kept as C text with function-local variables and file-local
 * object-like macros substituted, so "start = MODULES_VADDR + offset" reads
 * as the kernel computes it.
 *
 * The steps, one module each:
 *   0. preprocess.ts  before parsing: annotations and #if lines blanked, the
 *                     conditions of each line read from the directives;
 *   1. scope.ts       what the file declares: macros, enum aliases,
 *                     functions with their locals, top-level declarations;
 *   2. substitute.ts  an expression with locals, parameters, macros and
 *                     one-line helpers substituted;
 *   3. overrides.ts   the overrides and their allocation attempts;
 *   4. tables.ts      the execmem tables and their writes.
 */
import type { Node } from 'web-tree-sitter';
import type { FileFacts } from './facts';
import { readOverrides } from './overrides';
import { readScope, type ExtractOptions } from './scope';
import { readTables } from './tables';

// Known by this module's name before the steps had modules of their own (test/core/archmap/cond.test.ts).
export { preprocessorConditions } from './preprocess';
export { dropZeroTerms, stripParens } from './syntax';

export function extractFacts(root: Node, path: string, opts: ExtractOptions): FileFacts {
  const scope = readScope(root, opts);
  return { path, overrides: readOverrides(scope), tables: readTables(scope), aliases: scope.aliases };
}
