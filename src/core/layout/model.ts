/**
 * What the Memory Layout panel draws: the ranges of one design on one arch
 * as strips, every allocation of a simulation with the step it appeared in
 * and the step it was freed in, and the metrics after each step. Allocations
 * are kept in columns (one array per field) so 100,000 of them cross the
 * webview boundary and are checked and drawn without an object each.
 */
import { ARCH_NAMES, type ArchName } from '../arch/arches';
import { err, ok, type Result } from '../result';
import { VARIANTS, type Variant } from '../sim/archData';
import { EXECMEM_TYPES } from '../sim/types';

export interface LayoutStrip {
  name: string;
  /** Hex addresses (64-bit kernel addresses exceed 2^53). */
  start: string;
  end: string;
  /** Bytes; below 2^53 for every range the profiles define. */
  size: number;
  pgprot: string;
}

export interface StepMetrics {
  live: number;
  /** Bytes of pages in use (guards included). */
  vaUsed: number;
  pages: number;
  hugePages: number;
  itlb4k: number;
  itlb2m: number;
  /** Largest free block / free space, worst range (1 = one block). */
  fragmentation: number;
  failures: number;
  fallbacks: number;
}

export interface LayoutStep {
  label: string;
  /** "path:line" of the call site, or null for a workload step. */
  site: string | null;
}

/** One column per field; index i across the columns is one allocation. */
export interface LayoutAllocs {
  id: string[];
  /** Index into EXECMEM_TYPES. */
  type: number[];
  strip: number[];
  /** Bytes from the strip's start. */
  offset: number[];
  /** Bytes of the area (whole pages, or the chunk for cache/pack). */
  length: number[];
  /** Bytes of guard page after it (0 for VM_NO_GUARD, cache chunks, packs). */
  guard: number[];
  /** Requested size. */
  size: number[];
  /** Step it was allocated in, and the step it was freed in (-1: still live). */
  from: number[];
  to: number[];
  /** Index into RANGE_KINDS. */
  range: number[];
}

export const RANGE_KINDS = ['primary', 'fallback', 'cache', 'pack'] as const;

export interface LayoutModel {
  arch: ArchName;
  variant: Variant;
  pageSize: number;
  pmdSize: number;
  strips: LayoutStrip[];
  allocs: LayoutAllocs;
  steps: LayoutStep[];
  /** Metrics after each step (same length as steps). */
  metrics: StepMetrics[];
  /** Findings of the simulator (validation, fallbacks), as text. */
  notes: string[];
}

const ALLOC_COLUMNS = ['id', 'type', 'strip', 'offset', 'length', 'guard', 'size', 'from', 'to', 'range'] as const;

export function emptyAllocs(): LayoutAllocs {
  return { id: [], type: [], strip: [], offset: [], length: [], guard: [], size: [], from: [], to: [], range: [] };
}

type Fields = Record<string, unknown>;
const isObj = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const HEX = /^0x[0-9a-f]+$/;
const METRIC_KEYS = ['live', 'vaUsed', 'pages', 'hugePages', 'itlb4k', 'itlb2m', 'fragmentation', 'failures', 'fallbacks'] as const;

function exact(o: Fields, keys: readonly string[], what: string): string | null {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) return `${what}: unexpected field(s) ${extra.join(', ')}`;
  const missing = keys.filter((k) => !(k in o));
  return missing.length ? `${what}: missing field(s) ${missing.join(', ')}` : null;
}

