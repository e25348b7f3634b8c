/**
 * The execmem layer of mm/execmem.c (6.12) over the vmap engine:
 *   - a range per type from the variant's table, execmem_validate()'s checks
 *     reported as findings, execmem_init_missing() filling the types the
 *     design leaves unset (execmemInit.ts, the step the arch map runs too);
 *   - execmem_alloc(): __vmalloc_node_range() in [start, end), then in
 *     [fallback_start, fallback_end) when that fails and a fallback is set;
 *     the size rounded to pages, one guard page unless VM_NO_GUARD, PMD
 *     alignment and size for VM_ALLOW_HUGE_VMAP areas of at least PMD_SIZE;
 *   - EXECMEM_KASAN_SHADOW: kasan_alloc_module_shadow() for the area (its
 *     shadow lives in KASAN's own region, so it is counted, not placed).
 *   - EXECMEM_ROX_CACHE ranges (6.13+) hand out sub-page chunks of
 *     PMD-sized ROX areas (roxcache.ts); designs that use bpf_prog_pack put
 *     BPF programs in shared 2 MiB packs (bpfpack.ts).
 */
import type { ArchProfile } from './profiles';
import { resolveSymbols } from './profiles';
import { evaluate } from './expr';
import { Rng } from './random';
import { EXECMEM_TYPES, type ExecmemRange, type ExecmemType, hex, pgprotKind, type RangeTable, type VmFlag } from './types';
import type { Variant, VariantTable } from './variants';
import { BPF_PROG_CHUNK_SIZE, BPF_PROG_PACK_SIZE, BpfProgPack, type Pack } from './bpfpack';
import { RoxCache } from './roxcache';
import { ARCH_DATA } from './arches';
import { VmapSpace } from './vmap';
import { execmemInit, type RangeAccess } from './execmemInit';

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

type Backing = { kind: 'vm'; key: string } | { kind: 'cache' } | { kind: 'pack'; pack: Pack; pos: number };

export interface SimOptions {
  profile: ArchProfile;
  table: VariantTable;
  seed: number;
  kaslr: boolean;
  lazyFree: boolean;
  /** Ranges that replace the table's for those types. */
  rangeOverrides?: RangeTable;
}

/** What 0 is for a simulated range, for execmem_validate() and execmem_init_missing(). */
const NUMERIC_RANGES: RangeAccess<ExecmemRange> = {
  isZero: (r, field) => (field === 'pgprot' ? !r.pgprot || r.pgprot === '0' : field === 'alignment' ? r.alignment === 0 : r[field] === 0n),
  copyDefault: (def, _type, pgprot) => ({ ...def, flags: [...def.flags], pgprot }),
};

const fls = (x: number): number => (x <= 0 ? 0 : 32 - Math.clz32(x));

export class ExecmemSimulator {
  readonly variant: Variant;
  readonly profile: ArchProfile;
  readonly ranges: Record<ExecmemType, ExecmemRange>;
  readonly findings: Finding[] = [];
  readonly symbols: Map<string, bigint>;
  readonly allocations: Allocation[] = [];
  private readonly live = new Map<string, Allocation & { backing: Backing }>();
  /** Every vmalloc area: allocations of their own, ROX cache areas, BPF packs. */
  private readonly vmAreas = new Map<string, { startPage: number; pages: number; guard: boolean; type: ExecmemType }>();
  private nextVm = 0;
  private readonly roxCache: RoxCache;
  private readonly bpfPack = new BpfProgPack();
  private readonly packBackings = new Map<string, Backing>();
  private readonly usesPack: boolean;
  private readonly vmap: VmapSpace;
  private readonly page: bigint;
  fallbacks = 0;
  failures = 0;

