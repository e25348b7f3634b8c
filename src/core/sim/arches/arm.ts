/**
 * arm (32-bit): profile and range tables. Symbols cite linux-source-6.12
 * unless they say 6.1 (the values used here are the same in both);
 * module_alloc is Linux 6.1, execmem 6.10-6.12.
 *
 * Configuration: Debian's armhf "armmp" kernel: ARMv7 multiplatform, classic
 * 2-level page tables (not LPAE), 4 KiB pages, VMSPLIT_3G (the Kconfig
 * default), CONFIG_HIGHMEM=y (debian/config/armhf/config), ARM mode (no
 * THUMB2_KERNEL), CONFIG_ARM_MODULE_PLTS=y (its Kconfig default), no KASAN.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const ARM: ArchProfile = {
  arch: 'arm',
  name: 'arm (armhf), 32-bit, 2-level page tables, 4 KiB pages, 3G/1G split, HIGHMEM, module PLTs, no KASAN',
  bits: 32,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: true,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/arm/include/asm/page.h:12 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    PMD_SIZE: { value: 'SZ_2M', source: 'arch/arm/include/asm/pgtable-2level.h:87 (PMD_SHIFT 21)' },
    PAGE_OFFSET: { value: '0xC0000000', source: 'arch/arm/include/asm/memory.h:34 (CONFIG_PAGE_OFFSET = 0xC0000000 with VMSPLIT_3G)' },
    MODULES_VADDR: { value: 'PAGE_OFFSET - SZ_16M', source: 'arch/arm/include/asm/memory.h:60 (!CONFIG_THUMB2_KERNEL)' },
    MODULES_END: { value: 'PAGE_OFFSET - PMD_SIZE', source: 'arch/arm/include/asm/memory.h:74 (CONFIG_HIGHMEM: the pkmap area takes the top PMD)' },
    VMALLOC_OFFSET: { value: '8 * 1024 * 1024', source: 'arch/arm/include/asm/pgtable.h:50' },
    VMALLOC_END: { value: '0xff800000', source: 'arch/arm/include/asm/pgtable.h:52' },
    vmalloc_size: { value: '240 * 1024 * 1024', source: 'arch/arm/mm/mmu.c:1164 (240 * SZ_1M, no vmalloc= on the command line)' },
    high_memory: {
      value: 'VMALLOC_END - vmalloc_size - VMALLOC_OFFSET',
      source:
        'parameter: high_memory = __va(arm_lowmem_limit - 1) + 1, set in adjust_lowmem_bounds() (arch/arm/mm/mmu.c); with 768 MiB of RAM or more lowmem is capped at vmalloc_limit, so high_memory = VMALLOC_END - vmalloc_size - VMALLOC_OFFSET = 0xf0000000',
    },
    VMALLOC_START: {
      value: '(high_memory + VMALLOC_OFFSET) / VMALLOC_OFFSET * VMALLOC_OFFSET',
      source: 'arch/arm/include/asm/pgtable.h:51 ((high_memory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET-1))',
    },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const ARM_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR',
  end: 'MODULES_END',
  // CONFIG_ARM_MODULE_PLTS: when the 14 MiB module area is full, a second try over all of vmalloc space.
  fallback_start: 'VMALLOC_START',
  fallback_end: 'VMALLOC_END',
  pgprot: 'PAGE_KERNEL_EXEC',
  alignment: '1',
  origin: 'module_alloc(), arch/arm/kernel/module.c (6.1)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'arm',
    ranges: {
      EXECMEM_DEFAULT: ARM_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...ARM_MODULE_ALLOC, origin: 'alloc_insn_page() → module_alloc(PAGE_SIZE), kernel/kprobes.c (6.1; arm has no override)' },
      EXECMEM_FTRACE: { ...ARM_MODULE_ALLOC, origin: 'no ftrace trampolines are allocated on arm (no alloc_tramp()); module_alloc() for completeness' },
      EXECMEM_BPF: { ...ARM_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1; arch/arm/net/bpf_jit_32.c)' },
      EXECMEM_MODULE_DATA: { ...ARM_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'The module area is the 16 MiB below PAGE_OFFSET (branch range of the kernel text, ±32 MiB for ARM BL) less the top 2 MiB, which the HIGHMEM pkmap area uses: 0xbf000000-0xbfe00000, 14 MiB.',
      'module_alloc() first tries that area (__GFP_NOWARN), then, with CONFIG_ARM_MODULE_PLTS, VMALLOC_START-VMALLOC_END; far calls then go through PLT veneers.',
      'Every caller (kprobes, BPF JIT, module text and data) shares module_alloc(); arm has no alloc_insn_page() or bpf_jit_alloc_exec() override and its BPF JIT does not use bpf_prog_pack.',
      'VMALLOC_START depends on the amount of lowmem; 240 MiB of vmalloc space (0xf0800000-0xff800000) assumes at least 768 MiB of RAM and no vmalloc= parameter.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'arm',
    ranges: {
      EXECMEM_DEFAULT: { ...ARM_MODULE_ALLOC, origin: 'execmem_arch_setup(), arch/arm/mm/init.c (6.12)' },
    },
    initMissing: true,
    notes: [
      'Only EXECMEM_DEFAULT is set, with the PLT fallback to vmalloc space when CONFIG_ARM_MODULE_PLTS; execmem_init_missing() copies it (fallback included) to the other types, MODULE_DATA with PAGE_KERNEL.',
      'The layout is unchanged from 6.1: execmem only moved module_alloc() into a table.',
    ],
  },
];

export const arm: ArchData = { profile: ARM, tables };
