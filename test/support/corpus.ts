/** The shared mail corpus, as the benchmarks and tests find it. */
import { existsSync } from 'node:fs';
import { CORPUS_DIR, THREADS_DIR } from '../../scripts/lib/corpus';

export { CORPUS_DIR, epochRepo, THREADS_DIR } from '../../scripts/lib/corpus';
export const corpusMissing = existsSync(THREADS_DIR) ? false : `no mail corpus at ${CORPUS_DIR} (set EXECMEM_LENS_CORPUS_DIR)`;

/** What the corpus README says a correct reader finds: series title → [label, patches][]. */
export const EXPECTED_SERIES: Record<string, [string, number][]> = {
  'mm: jit/text allocator': [['v1', 13], ['v2', 12], ['v3', 13], ['v4', 15], ['v5', 15], ['v6', 16], ['v7', 16], ['v8', 17], ['RESEND v8', 16]],
  'x86/module: use large ROX pages for text allocations': [['RFC v1', 7], ['v2', 8], ['v3', 8], ['v4', 8], ['v5', 8], ['v6', 8], ['v7', 8]],
  'x86/module: rework ROX cache to avoid writable copy': [['v1', 8], ['v2', 10], ['v3', 9]],
  'x86: enable EXECMEM_ROX_CACHE for ftrace and kprobes': [['v1', 8], ['v2', 8], ['v3', 8]],
};
