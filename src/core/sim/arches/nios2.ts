/**
 * nios2: profile and range tables. Symbols cite linux-source-6.12 unless
 * they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12.
 *
 * Configuration: Debian ships no nios2 kernel, so this is the arch's own
 * default, 3c120_defconfig (KBUILD_DEFCONFIG in arch/nios2/Makefile): 32-bit,
 * MMU, 4 KiB pages (the only size nios2 offers), the Kconfig default region
 * bases (kernel MMU region 0x80000000, kernel region 0xc0000000),
 * CONFIG_NIOS2_MEM_BASE = 0x10000000 and the 128 MiB of the 3c120 board
 * (arch/nios2/boot/dts/3c120_devboard.dts). nios2 has no SMP, kprobes,
 * ftrace trampolines or BPF JIT.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const NIOS2: ArchProfile = {
  arch: 'nios2',
  name: 'nios2 (3c120_defconfig), 32-bit, MMU, 4 KiB pages, 128 MiB RAM at 0x10000000',
  bits: 32,
  pageSize: 4096,
  // asm-generic/pgtable-nopmd.h folds the PMD: PMD_SIZE = PGDIR_SIZE = 4 MiB.
  pmdSize: 4 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: false,
  cpus: 1,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/nios2/include/asm/page.h:25 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    PMD_SIZE: { value: 'SZ_4M', source: 'arch/nios2/include/asm/pgtable.h:65 (PGDIR_SIZE; PGDIR_SHIFT 22, the PMD is folded by asm-generic/pgtable-nopmd.h)' },
    CONFIG_NIOS2_KERNEL_MMU_REGION_BASE: { value: '0x80000000', source: 'parameter: CONFIG_NIOS2_KERNEL_MMU_REGION_BASE, Kconfig default 0x80000000 (arch/nios2/Kconfig; 3c120_defconfig keeps it)' },
    CONFIG_NIOS2_KERNEL_REGION_BASE: { value: '0xc0000000', source: 'parameter: CONFIG_NIOS2_KERNEL_REGION_BASE, Kconfig default 0xc0000000 (arch/nios2/Kconfig; 3c120_defconfig keeps it)' },
    CONFIG_NIOS2_MEM_BASE: { value: '0x10000000', source: 'parameter: CONFIG_NIOS2_MEM_BASE = 0x10000000 in arch/nios2/configs/3c120_defconfig (Kconfig default 0)' },
    PAGE_OFFSET: { value: 'CONFIG_NIOS2_MEM_BASE + CONFIG_NIOS2_KERNEL_REGION_BASE', source: 'arch/nios2/include/asm/page.h:31' },
    VMALLOC_START: { value: 'CONFIG_NIOS2_KERNEL_MMU_REGION_BASE', source: 'arch/nios2/include/asm/pgtable.h:27' },
    VMALLOC_END: { value: 'CONFIG_NIOS2_KERNEL_REGION_BASE - SZ_32M - 1', source: 'arch/nios2/include/asm/pgtable.h:28' },
    MODULES_VADDR: { value: 'CONFIG_NIOS2_KERNEL_REGION_BASE - SZ_32M', source: 'arch/nios2/include/asm/pgtable.h:30' },
    MODULES_END: { value: 'CONFIG_NIOS2_KERNEL_REGION_BASE - 1', source: 'arch/nios2/include/asm/pgtable.h:31' },
    VMALLOC_END_6_1: { value: 'CONFIG_NIOS2_KERNEL_REGION_BASE - 1', source: 'linux-source-6.1: arch/nios2/include/asm/pgtable.h:28 (VMALLOC_END)' },
    RAM_SIZE: { value: 'SZ_128M', source: 'parameter: RAM of the 3c120 board, memory@0 reg <0x10000000 0x08000000> in arch/nios2/boot/dts/3c120_devboard.dts' },
    KERNEL_SIZE: { value: 'SZ_4M', source: 'parameter: _end - _text of the running image; 4 MiB assumed for a 3c120_defconfig kernel' },
    _text: { value: 'PAGE_OFFSET', source: 'arch/nios2/kernel/vmlinux.lds.S:21 (linked at CONFIG_NIOS2_MEM_BASE | CONFIG_NIOS2_KERNEL_REGION_BASE, line 19)' },
    _end: { value: '_text + KERNEL_SIZE', source: 'parameter: _text + KERNEL_SIZE' },
    high_memory: { value: 'PAGE_OFFSET + RAM_SIZE', source: 'parameter: end of lowmem, __va(memory_end) with memory_end = memblock_end_of_DRAM() (arch/nios2/kernel/setup.c); all RAM is lowmem on nios2' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

/** 6.1's kmalloc(): memory of the linear (kernel) region, drawn as a range over lowmem. */
const NIOS2_KMALLOC: RangeSpec = {
  start: 'PAGE_OFFSET',
  end: 'high_memory',
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  origin: 'module_alloc() → kmalloc(size, GFP_KERNEL), arch/nios2/kernel/module.c (6.1); modelled as the lowmem window kmalloc draws from',
};