/** Checks a layout that crossed the webview boundary; every field, every column, every value. */
export function parseLayoutModel(v: unknown, what = 'layout'): Result<LayoutModel> {
  if (!isObj(v)) return err(`${what}: expected an object`);
  const bad = exact(v, ['arch', 'variant', 'pageSize', 'pmdSize', 'strips', 'allocs', 'steps', 'metrics', 'notes'], what);
  if (bad) return err(bad);
  if (!(ARCH_NAMES as readonly unknown[]).includes(v.arch)) return err(`${what}.arch: unknown arch ${JSON.stringify(v.arch)}`);
  if (!(VARIANTS as readonly unknown[]).includes(v.variant)) return err(`${what}.variant: unknown design ${JSON.stringify(v.variant)}`);
  if (!isCount(v.pageSize) || v.pageSize === 0 || !isCount(v.pmdSize) || v.pmdSize === 0) return err(`${what}: pageSize and pmdSize must be positive integers`);
  if (!Array.isArray(v.strips)) return err(`${what}.strips: expected a list`);
  for (const [k, s] of v.strips.entries()) {
    if (!isObj(s)) return err(`${what}.strips[${k}]: expected an object`);
    const b = exact(s, ['name', 'start', 'end', 'size', 'pgprot'], `${what}.strips[${k}]`);
    if (b) return err(b);
    if (typeof s.name !== 'string' || typeof s.pgprot !== 'string') return err(`${what}.strips[${k}]: name and pgprot must be text`);
    if (typeof s.start !== 'string' || !HEX.test(s.start) || typeof s.end !== 'string' || !HEX.test(s.end)) return err(`${what}.strips[${k}]: start and end must be 0x… hex`);
    if (!isCount(s.size) || s.size === 0) return err(`${what}.strips[${k}].size: must be a positive integer`);
  }
  if (!Array.isArray(v.steps) || !Array.isArray(v.metrics) || v.steps.length !== v.metrics.length) return err(`${what}: steps and metrics must be lists of the same length`);
  for (const [k, s] of v.steps.entries()) {
    if (!isObj(s)) return err(`${what}.steps[${k}]: expected an object`);
    const b = exact(s, ['label', 'site'], `${what}.steps[${k}]`);
    if (b) return err(b);
    if (typeof s.label !== 'string' || (s.site !== null && typeof s.site !== 'string')) return err(`${what}.steps[${k}]: label must be text, site text or null`);
  }
  for (const [k, m] of v.metrics.entries()) {
    if (!isObj(m)) return err(`${what}.metrics[${k}]: expected an object`);
    const b = exact(m, METRIC_KEYS, `${what}.metrics[${k}]`);
    if (b) return err(b);
    for (const key of METRIC_KEYS) if (typeof m[key] !== 'number' || !Number.isFinite(m[key])) return err(`${what}.metrics[${k}].${key}: must be a number`);
  }
  if (!Array.isArray(v.notes) || !v.notes.every((n) => typeof n === 'string')) return err(`${what}.notes: must be a list of text`);
  const a = v.allocs;
  if (!isObj(a)) return err(`${what}.allocs: expected an object of columns`);
  const b = exact(a, ALLOC_COLUMNS, `${what}.allocs`);
  if (b) return err(b);
  const n = Array.isArray(a.id) ? a.id.length : -1;
  if (n < 0) return err(`${what}.allocs.id: expected a list`);
  for (const col of ALLOC_COLUMNS) {
    const c = a[col];
    if (!Array.isArray(c) || c.length !== n) return err(`${what}.allocs.${col}: expected a list of ${n}`);
  }
  const strips = v.strips.length;
  const steps = v.steps.length;
  const col = (name: string): unknown[] => a[name] as unknown[];
  const [id, type, strip, offset, length, guard, size, from, to, range] = ALLOC_COLUMNS.map(col) as unknown[][];
  for (let i = 0; i < n; i++) {
    if (typeof id![i] !== 'string') return err(`${what}.allocs.id[${i}]: must be text`);
    const t = type![i];
    if (!isCount(t) || t >= EXECMEM_TYPES.length) return err(`${what}.allocs.type[${i}]: not a type index`);
    const s = strip![i];
    if (!isCount(s) || s >= strips) return err(`${what}.allocs.strip[${i}]: not a strip index`);
    if (!isCount(offset![i]) || !isCount(length![i]) || !isCount(guard![i]) || !isCount(size![i])) return err(`${what}.allocs[${i}]: offset, length, guard and size must be whole numbers`);
    const f = from![i];
    const e = to![i];
    if (!isCount(f) || f >= steps || typeof e !== 'number' || !Number.isSafeInteger(e) || e < -1 || e > steps) return err(`${what}.allocs[${i}]: from/to are not step indexes`);
    const r = range![i];
    if (!isCount(r) || r >= RANGE_KINDS.length) return err(`${what}.allocs.range[${i}]: not a range kind`);
  }
  return ok(v as unknown as LayoutModel);
}
