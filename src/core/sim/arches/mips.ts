/**
 * mips: profile and range tables. Symbols cite linux-source-6.12 unless
 * they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12.
 *
 * Configuration: Debian's mips64el "5kc-malta" kernel (the generic MIPS64r2
 * flavour, debian/config/kernelarch-mips/config.malta + config.mips64r2):
 * 64-bit, little endian, 4 KiB pages, 40-bit VA (3-level page tables, no
 * MIPS_VA_BITS_48), loaded at 0xffffffff80100000 so built with -msym32
 * (KBUILD_64BIT_SYM32, arch/mips/Makefile), no KASAN. Only that case has a
 * module area; 32-bit MIPS (mipsel) has none and uses vmalloc space.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const MIPS64: ArchProfile = {
  arch: 'mips',
  name: 'mips64el (Debian 5kc-malta), 64-bit, -msym32, 4 KiB pages, 40-bit VA, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/mips/include/asm/page.h:21 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12, CONFIG_PAGE_SIZE_4KB)' },
    PMD_SIZE: { value: 'SZ_2M', source: 'arch/mips/include/asm/pgtable-64.h:50 (PMD_SHIFT = PAGE_SHIFT + PAGE_SHIFT - 3 = 21)' },
    CKSSEG: { value: '0xffffffffc0000000', source: 'arch/mips/include/asm/addrspace.h:75' },
    MAP_BASE: { value: '0xc000000000000000', source: 'arch/mips/include/asm/mach-generic/spaces.h:71 (64-bit; mach-malta does not override it)' },
    FIXADDR_TOP: { value: '-0x20000', source: 'arch/mips/include/asm/mach-generic/spaces.h:99 ((unsigned long)(long)(int)0xfffe0000)' },
    FIXADDR_SIZE: {
      value: '(8 * 2 + 1) * PAGE_SIZE',
      source: 'arch/mips/include/asm/fixmap.h:67 (__end_of_fixed_addresses = FIX_CMAP_END + 1 = FIX_N_COLOURS * 2 + 1 = 17; no HIGHMEM on 64-bit)',
    },
    FIXADDR_START: { value: 'FIXADDR_TOP - FIXADDR_SIZE', source: 'arch/mips/include/asm/fixmap.h:68' },
    MODULES_VADDR: { value: 'CKSSEG', source: 'arch/mips/include/asm/pgtable-64.h:150 (KBUILD_64BIT_SYM32)' },
    MODULES_END: { value: 'FIXADDR_START - 2 * PAGE_SIZE', source: 'arch/mips/include/asm/pgtable-64.h:151' },
    MODULE_START: { value: 'CKSSEG', source: 'linux-source-6.1: arch/mips/include/asm/pgtable-64.h:150 (MODULE_START)' },
    MODULE_END: { value: 'FIXADDR_START - 2 * PAGE_SIZE', source: 'linux-source-6.1: arch/mips/include/asm/pgtable-64.h:151 (MODULE_END)' },
    VMALLOC_START: { value: 'MAP_BASE + 2 * PAGE_SIZE', source: 'arch/mips/include/asm/pgtable-64.h:141' },
    cpu_vmbits: { value: '40', source: 'parameter: cpu_vmbits, the virtual address bits probed at boot (cpu-probe.c); at least 40 assumed, so the page-table span limits VMALLOC_END' },
    VMALLOC_END: {
      value: 'MAP_BASE + (1 << 40) - (1 << 32)',
      source:
        'arch/mips/include/asm/pgtable-64.h:142 (VMALLOC_END = MAP_BASE + min(PTRS_PER_PGD * PTRS_PER_PUD * PTRS_PER_PMD * PTRS_PER_PTE * PAGE_SIZE = 1024 * 1 * 512 * 512 * 4 KiB = 2^40, 1 << cpu_vmbits) - 2^32)',
    },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const MIPS_MODULE_ALLOC: RangeSpec = {
  start: 'MODULE_START',
  end: 'MODULE_END',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc(), arch/mips/kernel/module.c (6.1, #ifdef MODULE_START)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'mips',
    ranges: {
      EXECMEM_DEFAULT: MIPS_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...MIPS_MODULE_ALLOC, origin: 'alloc_insn_page() → module_alloc(PAGE_SIZE), kernel/kprobes.c (6.1; mips has no override)' },
      EXECMEM_FTRACE: { ...MIPS_MODULE_ALLOC, origin: 'no ftrace trampolines are allocated on mips (no alloc_tramp()); module_alloc() for completeness' },
      EXECMEM_BPF: { ...MIPS_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1; arch/mips/net/bpf_jit_comp.c)' },
      EXECMEM_MODULE_DATA: { ...MIPS_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'With -msym32 the module area is the 32-bit compatible CKSSEG/CKSEG3 window, 0xffffffffc0000000 up to two pages below the fixmap: about 1 GiB, outside vmalloc space (XKSEG, 0xc000000000000000).',
      'MIPS modules are built with -mlong-calls (arch/mips/Makefile), so the distance to the kernel image in CKSEG0 does not matter; there is no fallback range.',
      'PAGE_KERNEL is executable on MIPS; every caller (kprobes, BPF JIT, module text and data) shares module_alloc(), and the BPF JIT does not use bpf_prog_pack.',
      'A 32-bit kernel (mipsel) has no MODULE_START: the generic module_alloc() of kernel/module/main.c (VMALLOC_START..VMALLOC_END, PAGE_KERNEL_EXEC) applies there; not tabled.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'mips',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/mips/mm/init.c (6.12, #ifdef MODULES_VADDR)',
      },
    },
    initMissing: true,
    notes: [
      'MODULE_START/MODULE_END were renamed MODULES_VADDR/MODULES_END; the range is the same as in 6.1.',
      'Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types, MODULE_DATA with PAGE_KERNEL.',
      'On 32-bit MIPS (no MODULES_VADDR) execmem_arch_setup() is not built and mm/execmem.c\'s default, VMALLOC_START..VMALLOC_END with PAGE_KERNEL_EXEC, applies; not tabled.',
    ],
  },
];

export const mips: ArchData = { profile: MIPS64, tables };
