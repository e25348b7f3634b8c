/**
 * Runs steps (each a call site's allocations or frees) through the
 * simulator for one design on one arch and records the layout the panel
 * draws: every allocation with the step it appeared and was freed in, and
 * the metrics after each step.
 */
import type { ArchName } from '../arch/arches';
import type { CallSite } from '../callsites/detect';
import { envFor, numericValue } from '../archmap/config';
import { ExecmemSimulator } from '../sim/execmem';
import { profileFor } from '../sim/profiles';
import { EXECMEM_TYPES, hex, type ExecmemType } from '../sim/types';
import { variantTable, type Variant } from '../sim/variants';
import { emptyAllocs, RANGE_KINDS, type LayoutModel, type LayoutStrip, type StepMetrics } from './model';

export type StepOp = { op: 'alloc'; type: ExecmemType; size: number } | { op: 'free'; type: ExecmemType | null };

export interface SimStep {
  label: string;
  site: string | null;
  ops: StepOp[];
}

/**
 * What a call allocates when its size is a variable (module_alloc(size) in
 * the loader): a typical module text (3 pages), data (2 pages), one page for
 * a kprobe slot page, a trampoline or a small BPF program.
 */
const ASSUMED_PAGES: Record<ExecmemType, number> = {
  EXECMEM_DEFAULT: 3,
  EXECMEM_MODULE_DATA: 2,
  EXECMEM_KPROBES: 1,
  EXECMEM_FTRACE: 1,
  EXECMEM_BPF: 1,
};

/** The step a call site makes: its allocation (size evaluated, or assumed and said so), or a free. */
export function stepOfSite(site: CallSite, arch: ArchName): SimStep {
  const where = `${site.path}:${site.line}`;
  const type = site.type ?? 'EXECMEM_DEFAULT';
  if (site.kind === 'free') return { label: `${site.callee}() · ${where}`, site: where, ops: [{ op: 'free', type: site.type }] };
  const profile = profileFor(arch);
  const page = profile?.pageSize ?? 4096;
  const env = envFor(arch, 'after');
  const sizeEnv = { ...env, value: (n: string) => (n === 'PAGE_SIZE' ? BigInt(page) : env.value(n)) };
  const v = site.size ? numericValue(site.size, sizeEnv) : null;
  const size = v !== null && v > 0n && v < 1n << 40n ? Number(v) : ASSUMED_PAGES[type] * page;
  const assumed = v === null || v <= 0n ? ` (size ${site.size ?? 'unknown'}: ${ASSUMED_PAGES[type]} page${ASSUMED_PAGES[type] > 1 ? 's' : ''} assumed)` : '';
  return { label: `${site.callee}(${site.size ?? ''}) → ${type}${assumed} · ${where}`, site: where, ops: [{ op: 'alloc', type, size }] };
}

