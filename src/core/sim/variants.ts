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
import type { Variant, VariantTable } from './archData';
import { ARCH_DATA } from './arches';

export { type RangeSpec, type Variant, VARIANTS, type VariantTable } from './archData';

const TABLES: VariantTable[] = ARCH_DATA.flatMap((d) => d.tables);

export function variantTable(variant: Variant, arch: ArchName): VariantTable | undefined {
  return TABLES.find((t) => t.variant === variant && t.arch === arch);
}

export function tabledPairs(): { variant: Variant; arch: ArchName }[] {
  return TABLES.map((t) => ({ variant: t.variant, arch: t.arch }));
}
