/**
 * API designs of the series as tables, one per variant and arch: each
 * execmem type's range written as the kernel wrote it, with where it came
 * from. The simulator evaluates them against an arch profile; no design is a
 * code branch.
 *
 * Tabled so far: x86 for `module_alloc` (Linux 6.1) and `execmem` (6.10–6.12).
 * jitalloc-v1, execmem-split and execmem-rox, and the other arches, are the
 * next step (see the notes); asking for them is an error that says so.
 */
import type { ArchName } from '../arch/arches';
import type { ExecmemType, RangeFlag } from './types';

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
  notes: string[];
}

const X86_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR + module_load_offset',
  end: 'MODULES_END',
  pgprot: 'PAGE_KERNEL',
  alignment: 'MODULE_ALIGN',
  flags: ['EXECMEM_KASAN_SHADOW'],
  origin: 'module_alloc(), arch/x86/kernel/module.c (6.1)',
};

const TABLES: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'x86',
    ranges: {
      EXECMEM_DEFAULT: X86_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...X86_MODULE_ALLOC, origin: 'alloc_insn_page() → module_alloc(PAGE_SIZE), arch/x86/kernel/kprobes/core.c (6.1)' },
      EXECMEM_FTRACE: { ...X86_MODULE_ALLOC, origin: 'alloc_tramp() → module_alloc(size), arch/x86/kernel/ftrace.c (6.1)' },
      EXECMEM_BPF: { ...X86_MODULE_ALLOC, origin: 'bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1)' },
      EXECMEM_MODULE_DATA: { ...X86_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: ['Every caller shares module_alloc(): one range for all types; text is made RO+X after the copy (set_memory_*).'],
  },
  {
    variant: 'execmem',
    arch: 'x86',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR + module_load_offset',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL',
        alignment: 'MODULE_ALIGN',
        flags: ['EXECMEM_KASAN_SHADOW'],
        origin: 'execmem_arch_setup(), arch/x86/mm/init.c (6.12)',
      },
    },
    initMissing: true,
    notes: ['Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types, MODULE_DATA with PAGE_KERNEL.'],
  },
];

export function variantTable(variant: Variant, arch: ArchName): VariantTable | undefined {
  return TABLES.find((t) => t.variant === variant && t.arch === arch);
}

export function tabledPairs(): { variant: Variant; arch: ArchName }[] {
  return TABLES.map((t) => ({ variant: t.variant, arch: t.arch }));
}
