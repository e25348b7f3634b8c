/**
 * Arch profiles: for each architecture a named default configuration and a
 * value for every symbol its range tables use, each citing the kernel header
 * (Debian's linux-source-6.12 unless it says 6.1) it comes from. Values are
 * expressions over earlier symbols, evaluated in order; a user profile
 * (JSON) can override any of them.
 *
 * Covered so far: x86. The other ten architectures of the series are still to
 * be tabled (see the notes); asking for one is an error that says so.
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

const PROFILES: Partial<Record<ArchName, ArchProfile>> = { x86: X86_64 };

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
  for (const [name, def] of Object.entries(profile.symbols)) {
    try {
      out.set(name, evaluate(def.value, out));
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
