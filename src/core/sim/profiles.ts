/**
 * Arch profiles: for each architecture a named default configuration and a
 * value for every symbol its range tables use, each citing the kernel header
 * (Debian's linux-source-6.12 unless it says 6.1) it comes from. Values are
 * expressions over earlier symbols, evaluated in order; a user profile
 * (JSON) can override any of them.
 *
 * A source is "path:line" in linux-source-6.12, "linux-source-6.1: path:line",
 * or "parameter: ..." for a value that is no header constant (the size of the
 * running kernel image, say), with the assumption it makes.
 *
 * Covered so far: x86 and arm64. The other nine architectures of the series
 * are still to be tabled; asking for one is an error that says so.
 */
import type { ArchName } from '../arch/arches';
import { evaluate, ExprError, type Symbols } from './expr';

export interface SymbolDef {
  /** An expression over earlier symbols, numbers and SZ_* constants. */
  value: string;
  /** Where the kernel defines it: file:line in linux-source-6.12 (or 6.1). */
  source: string;
}

export interface ArchProfile {
  arch: ArchName;
  /** Name of the configuration, e.g. "x86_64, 4-level paging, 4 KiB pages". */
  name: string;
  bits: 32 | 64;
  pageSize: number;
  pmdSize: number;
  kasan: boolean;
  kaslr: boolean;
  /** Module PLTs (arm, arm64): far calls through veneers, which allows a fallback range. */
  plts: boolean;
  /** Online CPUs, for lazy_max_pages(). */
  cpus: number;
  symbols: Record<string, SymbolDef>;
}

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

const PROFILES: Partial<Record<ArchName, ArchProfile>> = { x86: X86_64, arm64: ARM64 };

export function profileFor(arch: ArchName): ArchProfile | undefined {
  return PROFILES[arch];
}

export const PROFILED_ARCHES = Object.keys(PROFILES) as ArchName[];

/**
 * The profile's symbols as numbers, plus the run's own: the KASLR module load
 * offset (get_random_u32_inclusive(1, 1024) * PAGE_SIZE when KASLR is on, 0
 * off; arch/x86/mm/init.c execmem_arch_setup) and MODULE_ALIGN grown for KASAN.
 */
export function resolveSymbols(profile: ArchProfile, extra: Record<string, bigint> = {}): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const wrap = 1n << BigInt(profile.bits);
  for (const [name, def] of Object.entries(profile.symbols)) {
    try {
      // Unsigned long arithmetic: -(1UL << 47) is an address near the top.
      const v = evaluate(def.value, out);
      out.set(name, v < 0n ? v + wrap : v);
    } catch (e) {
      throw new ExprError(`profile ${profile.arch}: symbol ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // MODULE_ALIGN is PAGE_SIZE << KASAN_SHADOW_SCALE_SHIFT (3) with generic KASAN (include/linux/execmem.h:12).
  if (profile.kasan) out.set('MODULE_ALIGN', BigInt(profile.pageSize) << 3n);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out;
}

export type { Symbols };
