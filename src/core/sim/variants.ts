/**
 * API designs of the series as tables, one per variant and arch: each
 * execmem type's range written as the kernel wrote it, with where it came
 * from. The simulator evaluates them against an arch profile; no design is a
 * code branch.
 *
 * Tabled so far: x86 and arm64 for `module_alloc` (Linux 6.1) and `execmem`
 * (6.10–6.12), and x86 for `execmem-rox` (6.13). jitalloc-v1, execmem-split
 * and the other arches are the next step; asking for them is an error that
 * says so.
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
  /** BPF programs go through bpf_prog_pack (kernel/bpf/core.c) rather than one allocation each. */
  bpfProgPack?: boolean;
  /** Areas already busy at boot in this kernel (the image, where it lies inside a range). */
  reserved?: { start: string; end: string; what: string }[];
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
    bpfProgPack: true,
    notes: [
      'Every caller shares module_alloc(): one range for all types; text is made RO+X after the copy (set_memory_*).',
      'BPF programs share 2 MiB packs (bpf_jit_binary_pack_alloc, arch/x86/net/bpf_jit_comp.c, since 5.18).',
    ],
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
    bpfProgPack: true,
    notes: ['Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types, MODULE_DATA with PAGE_KERNEL.'],
  },
  {
    variant: 'execmem-rox',
    arch: 'x86',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR + module_load_offset',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: 'MODULE_ALIGN',
        flags: ['EXECMEM_KASAN_SHADOW', 'EXECMEM_ROX_CACHE'],
        origin: 'execmem_arch_setup(), arch/x86/mm/init.c, "x86/module: enable ROX caches for module text on 64 bit" (v7 8/8, Linux 6.13)',
      },
      EXECMEM_KPROBES: { start: 'MODULES_VADDR + module_load_offset', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'same (EXECMEM_KPROBES ... EXECMEM_BPF)' },
      EXECMEM_FTRACE: { start: 'MODULES_VADDR + module_load_offset', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'same (EXECMEM_KPROBES ... EXECMEM_BPF)' },
      EXECMEM_BPF: { start: 'MODULES_VADDR + module_load_offset', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'same (EXECMEM_KPROBES ... EXECMEM_BPF)' },
      EXECMEM_MODULE_DATA: { start: 'MODULES_VADDR + module_load_offset', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'same, EXECMEM_MODULE_DATA' },
    },
    initMissing: true,
    bpfProgPack: true,
    notes: [
      'Module text comes from the ROX cache: 2 MiB ROX pages carved into chunks of the requested size.',
      'kprobes and ftrace moved into the cache later ("x86: enable EXECMEM_ROX_CACHE for ftrace and kprobes"); not modelled in this table.',
    ],
  },
];

const ARM64_MODULE_ALLOC: RangeSpec = {
  start: 'module_alloc_base_6_1',
  end: 'module_alloc_base_6_1 + MODULES_VSIZE_6_1',
  // With CONFIG_ARM64_MODULE_PLTS and no KASAN (or KASAN_VMALLOC), a second try over 2 GiB.
  fallback_start: 'module_alloc_base_6_1',
  fallback_end: 'module_alloc_base_6_1 + SZ_2G',
  pgprot: 'PAGE_KERNEL',
  alignment: 'MODULE_ALIGN',
  flags: ['EXECMEM_KASAN_SHADOW'],
  origin: 'module_alloc(), arch/arm64/kernel/module.c (6.1)',
};

TABLES.push(
  {
    variant: 'module_alloc',
    arch: 'arm64',
    ranges: {
      EXECMEM_DEFAULT: ARM64_MODULE_ALLOC,
      EXECMEM_KPROBES: {
        start: 'VMALLOC_START_6_1',
        end: 'VMALLOC_END_6_1',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: '1',
        origin: 'alloc_insn_page() → __vmalloc_node_range(VMALLOC_START, VMALLOC_END, PAGE_KERNEL_ROX), arch/arm64/kernel/probes/kprobes.c:132 (6.1)',
      },
      EXECMEM_FTRACE: { ...ARM64_MODULE_ALLOC, origin: 'no dynamic ftrace trampolines on arm64 (calls go through module PLTs); module_alloc() for completeness' },
      EXECMEM_BPF: {
        start: 'VMALLOC_START_6_1',
        end: 'VMALLOC_END_6_1',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'bpf_jit_alloc_exec() → vmalloc(size), arch/arm64/net/bpf_jit_comp.c:1680 (6.1)',
      },
      EXECMEM_MODULE_DATA: { ...ARM64_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    reserved: [{ start: 'KIMAGE_VADDR_6_1', end: 'KIMAGE_VADDR_6_1 + KERNEL_SIZE', what: 'kernel image (vmlinux segments registered at boot, arch/arm64/mm/mmu.c)' }],
    notes: ['kprobes and BPF already left the module region in 6.1: they use the whole vmalloc space.'],
  },
  {
    variant: 'execmem',
    arch: 'arm64',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'module_direct_base',
        end: 'module_direct_base + SZ_128M',
        fallback_start: 'module_plt_base',
        fallback_end: 'module_plt_base + SZ_2G',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/arm64/mm/init.c (6.12)',
      },
      EXECMEM_KPROBES: { start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_ROX', alignment: '1', origin: 'execmem_arch_setup(), arch/arm64/mm/init.c (6.12)' },
      EXECMEM_BPF: { start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL', alignment: '1', origin: 'execmem_arch_setup(), arch/arm64/mm/init.c (6.12)' },
    },
    initMissing: true,
    bpfProgPack: true,
    reserved: [{ start: '_text', end: '_end', what: 'kernel image (vmlinux segments registered at boot, arch/arm64/mm/mmu.c)' }],
    notes: ['Module text prefers the 128 MiB window in direct branch range of the kernel (no PLTs) and falls back to the 2 GiB PLT window.'],
  },
);

export function variantTable(variant: Variant, arch: ArchName): VariantTable | undefined {
  return TABLES.find((t) => t.variant === variant && t.arch === arch);
}

export function tabledPairs(): { variant: Variant; arch: ArchName }[] {
  return TABLES.map((t) => ({ variant: t.variant, arch: t.arch }));
}