const tables: VariantTable[] = [
  {
    variant: 'module_alloc',
    arch: 'nios2',
    ranges: {
      EXECMEM_DEFAULT: NIOS2_KMALLOC,
      EXECMEM_KPROBES: { ...NIOS2_KMALLOC, origin: 'nios2 has no kprobes (no HAVE_KPROBES); kernel/kprobes.c would call module_alloc(PAGE_SIZE), i.e. kmalloc' },
      EXECMEM_FTRACE: { ...NIOS2_KMALLOC, origin: 'nios2 has no ftrace trampolines (no HAVE_FUNCTION_TRACER); module_alloc() for completeness' },
      EXECMEM_BPF: { ...NIOS2_KMALLOC, origin: 'nios2 has no BPF JIT (no arch/nios2/net); bpf_jit_alloc_exec() would call module_alloc(), i.e. kmalloc (kernel/bpf/core.c)' },
      EXECMEM_MODULE_DATA: { ...NIOS2_KMALLOC, origin: 'module data is module_alloc()ed too in 6.1 (kernel/module/main.c, move_module())' },
    },
    initMissing: false,
    reserved: [{ start: '_text', end: '_end', what: 'kernel image (linked at PAGE_OFFSET, arch/nios2/kernel/vmlinux.lds.S)' }],
    notes: [
      'NOT a vmalloc range: 6.1 nios2 module_alloc() is kmalloc(size, GFP_KERNEL) (freed with kfree() in its module_memfree()), because CALL26/PCREL26 relocations cannot reach the kernel region (0xc0000000+) from vmalloc space (0x80000000+).',
      'The simulator can only place page-granular vmalloc-style areas, so this table draws kmalloc as a range over lowmem, [PAGE_OFFSET, high_memory) = 0xd0000000-0xd8000000 (all 128 MiB of RAM), with the kernel image reserved at its start. Only the address window is faithful.',
      'Not modelled: kmalloc memory is physically contiguous and shares lowmem with page tables, slab, page cache and user pages; small sizes come from slab caches (up to 8 KiB with SLUB; rounded to a power of two, sub-page, no page alignment), larger ones from the page allocator (rounded up to 2^order pages, naturally aligned); there are no guard pages and no lazy vunmap purging; failure comes from physical fragmentation, not from running out of addresses.',
      'The kernel region bypasses the MMU (no page tables, always readable, writable and executable), so no set_memory_*() protections apply; PAGE_KERNEL (which includes _PAGE_EXEC on nios2) stands for that.',
      'nios2 has no kprobes, ftrace trampolines or BPF JIT; those types are given the module_alloc() range only so that the standard workloads run.',
    ],
  },
  {
    variant: 'execmem',
    arch: 'nios2',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END',
        pgprot: 'PAGE_KERNEL_EXEC',
        alignment: '1',
        origin: 'execmem_arch_setup(), arch/nios2/mm/init.c (6.12)',
      },
    },
    initMissing: true,
    notes: [
      '"nios2: define virtual address space for modules" (execmem series, 6.10) carved a 32 MiB module area just below the kernel region out of vmalloc space, 0xbe000000-0xbfffffff, and switched modules from kmalloc to vmalloc.',
      'MODULES_END is CONFIG_NIOS2_KERNEL_REGION_BASE - 1, so the last page of the area is never usable (end is exclusive): 32 MiB less one page.',
      'apply_relocate_add() (arch/nios2/kernel/module.c) accepts R_NIOS2_CALL26 only when target and call site share the top 4 address bits; relocations are not simulated.',
      'Only EXECMEM_DEFAULT is set; execmem_init_missing() copies it to the other types, MODULE_DATA with PAGE_KERNEL. nios2 has no kprobes, ftrace trampolines or BPF JIT, so in practice only module text and data use it.',
      'nios2 is uniprocessor: one CPU, so lazy_max_pages() is fls(1) * 32 MiB of pages.',
    ],
  },
];

export const nios2: ArchData = { profile: NIOS2, tables };