export function simulateSteps(arch: ArchName, variant: Variant, steps: readonly SimStep[], seed = 1): LayoutModel {
  const profile = profileFor(arch);
  const table = variantTable(variant, arch);
  if (!profile || !table) throw new Error(`no ${variant} table for ${arch}`);
  const sim = new ExecmemSimulator({ profile, table, seed, kaslr: false, lazyFree: true });
  const ranges = sim.distinctRanges();
  const strips: LayoutStrip[] = ranges.map((r) => {
    const owner = EXECMEM_TYPES.find((t) => sim.ranges[t] && ((sim.ranges[t]!.start === r.start && sim.ranges[t]!.end === r.end) || (sim.ranges[t]!.fallback_start === r.start && sim.ranges[t]!.fallback_end === r.end)));
    return { name: r.name, start: hex(r.start), end: hex(r.end), size: Number(r.end - r.start), pgprot: owner ? sim.ranges[owner]!.pgprot : '' };
  });
  // Ranges may overlap (arm64's 2 GiB fallback window covers part of vmalloc): prefer the strip named for the type and role.
  const stripOf = (addr: bigint, type: ExecmemType, kind: string): number => {
    const inside = ranges.map((r, k) => ({ r, k })).filter(({ r }) => addr >= r.start && addr < r.end);
    const role = kind === 'fallback' ? `${type} fallback` : type;
    const named = inside.find(({ r }) => r.name.split(', ').includes(role));
    return (named ?? inside[0])?.k ?? -1;
  };
  // The ROX cache (execmem-rox) gets a strip of its own over the range it takes its huge areas from:
  // the 2 MiB areas it holds, step by step, while the chunks it hands out show in the range's strip.
  const cached = EXECMEM_TYPES.find((t) => sim.ranges[t]?.flags.includes('EXECMEM_ROX_CACHE'));
  const cacheStrip = cached ? strips.length : -1;
  if (cached) {
    const r = sim.ranges[cached]!;
    strips.push({ name: `ROX cache (huge areas of ${cached})`, start: hex(r.start), end: hex(r.end), size: Number(r.end - r.start), pgprot: r.pgprot });
  }
  const cacheLive = new Map<bigint, number>();
  const allocs = emptyAllocs();
  const liveIdx: number[] = [];
  const metrics: StepMetrics[] = [];
  const notes: string[] = [];
  let serial = 0;
  steps.forEach((step, s) => {
    for (const op of step.ops) {
      if (op.op === 'free') {
        // Frees the newest live allocation (of the type, when the site says which).
        let k = liveIdx.length - 1;
        while (k >= 0 && op.type !== null && EXECMEM_TYPES[allocs.type[liveIdx[k]!]!] !== op.type) k--;
        if (k < 0) {
          notes.push(`step ${s + 1}: nothing live to free`);
          continue;
        }
        const i = liveIdx.splice(k, 1)[0]!;
        sim.free(allocs.id[i]!);
        allocs.to[i] = s;
        continue;
      }
      const id = `a${++serial}`;
      const a = sim.alloc(id, op.type, op.size);
      if (a.failed || a.start === null || a.end === null) {
        notes.push(`step ${s + 1}: ${op.type} allocation of ${op.size} bytes failed`);
        continue;
      }
      const strip = stripOf(a.start, op.type, a.range);
      if (strip < 0) {
        notes.push(`step ${s + 1}: ${id} at ${hex(a.start)} lies outside every range`);
        continue;
      }
      allocs.id.push(id);
      allocs.type.push(EXECMEM_TYPES.indexOf(op.type));
      allocs.strip.push(strip);
      allocs.offset.push(Number(a.start - ranges[strip]!.start));
      allocs.length.push(Number(a.end - a.start));
      allocs.guard.push(a.guard && (a.range === 'primary' || a.range === 'fallback') ? profile.pageSize : 0);
      allocs.size.push(op.size);
      allocs.from.push(s);
      allocs.to.push(-1);
      allocs.range.push(RANGE_KINDS.indexOf(a.range));
      liveIdx.push(allocs.id.length - 1);
    }
    if (cacheStrip >= 0) {
      const base = BigInt(strips[cacheStrip]!.start);
      const now = new Set<bigint>();
      for (const area of sim.roxCacheAreas()) {
        now.add(area.start);
        if (cacheLive.has(area.start) || area.start < base) continue;
        allocs.id.push(`rox-cache@${hex(area.start)}`);
        allocs.type.push(EXECMEM_TYPES.indexOf(cached!));
        allocs.strip.push(cacheStrip);
        allocs.offset.push(Number(area.start - base));
        allocs.length.push(Number(area.end - area.start));
        allocs.guard.push(0);
        allocs.size.push(Number(area.end - area.start));
        allocs.from.push(s);
        allocs.to.push(-1);
        allocs.range.push(RANGE_KINDS.indexOf('cache'));
        cacheLive.set(area.start, allocs.id.length - 1);
      }
      for (const [start, i] of cacheLive) {
        if (now.has(start)) continue;
        allocs.to[i] = s;
        cacheLive.delete(start);
      }
    }
    const m = sim.metrics();
    const used = m.ranges.reduce((n, r) => n + r.pagesUsed + r.guardPages, 0);
    metrics.push({
      live: m.liveAreas,
      vaUsed: used * profile.pageSize,
      pages: m.ranges.reduce((n, r) => n + r.pagesUsed, 0),
      hugePages: m.hugePagesTouched,
      itlb4k: m.itlbEntries4k,
      itlb2m: m.itlbEntries2m,
      fragmentation: m.ranges.filter((r) => r.areas > 0).reduce((f, r) => Math.min(f, r.fragmentation), 1),
      failures: m.failures,
      fallbacks: m.fallbacks,
    });
  });
  for (const f of sim.findings) if (f.severity !== 'info') notes.push(`${f.severity}: ${f.message}`);
  return { arch, variant, pageSize: profile.pageSize, pmdSize: profile.pmdSize, strips, allocs, steps: steps.map(({ label, site }) => ({ label, site })), metrics, notes };
}