  constructor(opts: SimOptions) {
    this.variant = opts.table.variant;
    this.profile = opts.profile;
    this.page = BigInt(opts.profile.pageSize);
    this.roxCache = new RoxCache(BigInt(opts.profile.pmdSize));
    this.usesPack = opts.table.bpfProgPack ?? false;
    const rng = new Rng(opts.seed);
    // arch/x86/mm/init.c: offset = get_random_u32_inclusive(1, 1024) * PAGE_SIZE when KASLR is on.
    const offset = opts.kaslr ? BigInt(rng.inclusive(1, 1024)) * this.page : 0n;
    this.symbols = resolveSymbols(opts.profile, { module_load_offset: offset });
    const kaslrRule = opts.kaslr ? ARCH_DATA.find((d) => d.profile.arch === opts.profile.arch)?.kaslr : undefined;
    if (kaslrRule) for (const [k, v] of Object.entries(kaslrRule(this.symbols, rng))) this.symbols.set(k, v);
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
    const movesWithKaslr = Object.values(opts.table.ranges).some((spec) => /module_load_offset/.test(`${spec.start} ${spec.end}`));
    if (opts.kaslr && !movesWithKaslr && !kaslrRule) {
      this.findings.push({ severity: 'warning', message: `KASLR placement is not modelled for ${opts.table.variant} on ${opts.profile.arch}; it runs with its KASLR-off layout` });
    }
  }

