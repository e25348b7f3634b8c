/**
 * sparc: profile and range tables for sparc64 (Debian's sparc64 port; Debian
 * builds no 32-bit sparc kernel). Symbols cite linux-source-6.12 unless they
 * say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12. The module area
 * (pgtable_64.h:40-42) is the same in 6.1 and 6.12.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const SPARC64: ArchProfile = {
  arch: 'sparc',
  name: 'sparc64 (Debian sparc64), 8 KiB pages, no KASAN',
  bits: 64,
  pageSize: 8192,
  pmdSize: 8 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 4,
  symbols: {
    PAGE_SHIFT: { value: '13', source: 'arch/sparc/include/asm/page_64.h:7 (CONFIG_PAGE_SHIFT = 13: sparc64 offers only HAVE_PAGE_SIZE_8KB)' },
    PAGE_SIZE: { value: '1 << PAGE_SHIFT', source: 'arch/sparc/include/asm/page_64.h:8' },
    PMD_SHIFT: { value: 'PAGE_SHIFT + (PAGE_SHIFT - 3)', source: 'arch/sparc/include/asm/pgtable_64.h:51' },
    PMD_SIZE: { value: '1 << PMD_SHIFT', source: 'arch/sparc/include/asm/pgtable_64.h:52' },
    KERNBASE: { value: '0x400000', source: 'arch/sparc/include/asm/head_64.h:15' },
    MODULES_VADDR: { value: '0x0000000010000000', source: 'arch/sparc/include/asm/pgtable_64.h:40' },
    MODULES_LEN: { value: '0x00000000e0000000', source: 'arch/sparc/include/asm/pgtable_64.h:41' },
    MODULES_END: { value: '0x00000000f0000000', source: 'arch/sparc/include/asm/pgtable_64.h:42' },
    LOW_OBP_ADDRESS: { value: '0x00000000f0000000', source: 'arch/sparc/include/asm/pgtable_64.h:43' },
    VMALLOC_START: { value: '0x0000000100000000', source: 'arch/sparc/include/asm/pgtable_64.h:45' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const SPARC64_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR',
  end: 'MODULES_END',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc() → module_map() → __vmalloc_node_range(size, 1, MODULES_VADDR, MODULES_END, PAGE_KERNEL), arch/sparc/kernel/module.c:28 (6.1, CONFIG_SPARC64)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'sparc',
    ranges: {
      EXECMEM_DEFAULT: SPARC64_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...SPARC64_MODULE_ALLOC, origin: 'generic alloc_insn_page() → module_alloc(PAGE_SIZE), kernel/kprobes.c:113 (6.1); unused in practice: sparc64 kprobes keep the copied instruction in kprobe->ainsn.insn[] (arch/sparc/kernel/kprobes.c), no insn slots' },
      EXECMEM_FTRACE: { ...SPARC64_MODULE_ALLOC, origin: 'no dynamic ftrace trampoline allocation on sparc64; module_alloc() for completeness' },
      EXECMEM_BPF: { ...SPARC64_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c (6.1; arch/sparc/net/bpf_jit_comp_64.c:1570)' },
      EXECMEM_MODULE_DATA: { ...SPARC64_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'sparc64 has a dedicated 3.5 GiB module area in the low 4 GiB, [0x10000000, 0xf0000000), so that modules are reachable with 32-bit absolute (sethi/or) and call relocations; the kernel image (KERNBASE = 0x400000) lies below it, OBP firmware above it (LOW_OBP_ADDRESS), vmalloc at 4 GiB and up.',
      'module_map() returns NULL when PAGE_ALIGN(size) > MODULES_LEN before calling vmalloc; the range bound gives the same result here.',
      'module_alloc() zeroes the area (memset) after mapping; no effect on placement.',
      'The module memory is mapped PAGE_KERNEL: sparc64 has no STRICT_MODULE_RWX, and its PAGE_KERNEL includes _PAGE_EXEC_4U/_PAGE_EXEC_4V (arch/sparc/mm/init_64.c:2674, :2727), so module memory is in fact writable and executable.',
      'sparc32 (not Debian) used vmalloc() for modules and module_alloc() directly in its cBPF JIT (arch/sparc/net/bpf_jit_comp_32.c:739).',
    ],
  },
  {
    variant: 'execmem',
    arch: 'sparc',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/sparc/mm/execmem.c:7 (6.12)',
      },
    },
    initMissing: true,
    bpfProgPack: false,
    notes: [
      'Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types, MODULE_DATA with PAGE_KERNEL: same range and pgprot as 6.1 for all types.',
      'The sparc64 eBPF JIT uses bpf_jit_binary_alloc() (arch/sparc/net/bpf_jit_comp_64.c:1570): one allocation per program, no bpf_prog_pack.',
      'The same execmem.c serves sparc32, where MODULES_VADDR/MODULES_END are VMALLOC_START/VMALLOC_END (pgtable_32.h:435); not this profile.',
    ],
  },
];

export const sparc: ArchData = { profile: SPARC64, tables };
