/**
 * Both sides of one arch × type run through the allocator simulator (issue
 * "Allocator simulator") on the same small workload, so the map can say
 * where the memory lands before and after: the same place, shifted within
 * the range, or somewhere else entirely (arm64 modules leaving the 2 GiB
 * window for a 128 MiB one, powerpc kprobes becoming ROX pages in vmalloc).
 * Expressions are evaluated against the arch profile of each side's kernel
 * (6.1 values before, 6.12 after); a side with a term the profile cannot
 * evaluate is reported as not simulated, with the term.
 */
import type { ArchName } from '../arch/arches';
import { ExecmemSimulator } from '../sim/execmem';
import { profileFor } from '../sim/profiles';
import { hex, type ExecmemRange, type ExecmemType } from '../sim/types';
import { envFor, numericValue, type Era } from './config';
import type { Side, SimulationDiff } from './types';

/** Sizes in pages of what each type allocates in the workload (module text of a boot, one page per kprobe...). */
const WORKLOAD: Record<ExecmemType, { name: string; pages: number[] }> = {
  EXECMEM_DEFAULT: { name: '24 module text allocations (1–40 pages)', pages: [3, 5, 1, 12, 8, 2, 40, 6, 3, 9, 1, 4, 16, 2, 7, 5, 3, 11, 2, 6, 20, 1, 8, 4] },
  EXECMEM_MODULE_DATA: { name: '24 module data allocations (1–8 pages)', pages: [2, 1, 4, 1, 3, 2, 8, 1, 2, 1, 1, 3, 4, 2, 1, 1, 2, 5, 1, 2, 3, 1, 2, 1] },
  EXECMEM_KPROBES: { name: '16 kprobe instruction pages', pages: new Array<number>(16).fill(1) },
  EXECMEM_FTRACE: { name: '8 ftrace trampolines (1 page)', pages: new Array<number>(8).fill(1) },
  EXECMEM_BPF: { name: '16 BPF programs (1–2 pages)', pages: [1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1] },
};

type Placement = NonNullable<SimulationDiff['before']>;

function run(arch: ArchName, type: ExecmemType, side: Side, era: Era): Placement | string {
  const profile = profileFor(arch);
  if (!profile) return `no profile for ${arch}`;
  const env = envFor(arch, era);
  const num = (field: string, text: string | null): bigint | string => {
    if (text === null) return 0n;
    const v = numericValue(text, env);
    return v === null ? `${field} "${text}" cannot be evaluated with the ${arch} profile` : v;
  };
  const fields = { start: num('start', side.start), end: num('end', side.end), fallback_start: num('fallback_start', side.fallback_start), fallback_end: num('fallback_end', side.fallback_end), alignment: num('alignment', side.alignment) };
  for (const v of Object.values(fields)) if (typeof v === 'string') return v;
  const f = fields as Record<keyof typeof fields, bigint>;
  const range: ExecmemRange = {
    start: f.start,
    end: f.end,
    fallback_start: f.fallback_start,
    fallback_end: f.fallback_end,
    pgprot: side.pgprot,
    alignment: Number(f.alignment) || 1,
    flags: side.kasan_shadow ? ['EXECMEM_KASAN_SHADOW'] : [],
  };
  const sim = new ExecmemSimulator({
    profile,
    table: { variant: 'execmem', arch, ranges: {}, initMissing: false, notes: [] },
    seed: 1,
    kaslr: false,
    lazyFree: true,
    rangeOverrides: { [type]: range },
  });
  const used = new Set<string>();
  let lo: bigint | null = null;
  let hi: bigint | null = null;
  let failed = 0;
  WORKLOAD[type].pages.forEach((p, k) => {
    const a = sim.alloc(`${type}-${k}`, type, p * profile.pageSize);
    if (a.failed || a.start === null || a.end === null) {
      failed++;
      return;
    }
    used.add(a.range);
    lo = lo === null || a.start < lo ? a.start : lo;
    hi = hi === null || a.end > hi ? a.end : hi;
  });
  return {
    range: [...used].join('+') || 'none',
    span: lo === null || hi === null ? '—' : `[${hex(lo)}, ${hex(hi)})`,
    allocations: WORKLOAD[type].pages.length - failed,
    failed,
  };
}

function bounds(p: Placement): [bigint, bigint] | null {
  const m = /^\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)$/.exec(p.span);
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : null;
}

export function simulateEntry(arch: string, type: ExecmemType, before: Side | null, after: Side | null): SimulationDiff | undefined {
  if (!profileFor(arch as ArchName)) return undefined;
  const b = before ? run(arch as ArchName, type, before, 'before') : null;
  const a = after ? run(arch as ArchName, type, after, 'after') : null;
  const notes: string[] = [];
  if (typeof b === 'string') notes.push(`before not simulated: ${b}`);
  if (typeof a === 'string') notes.push(`after not simulated: ${a}`);
  const bp = typeof b === 'object' ? b : null;
  const ap = typeof a === 'object' ? a : null;
  if (bp && ap) {
    const x = bounds(bp);
    const y = bounds(ap);
    if (bp.failed !== ap.failed) notes.push(`failures ${bp.failed} → ${ap.failed}`);
    if (!x || !y) notes.push('nothing placed on one side');
    else if (x[0] === y[0] && x[1] === y[1]) notes.push(`lands in the same place (${bp.range})`);
    else if (x[1] <= y[0] || y[1] <= x[0]) notes.push(`moves: ${bp.span} (${bp.range}) → ${ap.span} (${ap.range})`);
    else notes.push(`shifts within an overlapping range: ${bp.span} → ${ap.span}`);
  }
  return { workload: WORKLOAD[type].name, before: bp, after: ap, summary: notes.join('; ') };
}
