/**
 * parisc: profile and range tables for the 64-bit kernel (Debian hppa's
 * parisc64 flavour, generic-64bit_defconfig). Symbols cite linux-source-6.12
 * unless they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12. The
 * vmalloc bounds (fixmap.h, mm/init.c) are the same in 6.1 and 6.12.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const PARISC64: ArchProfile = {
  arch: 'parisc',
  name: 'parisc64 (Debian hppa 64-bit kernel flavour), PA8x00, 4 KiB pages, 3-level page tables, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 4,
  symbols: {
    PAGE_SHIFT: { value: '12', source: 'arch/parisc/include/asm/page.h:7 (CONFIG_PAGE_SHIFT = 12, PARISC_PAGE_SIZE_4KB, the Kconfig default)' },
    PAGE_SIZE: { value: '1 << PAGE_SHIFT', source: 'arch/parisc/include/asm/page.h:8' },
    BITS_PER_PTE_ENTRY: { value: '3', source: 'arch/parisc/include/asm/page.h:104 (CONFIG_64BIT: 8-byte PTEs)' },
    BITS_PER_PTE: { value: 'PAGE_SHIFT - BITS_PER_PTE_ENTRY', source: 'arch/parisc/include/asm/pgtable.h:107' },
    PMD_SHIFT: { value: 'PAGE_SHIFT + BITS_PER_PTE', source: 'arch/parisc/include/asm/pgtable.h:112 (PLD_SHIFT = PAGE_SHIFT; CONFIG_PGTABLE_LEVELS == 3 for 64BIT with 4 KiB pages)' },
    PMD_SIZE: { value: '1 << PMD_SHIFT', source: 'arch/parisc/include/asm/pgtable.h:113' },
    __PAGE_OFFSET: { value: '0x40000000', source: 'arch/parisc/include/asm/page.h:122 (__PAGE_OFFSET_DEFAULT, 1 GiB with CONFIG_64BIT)' },
    GATEWAY_PAGE_SIZE: { value: '0x4000', source: 'arch/parisc/include/asm/page.h:136' },
    TMPALIAS_SIZE_BITS: { value: '22', source: 'arch/parisc/include/asm/fixmap.h:31' },
    TMPALIAS_MAP_START: { value: '__PAGE_OFFSET - (2 << TMPALIAS_SIZE_BITS)', source: 'arch/parisc/include/asm/fixmap.h:32' },
    FIX_BITMAP_COUNT: { value: '2', source: 'arch/parisc/include/asm/fixmap.h:49 (enum fixed_addresses: FIX_TEXT_POKE0, FIX_TEXT_KEXEC)' },
    FIXMAP_SIZE: { value: 'FIX_BITMAP_COUNT << PAGE_SHIFT', source: 'arch/parisc/include/asm/fixmap.h:34' },
    FIXMAP_START: { value: 'TMPALIAS_MAP_START - FIXMAP_SIZE', source: 'arch/parisc/include/asm/fixmap.h:35' },
    KERNEL_MAP_START: { value: 'GATEWAY_PAGE_SIZE', source: 'arch/parisc/include/asm/fixmap.h:39' },
    KERNEL_MAP_END: { value: 'FIXMAP_START', source: 'arch/parisc/include/asm/fixmap.h:40' },
    VM_MAP_OFFSET: { value: '32 * 1024', source: 'arch/parisc/mm/init.c:528' },
    VMALLOC_START: {
      value: '(KERNEL_MAP_START + VM_MAP_OFFSET) / VM_MAP_OFFSET * VM_MAP_OFFSET',
      source: 'arch/parisc/mm/init.c:580 (parisc_vmalloc_start = SET_MAP_OFFSET(MAP_START), MAP_START = KERNEL_MAP_START; the & ~(VM_MAP_OFFSET-1) written as / * ; VMALLOC_START is parisc_vmalloc_start, fixmap.h:54)',
    },
    VMALLOC_END: { value: 'KERNEL_MAP_END', source: 'arch/parisc/include/asm/fixmap.h:55' },
    KERNEL_BINARY_TEXT_START: { value: '__PAGE_OFFSET + 0x100000', source: 'arch/parisc/include/asm/page.h:141' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const PARISC_MODULE_ALLOC: RangeSpec = {
  start: 'VMALLOC_START',
  end: 'VMALLOC_END',
  pgprot: 'PAGE_KERNEL_RWX',
  alignment: '1',
  origin: 'module_alloc() → __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, PAGE_KERNEL_RWX), arch/parisc/kernel/module.c:195 (6.1)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'parisc',
    ranges: {
      EXECMEM_DEFAULT: PARISC_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...PARISC_MODULE_ALLOC, origin: 'get_insn_slot() → alloc_insn_page() → module_alloc(PAGE_SIZE), kernel/kprobes.c:113 (6.1; arch/parisc/kernel/kprobes.c has no override)' },
      EXECMEM_FTRACE: { ...PARISC_MODULE_ALLOC, origin: 'no dynamic ftrace trampoline allocation on parisc; module_alloc() for completeness' },
      EXECMEM_BPF: { ...PARISC_MODULE_ALLOC, origin: 'bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1); unused in practice: parisc has no BPF JIT before 6.7' },
      EXECMEM_MODULE_DATA: { ...PARISC_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'Everything is mapped PAGE_KERNEL_RWX ("using RWX means less protection for modules, but it\'s easier than trying to map the text, data, init_text and init_data correctly").',
      'The 64-bit vmalloc space lies below the kernel: [SET_MAP_OFFSET(GATEWAY_PAGE_SIZE), FIXMAP_START) = [0x8000, 0x3f7fe000), about 1016 MiB under __PAGE_OFFSET (1 GiB), where the image is (KERNEL_BINARY_TEXT_START); the image is outside the range.',
      'Linux 6.1 has no parisc eBPF JIT (arch/parisc/net arrived in 6.7), so EXECMEM_BPF is only the generic path; BPF programs run in the interpreter.',
      'The 32-bit flavour (Debian "parisc") has __PAGE_OFFSET = 0x10000000, so vmalloc is about 247 MiB, and on PCXL CPUs (PA7100LC/PA7300LC, CONFIG_PA11) an 8 MiB DMA map comes first (PCXL_DMA_MAP_SIZE); not this profile.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'parisc',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'VMALLOC_START',
        end: 'VMALLOC_END',
        pgprot: 'PAGE_KERNEL_RWX',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/parisc/mm/init.c:1006 (6.12)',
      },
    },
    initMissing: true,
    bpfProgPack: false,
    notes: [
      'Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types (MODULE_DATA with PAGE_KERNEL, so module data is no longer RWX).',
      'The 6.12 BPF JIT (arch/parisc/net/bpf_jit_core.c:115) uses bpf_jit_binary_alloc(): one allocation per program, no bpf_prog_pack.',
    ],
  },
];

export const parisc: ArchData = { profile: PARISC64, tables };
