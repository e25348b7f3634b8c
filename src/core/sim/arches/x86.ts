/**
 * x86-64: profile and range tables. Symbols cite linux-source-6.12 unless
 * they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12, execmem-rox
 * the ROX-pages series as merged in 6.13 (corpus v7).
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const X86_64: ArchProfile = {
  arch: 'x86',
  name: 'x86_64, 4-level paging, 4 KiB pages, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/x86/include/asm/page_types.h:10 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    PMD_SIZE: { value: 'SZ_2M', source: 'arch/x86/include/asm/pgtable_64_types.h:94 (PMD_SHIFT 21)' },
    __START_KERNEL_map: { value: '0xffffffff80000000', source: 'arch/x86/include/asm/page_64_types.h:50' },
    KERNEL_IMAGE_SIZE: { value: 'SZ_1G', source: 'arch/x86/include/asm/page_64_types.h:96 (CONFIG_RANDOMIZE_BASE=y)' },
    MODULES_VADDR: { value: '__START_KERNEL_map + KERNEL_IMAGE_SIZE', source: 'arch/x86/include/asm/pgtable_64_types.h:197' },
    MODULES_END: { value: '0xffffffffff000000', source: 'arch/x86/include/asm/pgtable_64_types.h:200' },
    MODULES_LEN: { value: 'MODULES_END - MODULES_VADDR', source: 'arch/x86/include/asm/pgtable_64_types.h:204' },
    VMALLOC_START: { value: '0xffffc90000000000', source: 'arch/x86/include/asm/pgtable_64_types.h:127 (__VMALLOC_BASE_L4; vmalloc_base when KASLR moves it)' },
    VMALLOC_END: { value: 'VMALLOC_START + 32 * 1024 * 1024 * 1024 * 1024 - 1', source: 'arch/x86/include/asm/pgtable_64_types.h:130,156,159 (VMALLOC_SIZE_TB_L4 = 32)' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const X86_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR + module_load_offset',
  end: 'MODULES_END',
  pgprot: 'PAGE_KERNEL',
  alignment: 'MODULE_ALIGN',
  flags: ['EXECMEM_KASAN_SHADOW'],
  origin: 'module_alloc(), arch/x86/kernel/module.c (6.1)',
};

const tables: VariantTable[] = [
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
    variant: 'jitalloc-v1',
    arch: 'x86',
    ranges: {
      EXECMEM_DEFAULT: { ...X86_MODULE_ALLOC, origin: 'jit_alloc_arch_params(): .text = MODULES_VADDR + get_module_load_offset() .. MODULES_END, PAGE_KERNEL, MODULE_ALIGN, JIT_ALLOC_KASAN_SHADOW ([PATCH 04/13] mm: jit/text allocator v1, arch/x86/kernel/module.c)' },
      EXECMEM_KPROBES: { ...X86_MODULE_ALLOC, origin: 'alloc_insn_page() → jit_text_alloc(PAGE_SIZE) ([PATCH 02/13] v1)' },
      EXECMEM_FTRACE: { ...X86_MODULE_ALLOC, origin: 'alloc_tramp() → jit_text_alloc(size) ([PATCH 02/13] v1)' },
      EXECMEM_BPF: { ...X86_MODULE_ALLOC, origin: 'bpf_jit_alloc_exec() and bpf_prog_pack → jit_text_alloc() ([PATCH 02/13] v1)' },
      EXECMEM_MODULE_DATA: { ...X86_MODULE_ALLOC, pgprot: 'PAGE_KERNEL', origin: 'jit_data_alloc(): .data left unset, so jit_alloc_init_missing() copies .text with PAGE_KERNEL ([PATCH 06/13] v1)' },
    },
    initMissing: false,
    bpfProgPack: true,
    notes: ['One struct jit_alloc_params per arch: every caller of jit_text_alloc() shares the .text range.'],
  },
  {
    variant: 'execmem-split',
    arch: 'x86',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: 'MODULE_ALIGN',
        flags: ['EXECMEM_KASAN_SHADOW'],
        origin: 'cisc_execmem.modules.text, the 2023-06-08 proposal in the v1 thread (<20230608184116.GJ52412@kernel.org>)',
      },
      EXECMEM_KPROBES: { start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_ROX', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: '.jit_range = {} "implies reusing .modules" (same proposal)' },
      EXECMEM_FTRACE: { start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_ROX', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: '.jit_range = {} "implies reusing .modules" (same proposal)' },
      EXECMEM_BPF: { start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_ROX', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: '.jit_range = {} "implies reusing .modules" (same proposal)' },
      EXECMEM_MODULE_DATA: { start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'modules.data not given in the sketch; taken as .text with PAGE_KERNEL, as v1 did' },
    },
    initMissing: false,
    bpfProgPack: true,
    notes: ['The sketch starts the modules range at MODULES_VADDR with no KASLR offset; it is taken as written.'],
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

export const x86: ArchData = { profile: X86_64, tables };
