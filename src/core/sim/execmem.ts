/**
 * The execmem layer of mm/execmem.c (6.12) over the vmap engine:
 *   - a range per type from the variant's table, execmem_init_missing()
 *     filling the types the design leaves unset, execmem_validate()'s checks
 *     reported as findings;
 *   - execmem_alloc(): __vmalloc_node_range() in [start, end), then in
 *     [fallback_start, fallback_end) when that fails and a fallback is set;
 *     the size rounded to pages, one guard page unless VM_NO_GUARD, PMD
 *     alignment and size for VM_ALLOW_HUGE_VMAP areas of at least PMD_SIZE;
 *   - EXECMEM_KASAN_SHADOW: kasan_alloc_module_shadow() for the area (its
 *     shadow lives in KASAN's own region, so it is counted, not placed).
 * The ROX cache and bpf_prog_pack come with the execmem-rox variant.
 */
import type { ArchProfile } from './profiles';
import { resolveSymbols } from './profiles';
import { evaluate } from './expr';
import { Rng } from './random';
import { EXECMEM_TYPES, type ExecmemRange, type ExecmemType, hex, type RangeTable, type VmFlag } from './types';
import type { Variant, VariantTable } from './variants';
import { VmapSpace } from './vmap';

export interface Finding {
  severity: 'error' | 'warning' | 'info';
  type?: ExecmemType;
  message: string;
}

export interface Allocation {
  id: string;
  type: ExecmemType;
  /** Requested size in bytes. */
  size: number;
  start: bigint | null;
  /** End of the usable area (the guard page after it excluded). */
  end: bigint | null;
  range: 'primary' | 'fallback' | 'cache' | 'pack';
  failed: boolean;
  /** Pages reserved, guard included. */
  pages: number;
  guard: boolean;
  /** Bytes of KASAN shadow allocated for it (EXECMEM_KASAN_SHADOW). */
  kasanShadow: number;
}

export interface SimOptions {
  profile: ArchProfile;
  table: VariantTable;
  seed: number;
  kaslr: boolean;
  lazyFree: boolean;
  /** Ranges that replace the table's for those types. */
  rangeOverrides?: RangeTable;
}

const fls = (x: number): number => (x <= 0 ? 0 : 32 - Math.clz32(x));

export class ExecmemSimulator {
  readonly variant: Variant;
  readonly profile: ArchProfile;
  readonly ranges: Record<ExecmemType, ExecmemRange>;
  readonly findings: Finding[] = [];
  readonly symbols: Map<string, bigint>;
  readonly allocations: Allocation[] = [];
  private readonly live = new Map<string, Allocation & { startPage: number }>();
  private readonly vmap: VmapSpace;
  private readonly page: bigint;
  fallbacks = 0;
  failures = 0;

  constructor(opts: SimOptions) {
    this.variant = opts.table.variant;
    this.profile = opts.profile;
    this.page = BigInt(opts.profile.pageSize);
    const rng = new Rng(opts.seed);
    // arch/x86/mm/init.c: offset = get_random_u32_inclusive(1, 1024) * PAGE_SIZE when KASLR is on.
    const offset = opts.kaslr ? BigInt(rng.inclusive(1, 1024)) * this.page : 0n;
    this.symbols = resolveSymbols(opts.profile, { module_load_offset: offset });
    this.ranges = this.buildRanges(opts.table, opts.rangeOverrides ?? {});
    this.vmap = new VmapSpace({
      lazyFree: opts.lazyFree,
      // lazy_max_pages(): fls(num_online_cpus()) * 32 MiB / PAGE_SIZE.
      lazyMaxPages: (fls(opts.profile.cpus) * 32 * 1024 * 1024) / opts.profile.pageSize,
      spaceStart: 1,
      spaceEnd: Number((1n << BigInt(opts.profile.bits)) / this.page),
    });
    for (const r of opts.table.reserved ?? []) {
      const start = evaluate(r.start, this.symbols);
      const end = evaluate(r.end, this.symbols);
      this.vmap.reserve(this.toPageFloor(start), this.toPage(end));
      this.findings.push({ severity: 'info', message: `${r.what} occupies [${hex(start)}, ${hex(end)}) from boot` });
    }
    if (opts.kaslr && opts.profile.arch !== 'x86') {
      this.findings.push({ severity: 'warning', message: `KASLR placement is modelled for x86 only so far; ${opts.profile.arch} runs with its KASLR-off layout` });
    }
  }

