/**
 * API designs of the series as tables, one per variant and arch: each
 * execmem type's range written as the kernel wrote it, with where it came
 * from. The simulator evaluates them against an arch profile; no design is a
 * code branch.
 *
 * Each arch's tables are in arches/<arch>.ts; designs an arch has no table
 * for are derived below, with a note saying how.
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

/**
 * jitalloc v1 converted each arch's module_alloc() (and its kprobes/BPF
 * overrides) into jit_alloc_params one for one ([PATCH 03/13] and [PATCH
 * 04/13] of the v1 thread), so an arch without a table of its own keeps its
 * module_alloc ranges. The 2023-06-08 sketch spelled out arm64, x86/s390 and
 * the default only; other arches are taken to keep theirs too (modules and
 * jit as module_alloc and its overrides had them), which the notes say.
 */
function derivedFromModuleAlloc(variant: 'jitalloc-v1' | 'execmem-split', arch: ArchName): VariantTable | undefined {
  const base = TABLES.find((t) => t.variant === 'module_alloc' && t.arch === arch);
  if (!base) return undefined;
  const note =
    variant === 'jitalloc-v1'
      ? `jitalloc v1 moved ${arch}'s module_alloc() parameters into jit_alloc_params unchanged: the module_alloc ranges.`
      : `The 2023-06-08 sketch gave no ranges for ${arch}: its module_alloc ranges are assumed for modules and jit alike.`;
  return { ...base, variant, notes: [...base.notes, note] };
}

export function variantTable(variant: Variant, arch: ArchName): VariantTable | undefined {
  const table = TABLES.find((t) => t.variant === variant && t.arch === arch);
  if (table) return table;
  if (variant === 'execmem-rox') return derivedRox(arch);
  if (variant === 'jitalloc-v1' || variant === 'execmem-split') return derivedFromModuleAlloc(variant, arch);
  return undefined;
}

export function tabledPairs(): { variant: Variant; arch: ArchName }[] {
  const arches = [...new Set(TABLES.map((t) => t.arch))];
  return arches.flatMap((arch) => VARIANTS.filter((variant) => variantTable(variant, arch)).map((variant) => ({ variant, arch })));
}
