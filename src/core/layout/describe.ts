/**
 * Words for where an allocation landed, as a reviewer says them: "module
 * range", "vmalloc", "fallback", "BPF range", with the protection ("ROX",
 * "RWX", "RW then ROX").
 */
import type { ArchName } from '../arch/arches';
import type { CallSite } from '../callsites/detect';
import { profileFor, resolveSymbols } from '../sim/profiles';
import { hex, pgprotKind } from '../sim/types';
import { variantTable, VARIANTS, type Variant } from '../sim/variants';
import { RANGE_KINDS, type LayoutModel } from './model';
import { simulateSteps, stepOfSite } from './simulate';

const KIND_WORDS = { rox: 'ROX', rwx: 'RWX', rw: 'RW, made ROX after load' } as const;

function pgprotWords(pgprot: string): string {
  const kind = pgprotKind(pgprot);
  return kind === 'unknown' ? pgprot || 'pgprot unknown' : KIND_WORDS[kind];
}

/** Where allocation i of a layout lies, in words. */
export function placementWords(model: LayoutModel, i: number): string {
  const strip = model.strips[model.allocs.strip[i]!];
  if (!strip) return 'nowhere';
  const kind = RANGE_KINDS[model.allocs.range[i]!];
  const profile = profileFor(model.arch as ArchName);
  let vmalloc = false;
  if (profile) {
    const sym = resolveSymbols(profile);
    const era = model.variant === 'module_alloc' || model.variant === 'jitalloc-v1' || model.variant === 'execmem-split';
    const vs = (era ? sym.get('VMALLOC_START_6_1') : undefined) ?? sym.get('VMALLOC_START');
    const ve = (era ? sym.get('VMALLOC_END_6_1') : undefined) ?? sym.get('VMALLOC_END');
    vmalloc = vs !== undefined && ve !== undefined && strip.start === hex(vs) && strip.end === hex(ve);
  }
  const where = vmalloc
    ? 'vmalloc'
    : kind === 'fallback'
      ? 'fallback range'
      : kind === 'cache'
        ? 'ROX cache'
        : kind === 'pack'
          ? 'BPF prog pack'
          : /EXECMEM_DEFAULT(,|$)/.test(strip.name)
            ? 'module range'
            : /EXECMEM_BPF/.test(strip.name)
              ? 'BPF range'
              : 'own range';
  return `${where}, ${pgprotWords(strip.pgprot)}`;
}

/** A call site's lens line; error is set when the simulator failed (and text says so). */
export interface SiteSummary {
  text: string;
  error?: string;
}

/** Where one site's allocation lands on an arch, by itself (per arch/design/type/size). */
const placementCache = new Map<string, { where: string; error?: string }>();

/**
 * "EXECMEM_KPROBES · arm64 → vmalloc, ROX". An arch or design with no table
 * yet is expected and says so; any other failure (a profile symbol that does
 * not resolve, a table the simulator rejects) is the error, named, not a
 * placement. run is the simulator (tests give one that fails).
 */
export function siteSummary(site: CallSite, arch: ArchName, variant: string, run: typeof simulateSteps = simulateSteps): SiteSummary {
  if (site.kind === 'free') return { text: `frees ${site.type ?? 'executable memory'}` };
  const type = site.type ?? 'EXECMEM_DEFAULT';
  const v = variant === 'auto' ? (site.converted === true ? 'execmem' : 'module_alloc') : variant;
  const key = `${arch}/${v}/${type}/${site.size}`;
  let hit = placementCache.get(key);
  if (!hit) {
    if (!(VARIANTS as readonly string[]).includes(v) || !profileFor(arch) || !variantTable(v as Variant, arch)) hit = { where: 'no table for this arch' };
    else {
      try {
        const m = run(arch, v as Variant, [stepOfSite(site, arch)]);
        hit = { where: m.allocs.id.length ? placementWords(m, 0) : 'allocation fails' };
      } catch (e) {
        const error = `${v} on ${arch}: ${e instanceof Error ? e.message : String(e)}`;
        hit = { where: `simulation failed: ${error}`, error };
      }
    }
    placementCache.set(key, hit);
  }
  return { text: `${type} · ${arch} → ${hit.where}`, ...(hit.error ? { error: hit.error } : {}) };
}