  private buildRanges(table: VariantTable, overrides: RangeTable): Record<ExecmemType, ExecmemRange> {
    const ev = (expr: string | undefined): bigint => (expr === undefined ? 0n : evaluate(expr, this.symbols));
    const out = {} as Record<ExecmemType, ExecmemRange>;
    for (const type of EXECMEM_TYPES) {
      const spec = table.ranges[type];
      if (spec) {
        out[type] = {
          start: ev(spec.start),
          end: ev(spec.end),
          fallback_start: ev(spec.fallback_start),
          fallback_end: ev(spec.fallback_end),
          pgprot: spec.pgprot,
          alignment: Number(ev(spec.alignment)),
          flags: [...(spec.flags ?? [])],
        };
      }
      if (overrides[type]) out[type] = { ...overrides[type]! };
    }
    const def = out.EXECMEM_DEFAULT;
    // execmem_validate(): EXECMEM_DEFAULT needs alignment, start, end and pgprot.
    if (!def || !def.alignment || !def.start || !def.end || !def.pgprot) {
      this.findings.push({
        severity: 'error',
        type: 'EXECMEM_DEFAULT',
        message: 'execmem_validate() rejects the table: EXECMEM_DEFAULT needs alignment, start, end and pgprot ("module loading will fail")',
      });
    }
    if (table.initMissing && def) {
      for (const type of EXECMEM_TYPES) {
        if (type === 'EXECMEM_DEFAULT' || (out[type] && out[type].start)) continue;
        out[type] = { ...def, flags: [...def.flags], pgprot: type === 'EXECMEM_MODULE_DATA' ? 'PAGE_KERNEL' : def.pgprot };
      }
    }
    for (const type of EXECMEM_TYPES) {
      const r = out[type];
      if (!r) {
        this.findings.push({ severity: 'error', type, message: `${type} has no range in this design` });
        continue;
      }
      if (r.end <= r.start) this.findings.push({ severity: 'error', type, message: `${type}: range [${hex(r.start)}, ${hex(r.end)}) is empty or inverted` });
      if (r.fallback_start && r.fallback_end <= r.fallback_start) {
        this.findings.push({ severity: 'warning', type, message: `${type}: fallback [${hex(r.fallback_start)}, ${hex(r.fallback_end)}) is empty or inverted` });
      }
      if (/EXEC/.test(r.pgprot) && !/RO/.test(r.pgprot)) this.findings.push({ severity: 'info', type, message: `${type}: mapped ${r.pgprot} (writable and executable)` });
    }
    return out;
  }

