/**
 * arm64: profile and range tables. Symbols cite linux-source-6.12 unless
 * they say 6.1; module_alloc is Linux 6.1, execmem 6.10-6.12.
 */
import type { ArchData, ArchProfile, RangeSpec, VariantTable } from '../archData';

const ARM64: ArchProfile = {
  arch: 'arm64',
  name: 'arm64, 48-bit VA, 4 KiB pages, module PLTs, no KASAN',
  bits: 64,
  pageSize: 4096,
  pmdSize: 2 * 1024 * 1024,
  kasan: false,
  kaslr: false,
  plts: true,
  cpus: 4,
  symbols: {
    PAGE_SIZE: { value: '4096', source: 'arch/arm64/include/asm/page-def.h:14 (PAGE_SHIFT = CONFIG_PAGE_SHIFT = 12)' },
    PMD_SIZE: { value: 'SZ_2M', source: 'arch/arm64/include/asm/pgtable-hwdef.h:49 (PMD_SHIFT, 21 with 4 KiB pages)' },
    VA_BITS: { value: '48', source: 'arch/arm64/include/asm/memory.h:43 (CONFIG_ARM64_VA_BITS = 48)' },
    VA_BITS_MIN: { value: 'VA_BITS', source: 'arch/arm64/include/asm/memory.h:63' },
    _PAGE_END: { value: '-(1 << (VA_BITS_MIN - 1))', source: 'arch/arm64/include/asm/memory.h:66' },
    PAGE_OFFSET: { value: '-(1 << VA_BITS)', source: 'arch/arm64/include/asm/memory.h:45 (_PAGE_OFFSET)' },
    MODULES_VADDR: { value: '_PAGE_END', source: 'arch/arm64/include/asm/memory.h:48' },
    MODULES_VSIZE: { value: 'SZ_2G', source: 'arch/arm64/include/asm/memory.h:49' },
    MODULES_END: { value: 'MODULES_VADDR + MODULES_VSIZE', source: 'arch/arm64/include/asm/memory.h:47' },
    KIMAGE_VADDR: { value: 'MODULES_END', source: 'arch/arm64/include/asm/memory.h:46' },
    VMEMMAP_END: { value: '-SZ_1G', source: 'arch/arm64/include/asm/memory.h:51' },
    VMEMMAP_SIZE: { value: '(_PAGE_END - PAGE_OFFSET) / PAGE_SIZE * 64', source: 'arch/arm64/include/asm/memory.h:34 (VMEMMAP_RANGE, sizeof(struct page) = 64)' },
    VMEMMAP_START: { value: 'VMEMMAP_END - VMEMMAP_SIZE', source: 'arch/arm64/include/asm/memory.h:50' },
    VMALLOC_START: { value: 'MODULES_END', source: 'arch/arm64/include/asm/pgtable.h:23' },
    VMALLOC_END: { value: 'VMEMMAP_START - SZ_8M', source: 'arch/arm64/include/asm/pgtable.h:25 (VA_BITS == VA_BITS_MIN)' },
    KERNEL_SIZE: { value: 'SZ_32M + SZ_8M', source: 'parameter: _end - _text of the running image; 40 MiB assumed for a distribution arm64 kernel' },
    KERNEL_TEXT_SIZE: { value: 'SZ_16M', source: 'parameter: _etext - _text; 16 MiB assumed' },
    _text: { value: 'KIMAGE_VADDR', source: 'parameter: without KASLR the image runs where it is linked, KIMAGE_VADDR' },
    _end: { value: '_text + KERNEL_SIZE', source: 'parameter: _text + KERNEL_SIZE' },
    module_direct_base: { value: '_end - SZ_128M', source: 'arch/arm64/mm/init.c:497 (module_init_limits, KASLR off)' },
    module_plt_base: { value: '_end - SZ_2G', source: 'arch/arm64/mm/init.c:499 (module_init_limits, KASLR off)' },
    MODULES_VSIZE_6_1: { value: 'SZ_128M', source: 'linux-source-6.1: arch/arm64/include/asm/memory.h:49 (MODULES_VSIZE)' },
    MODULES_END_6_1: { value: 'MODULES_VADDR + MODULES_VSIZE_6_1', source: 'linux-source-6.1: arch/arm64/include/asm/memory.h:47 (MODULES_END)' },
    KIMAGE_VADDR_6_1: { value: 'MODULES_END_6_1', source: 'linux-source-6.1: arch/arm64/include/asm/memory.h:46 (KIMAGE_VADDR)' },
    VMEMMAP_START_6_1: { value: '-(1 << (VA_BITS - 6))', source: 'linux-source-6.1: arch/arm64/include/asm/memory.h:50 (VMEMMAP_START, VMEMMAP_SHIFT = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT = 6)' },
    VMALLOC_START_6_1: { value: 'MODULES_END_6_1', source: 'linux-source-6.1: arch/arm64/include/asm/pgtable.h:24 (VMALLOC_START)' },
    VMALLOC_END_6_1: { value: 'VMEMMAP_START_6_1 - SZ_256M', source: 'linux-source-6.1: arch/arm64/include/asm/pgtable.h:25 (VMALLOC_END)' },
    _etext_6_1: { value: 'KIMAGE_VADDR_6_1 + KERNEL_TEXT_SIZE', source: 'parameter: _text + KERNEL_TEXT_SIZE, the 6.1 image at its KIMAGE_VADDR' },
    module_alloc_base_6_1: { value: '_etext_6_1 - MODULES_VSIZE_6_1', source: 'linux-source-6.1: arch/arm64/kernel/kaslr.c:37 (module_alloc_base)' },
    MODULE_ALIGN: { value: 'PAGE_SIZE', source: 'include/linux/execmem.h:14 (no generic/sw-tags KASAN)' },
  },
};

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

