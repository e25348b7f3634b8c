/**
 * s390 (s390x): profile and range tables. Symbols cite linux-source-6.12
 * unless they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12.
 *
 * MODULES_VADDR and MODULES_END are no header constants on s390: the
 * decompressor computes them at boot (setup_kernel_memory_layout(),
 * arch/s390/boot/startup.c, a file the extracted trees do not hold) and
 * hands them to the kernel as __bootdata_preserved variables. They are
 * parameters here, derived step by step as that function does for a
 * KASAN-less kernel with KASLR off, default vmalloc size, not a
 * protected-virtualization host, and memory small enough for the 3-level
 * (4 TiB, _REGION2_SIZE) kernel address space.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const S390X: ArchProfile = {
  arch: 's390',
  name: 's390x, 3-level kernel address space (4 TiB), 4 KiB pages, KASLR off, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 1024 * 1024,
  kasan: false,
  kaslr: false,
  // The module loader builds PLT entries (PLT_ENTRY_SIZE, arch/s390/kernel/module.c); there is no fallback range.
  plts: true,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/s390/include/asm/page.h:20 (_PAGE_SIZE, _PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    _SEGMENT_SIZE: { value: '1 << 20', source: 'arch/s390/include/asm/pgtable.h:346 (_SEGMENT_SHIFT 20)' },
    PMD_SIZE: { value: '_SEGMENT_SIZE', source: 'arch/s390/include/asm/pgtable.h:358' },
    _REGION2_SIZE: { value: '1 << 42', source: 'arch/s390/include/asm/pgtable.h:344 (_REGION2_SHIFT 42)' },
    MODULES_LEN: { value: '1 << 31', source: 'arch/s390/include/asm/pgtable.h:98' },
    KERNEL_IMAGE_SIZE: { value: 'SZ_512M', source: 'arch/s390/include/asm/page.h:279' },
    __NO_KASLR_START_KERNEL: { value: '0x3FFE0000000', source: 'arch/s390/include/asm/page.h:280 (CONFIG_KERNEL_IMAGE_BASE, its Kconfig default 0x3FFE0000000 without KASAN)' },
    __NO_KASLR_END_KERNEL: { value: '__NO_KASLR_START_KERNEL + KERNEL_IMAGE_SIZE', source: 'arch/s390/include/asm/page.h:281' },
    kernel_start: {
      value: '__NO_KASLR_START_KERNEL',
      source: 'parameter: where setup_kernel_memory_layout() (6.12 arch/s390/boot/startup.c) puts the image with KASLR off: vmax = _REGION2_SIZE is not below __NO_KASLR_END_KERNEL, so kernel_start = __NO_KASLR_START_KERNEL',
    },
    MODULES_END: { value: 'kernel_start / _SEGMENT_SIZE * _SEGMENT_SIZE', source: 'parameter: computed at boot by setup_kernel_memory_layout() (6.12): round_down(kernel_start, _SEGMENT_SIZE)' },
    MODULES_VADDR: { value: 'MODULES_END - MODULES_LEN', source: 'parameter: computed at boot by setup_kernel_memory_layout() (6.12): MODULES_END - MODULES_LEN' },
    NR_CPUS: { value: '64', source: 'parameter: CONFIG_NR_CPUS, the arch/s390/Kconfig default 64 assumed (it moves the 6.1 module area by at most a few MiB)' },
    LOWCORE_SIZE: { value: '8192', source: 'linux-source-6.1: arch/s390/include/asm/lowcore.h:213 (__aligned(8192): sizeof(struct lowcore), the struct ends at 0x2000)' },
    ABS_LOWCORE_MAP_SIZE_6_1: { value: 'NR_CPUS * LOWCORE_SIZE', source: 'linux-source-6.1: arch/s390/include/asm/abs_lowcore.h:7 (ABS_LOWCORE_MAP_SIZE)' },
    vmax_6_1: {
      value: '_REGION2_SIZE',
      source: 'parameter: vmax in setup_kernel_memory_layout() (6.1 arch/s390/boot/startup.c): _REGION2_SIZE without KASAN while identity map + vmemmap + vmalloc (512 GiB default) + modules fit in 4 TiB; adjust_to_uv_max() only lowers it on a protected-virtualization host',
    },
    __memcpy_real_area_6_1: { value: 'vmax_6_1 - PAGE_SIZE', source: 'parameter: round_down(vmax - PAGE_SIZE, PAGE_SIZE), setup_kernel_memory_layout() (6.1)' },
    __abs_lowcore_6_1: {
      value: '(__memcpy_real_area_6_1 - ABS_LOWCORE_MAP_SIZE_6_1) / LOWCORE_SIZE * LOWCORE_SIZE',
      source: 'parameter: round_down(__memcpy_real_area - ABS_LOWCORE_MAP_SIZE, sizeof(struct lowcore)), setup_kernel_memory_layout() (6.1)',
    },
    MODULES_END_6_1: { value: '__abs_lowcore_6_1 / _SEGMENT_SIZE * _SEGMENT_SIZE', source: 'parameter: computed at boot by setup_kernel_memory_layout() (6.1): round_down(__abs_lowcore, _SEGMENT_SIZE)' },
    MODULES_VADDR_6_1: { value: 'MODULES_END_6_1 - MODULES_LEN', source: 'parameter: computed at boot by setup_kernel_memory_layout() (6.1): MODULES_END - MODULES_LEN' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

const S390_MODULE_ALLOC: RangeSpec = {
  start: 'MODULES_VADDR_6_1',
  end: 'MODULES_END_6_1',
  pgprot: 'PAGE_KERNEL_EXEC',
  alignment: 'MODULE_ALIGN',
  flags: ['EXECMEM_KASAN_SHADOW'],
  origin: 'module_alloc(), arch/s390/kernel/module.c:38 (6.1)',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 's390',
    ranges: {
      EXECMEM_DEFAULT: S390_MODULE_ALLOC,
      EXECMEM_KPROBES: { ...S390_MODULE_ALLOC, origin: 'alloc_insn_page() → module_alloc(PAGE_SIZE), then RO+X, arch/s390/kernel/kprobes.c:38 (6.1)' },
      EXECMEM_FTRACE: {
        ...S390_MODULE_ALLOC,
        origin: 'module_alloc_ftrace_hotpatch_trampolines() → module_alloc(), arch/s390/kernel/module.c:489, and ftrace_plt_init() → module_alloc(PAGE_SIZE), arch/s390/kernel/ftrace.c:243 (6.1)',
      },
      EXECMEM_BPF: { ...S390_MODULE_ALLOC, origin: 'bpf_jit_binary_alloc() → bpf_jit_alloc_exec() → module_alloc(size), kernel/bpf/core.c:1079 (6.1)' },
      EXECMEM_MODULE_DATA: { ...S390_MODULE_ALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    notes: [
      'Every caller shares module_alloc(): the 2 GiB module area at the top of the 3-level kernel address space, just below the absolute-lowcore and memcpy_real areas; inter-module branches stay within 2 GiB.',
      'module_alloc() maps PAGE_KERNEL_EXEC (text is set RO afterwards) and allocates KASAN module shadow; VM_DEFER_KMEMLEAK.',
      '6.1 has no module base randomisation on s390: KASLR only moves the kernel image, which runs in the identity mapping below the module area.',
      'The s390 BPF JIT uses bpf_jit_binary_alloc() (arch/s390/net/bpf_jit_comp.c:1758): one area per program, no bpf_prog_pack.',
      'MODULES_END depends on NR_CPUS (ABS_LOWCORE_MAP_SIZE = NR_CPUS * 8 KiB): 4 TiB - 1 MiB with the default 64.',
    ],
  },
  {
    variant: 'execmem',
    arch: 's390',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR + module_load_offset',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL',
        alignment: 'MODULE_ALIGN',
        flags: ['EXECMEM_KASAN_SHADOW'],
        origin: 'execmem_arch_setup(), arch/s390/mm/init.c:307 (6.12)',
      },
    },
    initMissing: true,
    notes: [
      'Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to kprobes (alloc_insn_page(), arch/s390/kernel/kprobes.c:39), ftrace hotpatch trampolines (arch/s390/kernel/module.c:477), BPF and module data (PAGE_KERNEL).',
      'With KASLR, module_load_offset = get_random_u32_inclusive(1, 1024) * PAGE_SIZE as on x86 (arch/s390/mm/init.c:313); KASLR also moves kernel_start, and MODULES_END with it, which is not modelled.',
      'Unlike 6.1 (image in the identity mapping), the 6.12 kernel image has its own virtual address near the top of the 4 TiB space (CONFIG_KERNEL_IMAGE_BASE) and the module area sits directly below it; the image is not inside the range.',
      'The s390 BPF JIT still uses bpf_jit_binary_alloc() (arch/s390/net/bpf_jit_comp.c:2289): no bpf_prog_pack.',
    ],
  },
];

export const s390: ArchData = { profile: S390X, tables };
