/**
 * The shapes of the simulator's arch data: a profile (configuration and
 * cited symbol values) and one range table per API design. Each arch's data
 * lives in arches/<arch>.ts.
 */
import type { ArchName } from '../arch/arches';
import type { ExecmemType, RangeFlag } from './types';

export interface SymbolDef {
  /** An expression over earlier symbols, numbers and SZ_* constants. */
  value: string;
  /** Where the kernel defines it: file:line in linux-source-6.12 (or 6.1). */
  source: string;
}

export interface ArchProfile {
  arch: ArchName;
  /** Name of the configuration, e.g. "x86_64, 4-level paging, 4 KiB pages". */
  name: string;
  bits: 32 | 64;
  pageSize: number;
  pmdSize: number;
  kasan: boolean;
  kaslr: boolean;
  /** Module PLTs (arm, arm64): far calls through veneers, which allows a fallback range. */
  plts: boolean;
  /** Online CPUs, for lazy_max_pages(). */
  cpus: number;
  symbols: Record<string, SymbolDef>;
}

export const VARIANTS = ['module_alloc', 'jitalloc-v1', 'execmem-split', 'execmem', 'execmem-rox'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface RangeSpec {
  start: string;
  end: string;
  fallback_start?: string;
  fallback_end?: string;
  pgprot: string;
  alignment: string;
  flags?: RangeFlag[];
  /** The kernel function and file this range is read from. */
  origin: string;
}

export interface VariantTable {
  variant: Variant;
  arch: ArchName;
  /** Types the design spells out; execmem designs fill the rest with execmem_init_missing(). */
  ranges: Partial<Record<ExecmemType, RangeSpec>>;
  /** execmem_init_missing() applies (typed execmem designs). */
  initMissing: boolean;
  /** BPF programs go through bpf_prog_pack (kernel/bpf/core.c) rather than one allocation each. */
  bpfProgPack?: boolean;
  /** Areas already busy at boot in this kernel (the image, where it lies inside a range). */
  reserved?: { start: string; end: string; what: string }[];
  notes: string[];
}

export interface ArchData {
  profile: ArchProfile;
  tables: VariantTable[];
  /**
   * Where KASLR moves the symbols the ranges use, for a run with KASLR on
   * (values replace the profile's; the kernel image itself stays where the
   * profile puts it). Arches without it either keep their ranges under KASLR
   * or use module_load_offset (x86, s390).
   */
  kaslr?: (symbols: ReadonlyMap<string, bigint>, rng: { inclusive(lo: number, hi: number): number }) => Record<string, bigint>;
}
