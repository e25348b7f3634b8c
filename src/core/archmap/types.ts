/**
 * The arch map's vocabulary: what one side of a conversion says about one
 * execmem type on one architecture, and the JSON the CLI prints (issue
 * "Arch map"; keep the shape, outside tools read it).
 */
import { EXECMEM_TYPES, type ExecmemType } from '../sim/types';

export { EXECMEM_TYPES, type ExecmemType };

/** Where a side's range comes from. */
const ORIGINS = [
  'module_alloc',
  'alloc_insn_page',
  'bpf_jit_alloc_exec',
  'alloc_tramp',
  'kmalloc',
  'execmem_info',
  'jit_alloc_params',
  'execmem_params',
  'inherited',
  'default',
] as const;
export type Origin = (typeof ORIGINS)[number];

/** One side (before or after) of one arch × type. Expressions are C source text. */
export interface Side {
  origin: Origin;
  /** "path:line" of the call or initializer the range comes from. */
  location: string;
  start: string;
  end: string;
  fallback_start: string | null;
  fallback_end: string | null;
  pgprot: string;
  alignment: string;
  kasan_shadow: boolean;
  vm_flags: string[];
  /** C conditions (if, #ifdef, IS_ENABLED) under which these values are the ones taken. */
  conditions: string[];
}

export const SIDE_FIELDS = [
  'origin',
  'start',
  'end',
  'fallback_start',
  'fallback_end',
  'pgprot',
  'alignment',
  'kasan_shadow',
  'vm_flags',
] as const;
export type SideField = (typeof SIDE_FIELDS)[number];

export type Verdict = 'same' | 'changed' | 'unknown';

export interface TypeEntry {
  before: Side | null;
  after: Side | null;
  verdict: Verdict;
  changed: SideField[];
  /** Layout difference when both sides ran through the simulator (not part of the agreed JSON core). */
  simulation?: SimulationDiff;
}

export interface SimulationDiff {
  workload: string;
  before: { range: string; span: string; allocations: number; failed: number } | null;
  after: { range: string; span: string; allocations: number; failed: number } | null;
  summary: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  arch: string | null;
  type: ExecmemType | null;
  severity: Severity;
  message: string;
  location: string;
}

export interface ArchEntry {
  types: Partial<Record<ExecmemType, TypeEntry>>;
}

export interface ArchMap {
  arches: Record<string, ArchEntry>;
  findings: Finding[];
}
