/**
 * __execmem_init() of mm/execmem.c (linux-source-6.12, lines 72-129), once
 * for the simulator's numeric ranges and the arch map's C-text sides:
 * execmem_validate() rejects a table whose EXECMEM_DEFAULT lacks alignment,
 * start, end or pgprot; otherwise execmem_init_missing() copies
 * EXECMEM_DEFAULT into every other type whose start is 0. Each caller says
 * only what "0" means for its representation and how a copy is made.
 */
import { EXECMEM_TYPES, type ExecmemType } from './types';

/** The fields execmem_validate() reads, in the order the arch map names them. */
export const VALIDATED_FIELDS = ['start', 'end', 'pgprot', 'alignment'] as const;
export type ValidatedField = (typeof VALIDATED_FIELDS)[number];

export interface RangeAccess<R> {
  /** Whether the kernel reads the field as 0 (`!r->start`, `!pgprot_val(r->pgprot)`). */
  isZero(range: R, field: ValidatedField): boolean;
  /** The default range copied for `type`, with the pgprot execmem_init_missing() gives it. */
  copyDefault(def: R, type: ExecmemType, pgprot: string): R;
}

export interface ExecmemInit<R> {
  ranges: Partial<Record<ExecmemType, R>>;
  /** EXECMEM_DEFAULT's fields that make execmem_validate() reject the table; empty when it accepts it. */
  unset: ValidatedField[];
  /** The types execmem_init_missing() filled from EXECMEM_DEFAULT. */
  filled: ExecmemType[];
}

/**
 * Validates, then fills the missing types when `initMissing` (designs before
 * the typed execmem API have no such step). A type absent from `ranges` is
 * a zeroed struct execmem_range, as in the kernel's static table.
 */
export function execmemInit<R extends { pgprot: string }>(ranges: Partial<Record<ExecmemType, R>>, access: RangeAccess<R>, opts: { initMissing: boolean }): ExecmemInit<R> {
  const def = ranges.EXECMEM_DEFAULT;
  // mm/execmem.c:76, `!r->alignment || !r->start || !r->end || !pgprot_val(r->pgprot)`.
  const unset = VALIDATED_FIELDS.filter((f) => !def || access.isZero(def, f));
  const out = { ...ranges };
  const filled: ExecmemType[] = [];
  // mm/execmem.c:123-126: a table execmem_validate() rejects is returned before
  // execmem_init_missing() runs, so nothing is filled from a bad default.
  if (!def || unset.length > 0 || !opts.initMissing) return { ranges: out, unset, filled };
  // mm/execmem.c:88-101: every type after EXECMEM_DEFAULT with `!r->start` takes the default's
  // start, end, alignment, flags and fallback; EXECMEM_MODULE_DATA gets PAGE_KERNEL.
  for (const type of EXECMEM_TYPES) {
    if (type === 'EXECMEM_DEFAULT') continue;
    const r = out[type];
    if (r && !access.isZero(r, 'start')) continue;
    out[type] = access.copyDefault(def, type, type === 'EXECMEM_MODULE_DATA' ? 'PAGE_KERNEL' : def.pgprot);
    filled.push(type);
  }
  return { ranges: out, unset, filled };
}