const tables: VariantTable[] = [
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
  {
    variant: 'jitalloc-v1',
    arch: 'arm64',
    ranges: {
      EXECMEM_DEFAULT: { ...ARM64_MODULE_ALLOC, origin: 'jit_alloc_arch_params(): .text = module_alloc_base .. + MODULES_VSIZE, fallback + SZ_2G with PLTs ([PATCH 04/13] mm: jit/text allocator v1, on a 6.4-rc base whose arm64 module layout is 6.1\'s)' },
      EXECMEM_KPROBES: {
        start: 'VMALLOC_START_6_1',
        end: 'VMALLOC_END_6_1',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: '1',
        origin: 'alloc_insn_page() stays __vmalloc_node_range(VMALLOC_START, VMALLOC_END, PAGE_KERNEL_ROX): v1 does not convert it',
      },
      EXECMEM_FTRACE: { ...ARM64_MODULE_ALLOC, origin: 'no dynamic ftrace trampolines on arm64; jit_text_alloc() for completeness' },
      EXECMEM_BPF: { start: 'VMALLOC_START_6_1', end: 'VMALLOC_END_6_1', pgprot: 'PAGE_KERNEL', alignment: '1', origin: 'bpf_jit_alloc_exec() stays vmalloc(size) in v1' },
      EXECMEM_MODULE_DATA: { ...ARM64_MODULE_ALLOC, origin: 'jit_data_alloc(): .data unset, copied from .text with PAGE_KERNEL ([PATCH 06/13] v1)' },
    },
    initMissing: false,
    reserved: [{ start: 'KIMAGE_VADDR_6_1', end: 'KIMAGE_VADDR_6_1 + KERNEL_SIZE', what: 'kernel image (vmlinux segments registered at boot, arch/arm64/mm/mmu.c)' }],
    notes: ['The 6.1 symbols stand in for the 6.4-rc kernel v1 was based on.'],
  },
  {
    variant: 'execmem-split',
    arch: 'arm64',
    ranges: {
      EXECMEM_DEFAULT: {
        start: 'MODULES_VADDR',
        end: 'MODULES_END_6_1',
        // The sketch writes ".fallback_start = VMALLOC_START, .fallback_start = VMALLOC_END": the later
        // initializer wins and .fallback_end stays 0, which the findings report.
        fallback_start: 'VMALLOC_END_6_1',
        pgprot: 'PAGE_KERNEL_ROX',
        alignment: '1',
        flags: ['EXECMEM_KASAN_SHADOW'],
        origin: 'arm64_execmem.modules.text, the 2023-06-08 proposal in the v1 thread (<20230608184116.GJ52412@kernel.org>)',
      },
      EXECMEM_KPROBES: { start: 'VMALLOC_START_6_1', end: 'VMALLOC_END_6_1', pgprot: 'PAGE_KERNEL_ROX', alignment: '1', origin: 'arm64_execmem.jit.text (same proposal)' },
      EXECMEM_FTRACE: { start: 'VMALLOC_START_6_1', end: 'VMALLOC_END_6_1', pgprot: 'PAGE_KERNEL_ROX', alignment: '1', origin: 'arm64_execmem.jit.text (same proposal)' },
      EXECMEM_BPF: { start: 'VMALLOC_START_6_1', end: 'VMALLOC_END_6_1', pgprot: 'PAGE_KERNEL_ROX', alignment: '1', origin: 'arm64_execmem.jit.text (same proposal)' },
      EXECMEM_MODULE_DATA: { start: 'MODULES_VADDR', end: 'MODULES_END_6_1', pgprot: 'PAGE_KERNEL', alignment: '1', flags: ['EXECMEM_KASAN_SHADOW'], origin: 'modules.data not given in the sketch; taken as .text with PAGE_KERNEL' },
    },
    initMissing: false,
    reserved: [{ start: 'KIMAGE_VADDR_6_1', end: 'KIMAGE_VADDR_6_1 + KERNEL_SIZE', what: 'kernel image (vmlinux segments registered at boot, arch/arm64/mm/mmu.c)' }],
    notes: ['Modules get the 128 MiB module region; everything JITed goes anywhere in vmalloc space.'],
  },
];

