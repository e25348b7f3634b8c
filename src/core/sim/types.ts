/** The execmem vocabulary, spelled as include/linux/execmem.h (Linux 6.12) spells it. */

export const EXECMEM_TYPES = ['EXECMEM_DEFAULT', 'EXECMEM_KPROBES', 'EXECMEM_FTRACE', 'EXECMEM_BPF', 'EXECMEM_MODULE_DATA'] as const;
export type ExecmemType = (typeof EXECMEM_TYPES)[number];

/** enum execmem_type: EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT. */
export const EXECMEM_ALIASES: Readonly<Record<string, ExecmemType>> = { EXECMEM_MODULE_TEXT: 'EXECMEM_DEFAULT' };

/** A type name as execmem_type spells it, aliases followed (EXECMEM_MODULE_TEXT → EXECMEM_DEFAULT), or null. */
export function canonicalType(name: string, aliases: Readonly<Record<string, string>>): ExecmemType | null {
  let cur = name.trim();
  for (let k = 0; k < 4 && aliases[cur] !== undefined; k++) cur = aliases[cur]!;
  return (EXECMEM_TYPES as readonly string[]).includes(cur) ? (cur as ExecmemType) : null;
}

export function parseExecmemType(name: unknown): ExecmemType | undefined {
  if (typeof name !== 'string') return undefined;
  if ((EXECMEM_TYPES as readonly string[]).includes(name)) return name as ExecmemType;
  return EXECMEM_ALIASES[name];
}

export const RANGE_FLAGS = ['EXECMEM_KASAN_SHADOW', 'EXECMEM_ROX_CACHE'] as const;
export type RangeFlag = (typeof RANGE_FLAGS)[number];

/** vm_struct flags the simulator honours. */
export const VM_FLAGS = ['VM_NO_GUARD', 'VM_ALLOW_HUGE_VMAP', 'VM_FLUSH_RESET_PERMS', 'VM_DEFER_KMEMLEAK'] as const;
export type VmFlag = (typeof VM_FLAGS)[number];

/** struct execmem_range, with byte addresses as bigint (64-bit kernel addresses exceed 2^53). */
export interface ExecmemRange {
  start: bigint;
  end: bigint;
  fallback_start: bigint;
  fallback_end: bigint;
  pgprot: string;
  alignment: number;
  flags: RangeFlag[];
}

export type RangeTable = Partial<Record<ExecmemType, ExecmemRange>>;

export const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * What a pgprot lets through, from its name: 'rox' (read-only executable:
 * *_ROX, *_READ_EXEC), 'rwx' (writable and executable: *_RWX, PAGE_KERNEL_EXEC
 * on the arches that have it), 'rw' (PAGE_KERNEL: not executable until the
 * module loader or the caller makes it ROX), or 'unknown'.
 */
export type PgprotKind = 'rox' | 'rw' | 'rwx' | 'unknown';

export function pgprotKind(pgprot: string): PgprotKind {
  // Text naming both (an unresolved "c ? PAGE_KERNEL_ROX : PAGE_KERNEL_EXEC") counts as the weaker.
  if (/RWX|PAGE_KERNEL_EXEC\b/.test(pgprot)) return 'rwx';
  if (/ROX|READ_EXEC/.test(pgprot)) return 'rox';
  if (/PAGE_KERNEL\b/.test(pgprot)) return 'rw';
  return 'unknown';
}
