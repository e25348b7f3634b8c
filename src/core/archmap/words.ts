/**
 * The kernel words the arch map looks for, defined once. The extractor's
 * override list, the quick test before a file is parsed with tree-sitter,
 * the ripgrep prefilter over a tree and the call-site scan's names are all
 * derived from these, so adding a word here adds it everywhere.
 */
import type { ExecmemType } from '../sim/types';

/**
 * The module_alloc-era functions an arch overrides, and the execmem type
 * each became in the series.
 */
export const OVERRIDE_TYPE = {
  module_alloc: 'EXECMEM_DEFAULT',
  alloc_insn_page: 'EXECMEM_KPROBES',
  bpf_jit_alloc_exec: 'EXECMEM_BPF',
  alloc_tramp: 'EXECMEM_FTRACE',
} as const satisfies Record<string, ExecmemType>;
export type OverrideName = keyof typeof OVERRIDE_TYPE;
export const OVERRIDE_NAMES = Object.keys(OVERRIDE_TYPE) as readonly OverrideName[];

export function isOverrideName(name: string): name is OverrideName {
  // hasOwn: 'constructor' and friends are not overrides.
  return Object.hasOwn(OVERRIDE_TYPE, name);
}

/** The structs that replaced them: jit_alloc_params (v1), execmem_params (v2–v3), execmem_info (v4 on, Linux 6.10+). */
export const TABLE_SHAPES = ['execmem_info', 'execmem_params', 'jit_alloc_params'] as const;
export type TableShape = (typeof TABLE_SHAPES)[number];

/** A file naming none of these has no row of the arch map: the ripgrep prefilter's words. */
export const ARCHMAP_WORDS: readonly string[] = [...OVERRIDE_NAMES, ...TABLE_SHAPES];

/**
 * Quick test before parsing: does the text mention anything the extractor
 * reads? The prefilter's words and the enum whose aliases it collects
 * (include/linux/execmem.h is read by its path, so the prefilter need not
 * look for the enum).
 */
export const INTEREST = wordPattern([...ARCHMAP_WORDS, 'execmem_type']);

/** A regular expression matching any of the words as a whole identifier, as `rg -w -e word...` does. */
export function wordPattern(words: readonly string[]): RegExp {
  return new RegExp(`\\b(?:${words.join('|')})\\b`);
}