const SZ_128M = 128n << 20n;
const SZ_2G = 2n << 30n;

/**
 * KASLR on arm64 moves the module windows, not by an offset but by a random
 * page-aligned window that still covers the kernel image:
 *   - 6.12 module_init_limits() (arch/arm64/mm/init.c:482-515): the 128 MiB
 *     direct window is random_bounding_box(SZ_128M, _text, _end) (init.c:449:
 *     start - get_random_u32_inclusive(0, (size - (end - start)) / PAGE_SIZE)
 *     pages), and the 2 GiB PLT window a bounding box of that window;
 *   - 6.1 kaslr_init() (arch/arm64/kernel/kaslr.c:61-89): module_alloc_base =
 *     _etext - MODULES_VSIZE, plus (module_range * (seed & (2^21 - 1))) >> 21
 *     with module_range = MODULES_VSIZE - (_etext - _stext), page aligned
 *     (CONFIG_RANDOMIZE_MODULE_REGION_FULL off).
 * The image's own KASLR offset is not modelled: it stays at _text.
 */
function arm64Kaslr(sym: ReadonlyMap<string, bigint>, rng: { inclusive(lo: number, hi: number): number }): Record<string, bigint> {
  const get = (n: string): bigint => {
    const v = sym.get(n);
    if (v === undefined) throw new Error(`arm64 KASLR: symbol ${n} missing from the profile`);
    return v;
  };
  const page = get('PAGE_SIZE');
  const box = (size: bigint, start: bigint, end: bigint): bigint => {
    if (end - start >= size) return 0n;
    const maxPgoff = (size - (end - start)) / page;
    return start - BigInt(rng.inclusive(0, Number(maxPgoff))) * page;
  };
  const text = get('_text');
  const end = get('_end');
  const direct = box(SZ_128M, text, end);
  const plt = direct ? box(SZ_2G, direct, direct + SZ_128M) : box(SZ_2G, text, end);
  const stext = get('KIMAGE_VADDR_6_1');
  const etext = get('_etext_6_1');
  const vsize = get('MODULES_VSIZE_6_1');
  const seed = BigInt(rng.inclusive(0, 0xffffffff));
  const range = vsize - (etext - stext);
  const base = (etext - vsize + ((range * (seed & ((1n << 21n) - 1n))) >> 21n)) & ~(page - 1n);
  return { module_direct_base: direct, module_plt_base: plt, module_alloc_base_6_1: base };
}

export const arm64: ArchData = { profile: ARM64, tables, kaslr: arm64Kaslr };
