/**
 * The configuration conditions are evaluated against: each arch's simulator
 * profile (issue "Allocator simulator") read as Kconfig answers, symbol
 * values and runtime predicates. Options the profile does not fix stay
 * unknown, and the map lists the conditions it assumed.
 */
import { ARCH_NAMES, type ArchName } from '../arch/arches';
import { profileFor, resolveSymbols, type ArchProfile } from '../sim/profiles';
import { UNKNOWN_ENV, type CondEnv } from './cond';
import { evaluateText, isKnown } from '../c/expr';
import { err, ok, type Result } from '../result';

export type Era = 'before' | 'after';

/** Kconfig answers a profile implies. Each entry: option → how the profile answers it. */
const CONFIG_RULES: Record<string, (p: ArchProfile) => boolean> = {
  CONFIG_64BIT: (p) => p.bits === 64,
  CONFIG_32BIT: (p) => p.bits === 32,
  CONFIG_X86_64: (p) => p.arch === 'x86' && p.bits === 64,
  CONFIG_X86_32: (p) => p.arch === 'x86' && p.bits === 32,
  CONFIG_SPARC64: (p) => p.arch === 'sparc' && p.bits === 64,
  CONFIG_PPC64: (p) => p.arch === 'powerpc' && p.bits === 64,
  CONFIG_PPC32: (p) => p.arch === 'powerpc' && p.bits === 32,
  CONFIG_MMU: () => true,
  CONFIG_MODULES: () => true,
  CONFIG_KPROBES: () => true,
  CONFIG_BPF_JIT: () => true,
  CONFIG_FUNCTION_TRACER: () => true,
  CONFIG_DYNAMIC_FTRACE: () => true,
  CONFIG_EXECMEM: () => true,
  CONFIG_STRICT_MODULE_RWX: () => true,
  CONFIG_KASAN: (p) => p.kasan,
  CONFIG_KASAN_GENERIC: (p) => p.kasan,
  CONFIG_KASAN_SW_TAGS: () => false,
  CONFIG_KASAN_HW_TAGS: () => false,
  CONFIG_KASAN_VMALLOC: (p) => p.kasan,
  CONFIG_RANDOMIZE_BASE: (p) => p.kaslr,
  CONFIG_ARM64_MODULE_PLTS: (p) => p.arch === 'arm64' && p.plts,
  CONFIG_ARM_MODULE_PLTS: (p) => p.arch === 'arm' && p.plts,
  CONFIG_XIP_KERNEL: () => false,
};

/**
 * Macros a profile's configuration does not define, so `#ifdef` takes the
 * other branch. ppc64 (Book3S-64) has no MODULES_VADDR: only
 * book3s/32/pgtable.h:200 and nohash/32/mmu-8xx.h:175 define it (6.12).
 */
const UNDEFINED: Partial<Record<ArchName, (p: ArchProfile) => string[]>> = {
  powerpc: (p) => (p.bits === 64 ? ['MODULES_VADDR'] : []),
};

/** Runtime predicates with no arguments whose value the profile fixes. */
const CALL_RULES: Record<string, (p: ArchProfile) => boolean> = {
  kaslr_enabled: (p) => p.kaslr,
  // The profiles assume STRICT_MODULE_RWX=y (see arches/powerpc.ts).
  strict_module_rwx_enabled: () => true,
};

const cache = new Map<string, CondEnv>();

/**
 * The environment of an arch's built-in profile (cached). A profile whose
 * symbols do not resolve is a fault in the profile data, thrown with the
 * profile and symbol named (see envOfProfile): with no values every
 * condition would read as unknown and the map would not say why.
 */
export function envFor(arch: string | null, era: Era): CondEnv {
  if (!arch || !(ARCH_NAMES as readonly string[]).includes(arch)) return UNKNOWN_ENV;
  const key = `${arch}/${era}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const profile = profileFor(arch as ArchName);
  if (!profile) return UNKNOWN_ENV;
  const env = envOfProfile(profile, era);
  if (!env.ok) throw new Error(env.error);
  cache.set(key, env.value);
  return env.value;
}

/** The environment a profile gives, or the error of a symbol that does not resolve ("profile arm64: symbol X: ..."). */
export function envOfProfile(profile: ArchProfile, era: Era): Result<CondEnv> {
  let values: Map<string, bigint>;
  try {
    values = resolveSymbols(profile);
  } catch (e) {
    return err(e instanceof Error ? e.message : String(e));
  }
  // 6.1 values are kept as NAME_6_1 in the profiles; before the series they are the names' values.
  if (era === 'before') for (const [k, v] of [...values]) if (k.endsWith('_6_1')) values.set(k.slice(0, -4), v);
  const undefinedNames = new Set(UNDEFINED[profile.arch]?.(profile) ?? []);
  for (const n of undefinedNames) values.delete(n);
  return ok({
    config: (name) => CONFIG_RULES[name]?.(profile),
    value: (name) => values.get(name),
    defined: (name) => (values.has(name) ? true : undefinedNames.has(name) ? false : undefined),
    call: (name) => CALL_RULES[name]?.(profile),
  });
}

/** Numeric value of a C expression under an arch's profile, or null when it depends on anything unknown. */
export function numericValue(text: string, env: CondEnv): bigint | null {
  // Names resolve as in the simulator's tables (symbols only); an unknown name, a call or a parse error is null.
  const v = evaluateText(text, { value: (name) => env.value(name) });
  return isKnown(v) ? v : null;
}
