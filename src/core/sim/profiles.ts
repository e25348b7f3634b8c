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
 * The data of each arch is in arches/<arch>.ts; asking for an arch that has
 * none yet is an error that says so.
 */
import type { ArchName } from '../arch/arches';
import type { ArchProfile } from './archData';
import { ARCH_DATA } from './arches';
import { evaluate, ExprError, type Symbols } from './expr';

export type { ArchProfile, SymbolDef } from './archData';

const PROFILES = new Map<ArchName, ArchProfile>(ARCH_DATA.map((d) => [d.profile.arch, d.profile]));

export function profileFor(arch: ArchName): ArchProfile | undefined {
  return PROFILES.get(arch);
}

export const PROFILED_ARCHES = [...PROFILES.keys()];

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
