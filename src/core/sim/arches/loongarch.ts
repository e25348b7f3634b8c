/**
 * loongarch (loongarch64): profile and range tables. Symbols cite
 * linux-source-6.12 unless they say 6.1; module_alloc is Linux 6.1, execmem
 * 6.10-6.12.
 *
 * Configuration: the Kconfig default for 64-bit, 16 KiB pages with 3-level
 * page tables (16KB_3LEVEL), on a CPU with 48-bit virtual addresses
 * (Loongson 3A5000/3A6000: CPUCFG1.VALEN field = 47). The module area starts
 * just above the PCI I/O window at the bottom of the mapped kernel space
 * (vm_map_base); the kernel image itself runs in a direct-mapped window
 * (DMW), far from it.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const LOONGARCH64: ArchProfile = {
  arch: 'loongarch',
  name: 'loongarch64, 16 KiB pages, 3-level page tables, 48-bit VA, no KASAN',
  bits: 64,
  pageSize: 16384,
  pmdSize: 32 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  // The module loader emits PLT entries for far calls (arch/loongarch/kernel/module-sections.c); there is no fallback range.
  plts: true,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '16384', source: 'arch/loongarch/include/asm/page.h:15 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 14, CONFIG_16KB_3LEVEL)' },
    PMD_SIZE: { value: 'SZ_32M', source: 'arch/loongarch/include/asm/pgtable.h:29 (PMD_SHIFT = PAGE_SHIFT + PAGE_SHIFT - 3 = 25, CONFIG_PGTABLE_LEVELS == 3)' },
    cpu_vabits: { value: '47', source: 'parameter: cpu_data[0].vabits, the CPUCFG1.VALEN field (virtual address bits - 1) read in cpu_probe_addrbits(); 47 on a 48-bit-VA Loongson 3A5000/3A6000' },
    vm_map_base: { value: '-(1 << cpu_vabits)', source: 'arch/loongarch/kernel/cpu-probe.c:71' },
    PCI_IOSIZE: { value: 'SZ_32M', source: 'arch/loongarch/include/asm/addrspace.h:129' },
    MODULES_VADDR: { value: 'vm_map_base + PCI_IOSIZE + 2 * PAGE_SIZE', source: 'arch/loongarch/include/asm/pgtable.h:82' },
    MODULES_END: { value: 'MODULES_VADDR + SZ_2G', source: 'arch/loongarch/include/asm/pgtable.h:83' },
    MODULES_TEXT_START: { value: 'MODULES_VADDR', source: 'arch/loongarch/mm/init.c:250' },
    MODULES_TEXT_END: { value: 'MODULES_VADDR + SZ_256M', source: 'arch/loongarch/mm/init.c:251' },
    MODULES_DATA_START: { value: 'MODULES_VADDR + SZ_256M', source: 'arch/loongarch/mm/init.c:252' },
    MODULES_DATA_END: { value: 'MODULES_END', source: 'arch/loongarch/mm/init.c:253' },
    MODULES_END_6_1: { value: 'MODULES_VADDR + SZ_256M', source: 'linux-source-6.1: arch/loongarch/include/asm/pgtable.h:84 (MODULES_END)' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const LOONGARCH_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR',
  end: 'MODULES_END_6_1',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc(), arch/loongarch/kernel/module.c:454 (6.1)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'loongarch',
    ranges: {
      EXECMEM_DEFAULT: LOONGARCH_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...LOONGARCH_MODULE_ALLOC, origin: 'no kprobes on loongarch in 6.1 (no HAVE_KPROBES); the generic alloc_insn_page() → module_alloc(PAGE_SIZE), kernel/kprobes.c:121 (6.1), for completeness' },
      EXECMEM_FTRACE: { ...LOONGARCH_MODULE_ALLOC, origin: 'no ftrace on loongarch in 6.1 (no HAVE_FUNCTION_TRACER); module_alloc() for completeness' },
      EXECMEM_BPF: { ...LOONGARCH_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c:1079 (6.1)' },
      EXECMEM_MODULE_DATA: { ...LOONGARCH_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'One 256 MiB module area, [vm_map_base + PCI_IOSIZE + 2 pages, + 256 MiB), shared by module text, module data and BPF; vmalloc starts right above it (VMALLOC_START = MODULES_END).',
      'The loongarch BPF JIT uses bpf_jit_binary_alloc() (arch/loongarch/net/bpf_jit.c:1095): one area per program, no bpf_prog_pack.',
      'kprobes and ftrace were not yet supported on loongarch in 6.1; their rows show where the generic fallbacks would have allocated.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'loongarch',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_TEXT_START',
        end: 'MODULES_TEXT_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), [EXECMEM_MODULE_TEXT], arch/loongarch/mm/init.c:257 (6.12)',
      },
      EXECMEM_MODULE_DATA: {
        start: 'MODULES_DATA_START',
        end: 'MODULES_DATA_END',
        pgprot: 'PAGE_KERNEL',
        alignment: '1',
        origin: 'execmem_arch_setup(), [EXECMEM_MODULE_DATA], arch/loongarch/mm/init.c:257 (6.12)',
      },
    },
    initMissing: true,
    notes: [
      'The module area grew to 2 GiB (MODULES_END = MODULES_VADDR + SZ_2G): the first 256 MiB for text, the rest for data.',
      'EXECMEM_MODULE_TEXT is EXECMEM_DEFAULT; execmem_init_missing() gives kprobes (generic alloc_insn_page(), kernel/kprobes.c:121), ftrace and BPF the text range.',
      'ftrace trampolines live in each module\'s .ftrace_trampoline section (arch/loongarch/kernel/module.c), so EXECMEM_FTRACE is not used by loongarch itself.',
      'The loongarch BPF JIT still uses bpf_jit_binary_alloc() (arch/loongarch/net/bpf_jit.c:1270): no bpf_prog_pack.',
      'KASLR (CONFIG_RANDOMIZE_BASE) moves the kernel image within its direct-mapped window and leaves the module area where it is.',
    ],
  },
];

export const loongarch: ArchData = { profile: LOONGARCH64, tables };