  /** execmem_alloc(type, size). */
  alloc(id: string, type: ExecmemType, size: number, vmFlags: readonly VmFlag[] = []): Allocation {
    if (this.live.has(id)) throw new Error(`allocation id "${id}" is already live`);
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`allocation "${id}": size must be a positive whole number of bytes, got ${size}`);
    const r = this.ranges[type];
    const pageSize = this.profile.pageSize;
    const guard = !vmFlags.includes('VM_NO_GUARD');
    const smallPages = Math.ceil(size / pageSize);
    const smallAlign = Math.max(1, Math.ceil((r?.alignment ?? 1) / pageSize));
    // __vmalloc_node_range(): huge mappings for VM_ALLOW_HUGE_VMAP areas of at least
    // PMD_SIZE, size and alignment rounded to PMD_SIZE; when that fails, it tries
    // again with base pages (the "fail:" path drops shift to PAGE_SHIFT).
    const shapes: { pages: number; align: number }[] = [];
    if (vmFlags.includes('VM_ALLOW_HUGE_VMAP') && smallPages * pageSize >= this.profile.pmdSize) {
      const pmdPages = this.profile.pmdSize / pageSize;
      shapes.push({ pages: Math.ceil(smallPages / pmdPages) * pmdPages, align: Math.max(smallAlign, pmdPages) });
    }
    shapes.push({ pages: smallPages, align: smallAlign });
    const vmalloc = (start: bigint, end: bigint): { at: number; pages: number } => {
      for (const shape of shapes) {
        const at = this.vmap.alloc(shape.pages + (guard ? 1 : 0), shape.align, this.toPage(start), this.toPageFloor(end));
        if (at >= 0) return { at, pages: shape.pages };
      }
      return { at: -1, pages: shapes[shapes.length - 1]!.pages };
    };
    const result: Allocation = { id, type, size, start: null, end: null, range: 'primary', failed: true, pages: smallPages + (guard ? 1 : 0), guard, kasanShadow: 0 };
    if (r && r.end > r.start) {
      let got = vmalloc(r.start, r.end);
      if (got.at < 0 && r.fallback_start) {
        got = vmalloc(r.fallback_start, r.fallback_end);
        if (got.at >= 0) {
          result.range = 'fallback';
          this.fallbacks++;
        }
      }
      if (got.at >= 0) {
        result.failed = false;
        result.pages = got.pages + (guard ? 1 : 0);
        result.start = BigInt(got.at) * this.page;
        result.end = result.start + BigInt(got.pages) * this.page;
        if (r.flags.includes('EXECMEM_KASAN_SHADOW')) result.kasanShadow = Math.ceil((got.pages * pageSize) / 8);
        this.live.set(id, { ...result, startPage: got.at });
      }
    }
    if (result.failed) this.failures++;
    this.allocations.push(result);
    return result;
  }

  /** execmem_free(ptr). */
  free(id: string): void {
    const a = this.live.get(id);
    if (!a) throw new Error(`free: no live allocation "${id}"`);
    this.live.delete(id);
    this.vmap.free({ start: a.startPage, pages: a.pages });
  }

  liveAllocations(): Allocation[] {
    return [...this.live.values()].map(({ startPage: _startPage, ...a }) => a);
  }

  private toPage(addr: bigint): number {
    return Number((addr + this.page - 1n) / this.page);
  }

  private toPageFloor(addr: bigint): number {
    return Number(addr / this.page);
  }

  metrics(): Metrics {
    const pageSize = this.profile.pageSize;
    const pmd = BigInt(this.profile.pmdSize);
    const live = [...this.live.values()];
    const perType: Record<string, { areas: number; bytes: number; pages: number }> = {};
    for (const t of EXECMEM_TYPES) perType[t] = { areas: 0, bytes: 0, pages: 0 };
    const hugeAll = new Set<bigint>();
    const hugeText = new Set<bigint>();
    let textPages = 0;
    let lo: bigint | null = null;
    let hi: bigint | null = null;
    let shadow = 0;
    for (const a of live) {
      const usable = a.pages - (a.guard ? 1 : 0);
      const t = perType[a.type]!;
      t.areas++;
      t.bytes += a.size;
      t.pages += usable;
      shadow += a.kasanShadow;
      const s = a.start!;
      const e = a.end!;
      if (lo === null || s < lo) lo = s;
      if (hi === null || e > hi) hi = e;
      for (let f = s / pmd; f <= (e - 1n) / pmd; f++) {
        hugeAll.add(f);
        if (a.type !== 'EXECMEM_MODULE_DATA') hugeText.add(f);
      }
      if (a.type !== 'EXECMEM_MODULE_DATA') textPages += usable;
    }
    const ranges = this.distinctRanges().map(({ name, start, end }) => {
      const sp = this.toPage(start);
      const ep = this.toPageFloor(end);
      const blocks = this.vmap.freeBlocks(sp, ep);
      const totalFree = blocks.reduce((n, b) => n + (b.end - b.start), 0);
      const largest = blocks.reduce((n, b) => Math.max(n, b.end - b.start), 0);
      const inside = live.filter((a) => a.startPage >= sp && a.startPage < ep);
      return {
        name,
        start: hex(start),
        end: hex(end),
        areas: inside.length,
        pagesUsed: inside.reduce((n, a) => n + a.pages - (a.guard ? 1 : 0), 0),
        guardPages: inside.reduce((n, a) => n + (a.guard ? 1 : 0), 0),
        bytesFree: totalFree * pageSize,
        largestFreeBytes: largest * pageSize,
        // largest free block / total free: 1 means all free space is one block.
        fragmentation: totalFree ? largest / totalFree : 1,
      };
    });
    return {
      liveAreas: live.length,
      perType,
      ranges,
      virtualSpan: lo !== null && hi !== null ? Number(hi - lo) : 0,
      hugePagesTouched: hugeAll.size,
      itlbEntries4k: textPages,
      itlbEntries2m: hugeText.size,
      kasanShadowBytes: shadow,
      failures: this.failures,
      fallbacks: this.fallbacks,
      purges: this.vmap.purges,
    };
  }

  /** Each distinct address range of the table, named by the types and role that use it. */
  distinctRanges(): { name: string; start: bigint; end: bigint }[] {
    const byKey = new Map<string, { names: string[]; start: bigint; end: bigint }>();
    for (const t of EXECMEM_TYPES) {
      const r = this.ranges[t];
      if (!r) continue;
      const add = (start: bigint, end: bigint, role: string) => {
        if (!start || end <= start) return;
        const key = `${start}:${end}`;
        const e = byKey.get(key) ?? { names: [], start, end };
        e.names.push(`${t}${role}`);
        byKey.set(key, e);
      };
      add(r.start, r.end, '');
      add(r.fallback_start, r.fallback_end, ' fallback');
    }
    return [...byKey.values()].map((e) => ({ name: e.names.join(', '), start: e.start, end: e.end }));
  }
}

export interface Metrics {
  liveAreas: number;
  perType: Record<string, { areas: number; bytes: number; pages: number }>;
  ranges: {
    name: string;
    start: string;
    end: string;
    areas: number;
    pagesUsed: number;
    guardPages: number;
    bytesFree: number;
    largestFreeBytes: number;
    fragmentation: number;
  }[];
  virtualSpan: number;
  hugePagesTouched: number;
  itlbEntries4k: number;
  itlbEntries2m: number;
  kasanShadowBytes: number;
  failures: number;
  fallbacks: number;
  purges: number;
}
