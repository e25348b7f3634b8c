/**
 * API designs of the series as tables, one per variant and arch: each
 * execmem type's range written as the kernel wrote it, with where it came
 * from. The simulator evaluates them against an arch profile; no design is a
 * code branch.
 *
 * Tabled so far: x86 and arm64 for `module_alloc` (Linux 6.1) and `execmem`
 * (6.10–6.12), and x86 for `execmem-rox` (6.13). jitalloc-v1, execmem-split
 * and the other arches are the next step; asking for them is an error that
 * says so.
 */
import type { ArchName } from '../arch/arches';
import { type Variant, VARIANTS, type VariantTable } from './archData';
import { ARCH_DATA } from './arches';

export { type RangeSpec, type Variant, VARIANTS, type VariantTable } from './archData';

const TABLES: VariantTable[] = ARCH_DATA.flatMap((d) => d.tables);

/**
 * The ROX cache needs CONFIG_ARCH_HAS_EXECMEM_ROX, which only x86_64 selects
 * (as of Linux 6.13): on any other arch the execmem-rox design is its
 * execmem table unchanged, said so in the notes.
 */
function derivedRox(arch: ArchName): VariantTable | undefined {
  const base = TABLES.find((t) => t.variant === 'execmem' && t.arch === arch);
  if (!base) return undefined;
  return { ...base, variant: 'execmem-rox', notes: [...base.notes, `No ROX cache on ${arch}: ARCH_HAS_EXECMEM_ROX is x86_64-only in 6.13, so this is the execmem table.`] };
}

export function variantTable(variant: Variant, arch: ArchName): VariantTable | undefined {
  const table = TABLES.find((t) => t.variant === variant && t.arch === arch);
  if (table || variant !== 'execmem-rox') return table;
  return derivedRox(arch);
}

export function tabledPairs(): { variant: Variant; arch: ArchName }[] {
  const arches = [...new Set(TABLES.map((t) => t.arch))];
  return arches.flatMap((arch) => VARIANTS.filter((variant) => variantTable(variant, arch)).map((variant) => ({ variant, arch })));
}
