/**
 * What the extractor reads from one C file: the module_alloc-era overrides
 * with their allocation attempts, and the execmem tables with their writes.
 * Values are C text as the kernel computes them (see substitute.ts).
 */
import type { ExecmemType } from '../sim/types';
import type { Cond } from './cond';
import type { OverrideName, TableShape } from './words';

export const RANGE_FIELDS = ['start', 'end', 'fallback_start', 'fallback_end', 'pgprot', 'alignment', 'flags'] as const;
export type RangeField = (typeof RANGE_FIELDS)[number];

export interface Attempt {
  kind: 'vmalloc_range' | 'vmalloc' | 'kmalloc' | 'module_alloc';
  line: number;
  conds: Cond[];
  start: string;
  end: string;
  alignment: string;
  pgprot: string;
  vmFlags: string[];
}

export interface OverrideFact {
  name: OverrideName;
  line: number;
  conds: Cond[];
  attempts: Attempt[];
  kasanShadow: boolean;
  /** Variables holding a previous attempt's result: `if (!p)` means "that attempt failed". */
  resultVars: string[];
}

export interface TableWrite {
  types: ExecmemType[];
  field: RangeField;
  value: string;
  line: number;
  conds: Cond[];
  /** Source order; static initializers come first (-1). */
  order: number;
}

export interface DuplicateWrite {
  /** The designator path as written, e.g. ".modules.text.fallback_start". */
  path: string;
  field: RangeField;
  types: ExecmemType[];
  values: string[];
  lines: number[];
  /** The path of the field that pairs with it (".fallback_end"), and whether that is written. */
  partnerPath: string | null;
  partnerWritten: boolean;
}

export interface TableFact {
  shape: TableShape;
  variable: string;
  line: number;
  writes: TableWrite[];
  /** Where the whole table was reassigned from a compound literal (unwritten fields become 0), under which conditions. */
  resets: { order: number; conds: Cond[] }[];
  duplicates: DuplicateWrite[];
}

export interface FileFacts {
  path: string;
  overrides: OverrideFact[];
  tables: TableFact[];
  /** enum execmem_type aliases found in this file (EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT). */
  aliases: Record<string, string>;
}