  private buildRanges(table: VariantTable, overrides: RangeTable): Record<ExecmemType, ExecmemRange> {
    const ev = (expr: string | undefined): bigint => (expr === undefined ? 0n : evaluate(expr, this.symbols));
    const given: RangeTable = {};
    for (const type of EXECMEM_TYPES) {
      const spec = table.ranges[type];
      if (spec) {
        given[type] = {
          start: ev(spec.start),
          end: ev(spec.end),
          fallback_start: ev(spec.fallback_start),
          fallback_end: ev(spec.fallback_end),
          pgprot: spec.pgprot,
          alignment: Number(ev(spec.alignment)),
          flags: [...(spec.flags ?? [])],
        };
      }
      if (overrides[type]) given[type] = { ...overrides[type]! };
    }
    const init = execmemInit(given, NUMERIC_RANGES, { initMissing: table.initMissing });
    if (init.unset.length > 0) {
      this.findings.push({
        severity: 'error',
        type: 'EXECMEM_DEFAULT',
        message: `execmem_validate() rejects the table: EXECMEM_DEFAULT needs alignment, start, end and pgprot, and ${init.unset.map((f) => `.${f}`).join(', ')} ${init.unset.length === 1 ? 'is' : 'are'} unset ("module loading will fail")`,
      });
    }
    // Types left without a range are reported below and fail every allocation.
    const out = init.ranges as Record<ExecmemType, ExecmemRange>;
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
      // PAGE_KERNEL_EXEC is writable and executable on the arches that define it; _ROX and _READ_EXEC are not writable.
      if (pgprotKind(r.pgprot) === 'rwx') {
        this.findings.push({ severity: 'info', type, message: `${type}: mapped ${r.pgprot} (writable and executable)` });
      }
    }
    return out;
  }

  /**
   * __vmalloc_node_range() in [start, end): base pages, or PMD-sized huge
   * mappings first for VM_ALLOW_HUGE_VMAP areas of at least PMD_SIZE (size and
   * alignment rounded to PMD_SIZE), falling back to base pages as the
   * kernel's "fail:" path does. Returns the vm area's key, or null.
   */
  private vmalloc(type: ExecmemType, size: number, alignBytes: number, start: bigint, end: bigint, vmFlags: readonly VmFlag[]): string | null {
    const pageSize = this.profile.pageSize;
    const guard = !vmFlags.includes('VM_NO_GUARD');
    const smallPages = Math.ceil(size / pageSize);
    const smallAlign = Math.max(1, Math.ceil(alignBytes / pageSize));
    const shapes: { pages: number; align: number }[] = [];
    if (vmFlags.includes('VM_ALLOW_HUGE_VMAP') && smallPages * pageSize >= this.profile.pmdSize) {
      const pmdPages = this.profile.pmdSize / pageSize;
      shapes.push({ pages: Math.ceil(smallPages / pmdPages) * pmdPages, align: Math.max(smallAlign, pmdPages) });
    }
    shapes.push({ pages: smallPages, align: smallAlign });
    for (const shape of shapes) {
      const at = this.vmap.alloc(shape.pages + (guard ? 1 : 0), shape.align, this.toPage(start), this.toPageFloor(end));
      if (at < 0) continue;
      const key = `vm${this.nextVm++}`;
      this.vmAreas.set(key, { startPage: at, pages: shape.pages, guard, type });
      return key;
    }
    return null;
  }

  /** A vm area in the type's range, then in its fallback: __execmem_alloc / execmem_vmalloc. */
  private rangeAlloc(type: ExecmemType, size: number, vmFlags: readonly VmFlag[], alignOverride?: number): { key: string; fallback: boolean } | null {
    const r = this.ranges[type];
    if (!r || r.end <= r.start) return null;
    const align = alignOverride ?? r.alignment;
    const primary = this.vmalloc(type, size, align, r.start, r.end, vmFlags);
    if (primary) return { key: primary, fallback: false };
    if (!r.fallback_start) return null;
    const fallback = this.vmalloc(type, size, align, r.fallback_start, r.fallback_end, vmFlags);
    return fallback ? { key: fallback, fallback: true } : null;
  }

  private vmStart(key: string): bigint {
    return BigInt(this.vmAreas.get(key)!.startPage) * this.page;
  }

  private vmFree(key: string): void {
    const a = this.vmAreas.get(key);
    if (!a) return;
    this.vmAreas.delete(key);
    this.vmap.free({ start: a.startPage, pages: a.pages + (a.guard ? 1 : 0) });
  }

  /** execmem_alloc(type, size): the ROX cache for ranges with EXECMEM_ROX_CACHE, vmalloc otherwise. */
  private execmemAlloc(type: ExecmemType, size: number, vmFlags: readonly VmFlag[]): { start: bigint; end: bigint; range: Allocation['range']; backing: Backing } | null {
    const r = this.ranges[type];
    if (r?.flags.includes('EXECMEM_ROX_CACHE')) {
      const want = BigInt(size);
      let at = this.roxCache.take(r, want);
      if (at === null) {
        // execmem_cache_populate(): round_up(size, PMD_SIZE) with VM_ALLOW_HUGE_VMAP, so PMD-aligned.
        const bytes = this.roxCache.populateSize(want);
        const got = this.rangeAlloc(type, Number(bytes), ['VM_ALLOW_HUGE_VMAP'], this.profile.pmdSize);
        if (!got) return null;
        this.roxCache.recordArea(this.vmStart(got.key), bytes, got.key);
        at = this.roxCache.take(r, want);
        if (at === null) return null;
      }
      return { start: at, end: at + want, range: 'cache', backing: { kind: 'cache' } };
    }
    const got = this.rangeAlloc(type, size, vmFlags);
    if (!got) return null;
    const start = this.vmStart(got.key);
    const pages = this.vmAreas.get(got.key)!.pages;
    return { start, end: start + BigInt(pages) * this.page, range: got.fallback ? 'fallback' : 'primary', backing: { kind: 'vm', key: got.key } };
  }

  /** bpf_jit_binary_pack_alloc(): programs share 2 MiB packs of 64-byte chunks. */
  private packAlloc(size: number, vmFlags: readonly VmFlag[]): { start: bigint; end: bigint; range: Allocation['range']; backing: Backing } | null {
    if (size > BPF_PROG_PACK_SIZE) {
      const own = this.execmemAlloc('EXECMEM_BPF', Math.ceil(size / this.profile.pageSize) * this.profile.pageSize, vmFlags);
      return own;
    }
    let place = this.bpfPack.take(size);
    if (!place) {
      const backing = this.execmemAlloc('EXECMEM_BPF', BPF_PROG_PACK_SIZE, vmFlags);
      if (!backing) return null;
      const handle = `pack${this.nextVm++}`;
      this.packBackings.set(handle, backing.backing);
      this.bpfPack.addPack(backing.start, handle);
      place = this.bpfPack.take(size);
      if (!place) return null;
    }
    const start = place.pack.ptr + BigInt(place.pos * BPF_PROG_CHUNK_SIZE);
    return { start, end: start + BigInt(this.bpfPack.nbits(size) * BPF_PROG_CHUNK_SIZE), range: 'pack', backing: { kind: 'pack', pack: place.pack, pos: place.pos } };
  }

  /** execmem_alloc(type, size), or bpf_prog_pack for BPF where the design uses it. */
  alloc(id: string, type: ExecmemType, size: number, vmFlags: readonly VmFlag[] = []): Allocation {
    if (this.live.has(id)) throw new Error(`allocation id "${id}" is already live`);
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`allocation "${id}": size must be a positive whole number of bytes, got ${size}`);
    const guard = !vmFlags.includes('VM_NO_GUARD');
    const result: Allocation = { id, type, size, start: null, end: null, range: 'primary', failed: true, pages: Math.ceil(size / this.profile.pageSize) + (guard ? 1 : 0), guard, kasanShadow: 0 };
    const got = type === 'EXECMEM_BPF' && this.usesPack ? this.packAlloc(size, vmFlags) : this.execmemAlloc(type, size, vmFlags);
    if (got) {
      result.failed = false;
      result.start = got.start;
      result.end = got.end;
      result.range = got.range;
      if (got.range === 'fallback') this.fallbacks++;
      if (got.backing.kind === 'vm') {
        const area = this.vmAreas.get(got.backing.key)!;
        result.pages = area.pages + (area.guard ? 1 : 0);
      } else {
        result.pages = 0;
        result.guard = false;
      }
      const r = this.ranges[type];
      if (r?.flags.includes('EXECMEM_KASAN_SHADOW') && got.backing.kind === 'vm') result.kasanShadow = Math.ceil(Number(got.end - got.start) / 8);
      this.live.set(id, { ...result, backing: got.backing });
    } else this.failures++;
    this.allocations.push(result);
    return result;
  }

  /** execmem_free(ptr) / bpf_prog_pack_free(). */
  free(id: string): void {
    const a = this.live.get(id);
    if (!a) throw new Error(`free: no live allocation "${id}"`);
    this.live.delete(id);
    const b = a.backing;
    if (b.kind === 'vm') this.vmFree(b.key);
    else if (b.kind === 'cache') {
      this.roxCache.release(a.start!);
      for (const key of this.roxCache.clean()) this.vmFree(key);
    } else {
      const emptied = this.bpfPack.release(b.pack, b.pos, a.size);
      if (emptied) {
        const backing = this.packBackings.get(emptied)!;
        this.packBackings.delete(emptied);
        if (backing.kind === 'vm') this.vmFree(backing.key);
        else if (backing.kind === 'cache') {
          this.roxCache.release(b.pack.ptr);
          for (const key of this.roxCache.clean()) this.vmFree(key);
        }
      }
    }
  }

  /** The huge areas the ROX cache holds now (each PMD-aligned, a whole number of PMDs). */
  roxCacheAreas(): { start: bigint; end: bigint }[] {
    return [...this.roxCache.areas].map(([start, a]) => ({ start, end: a.end })).sort((a, b) => (a.start < b.start ? -1 : 1));
  }

  liveAllocations(): Allocation[] {
    return [...this.live.values()].map(({ backing: _backing, ...a }) => a);
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
    const textPages = new Set<bigint>();
    let lo: bigint | null = null;
    let hi: bigint | null = null;
    let shadow = 0;
    for (const a of live) {
      const s = a.start!;
      const e = a.end!;
      const t = perType[a.type]!;
      t.areas++;
      t.bytes += a.size;
      t.pages += Number((e - 1n) / this.page - s / this.page + 1n);
      shadow += a.kasanShadow;
      if (lo === null || s < lo) lo = s;
      if (hi === null || e > hi) hi = e;
      const text = a.type !== 'EXECMEM_MODULE_DATA';
      for (let f = s / pmd; f <= (e - 1n) / pmd; f++) {
        hugeAll.add(f);
        if (text) hugeText.add(f);
      }
      // Sub-page chunks (ROX cache, BPF packs) share pages: count each page once.
      if (text) for (let p = s / this.page; p <= (e - 1n) / this.page; p++) textPages.add(p);
    }
    const vms = [...this.vmAreas.values()];
    const ranges = this.distinctRanges().map(({ name, start, end }) => {
      const sp = this.toPage(start);
      const ep = this.toPageFloor(end);
      const blocks = this.vmap.freeBlocks(sp, ep);
      const totalFree = blocks.reduce((n, b) => n + (b.end - b.start), 0);
      const largest = blocks.reduce((n, b) => Math.max(n, b.end - b.start), 0);
      const inside = vms.filter((a) => a.startPage >= sp && a.startPage < ep);
      return {
        name,
        start: hex(start),
        end: hex(end),
        areas: inside.length,
        pagesUsed: inside.reduce((n, a) => n + a.pages, 0),
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
      itlbEntries4k: textPages.size,
      itlbEntries2m: hugeText.size,
      kasanShadowBytes: shadow,
      failures: this.failures,
      fallbacks: this.fallbacks,
      purges: this.vmap.purges,
      roxCacheAreas: this.roxCache.areas.size,
      bpfPacks: this.bpfPack.packs.length,
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
  /** Huge areas the ROX cache holds. */
  roxCacheAreas: number;
  /** BPF program packs in use. */
  bpfPacks: number;
}
