/**
 * The ROX cache of mm/execmem.c (Linux 6.13, "x86/module: use large ROX
 * pages for text allocations" v7 in the corpus):
 *   - __execmem_cache_alloc: the first free area, by address, that is at
 *     least the requested size and lies in the range (addr >= start and
 *     addr + size < end, or the same in the fallback range) gives its first
 *     `size` bytes; the rest stays free;
 *   - execmem_cache_populate: when nothing fits, vmalloc round_up(size,
 *     PMD_SIZE) bytes with VM_ALLOW_HUGE_VMAP (so PMD-aligned) from the range
 *     and add it to the free areas, merged with free neighbours;
 *   - execmem_cache_free: the chunk goes back to the free areas, merged;
 *   - execmem_cache_clean (a work item; run at once here): a free area that
 *     is PMD-aligned and a whole number of PMDs is vfree()d.
 * Addresses are bigint bytes: chunks are smaller than a page.
 */

export interface Span {
  start: bigint;
  end: bigint;
}

export interface CacheRange {
  start: bigint;
  end: bigint;
  fallback_start: bigint;
  fallback_end: bigint;
}

export class RoxCache {
  /** Free areas, address order, never touching (merged). */
  readonly free: Span[] = [];
  /** Busy chunks: start → size. */
  readonly busy = new Map<bigint, bigint>();
  /** Areas the cache took from vmalloc: start → the populate handle. */
  readonly areas = new Map<bigint, { end: bigint; handle: string }>();

  constructor(private readonly pmd: bigint) {}

  private withinRange(r: CacheRange, addr: bigint, size: bigint): boolean {
    if (addr >= r.start && addr + size < r.end) return true;
    return r.fallback_start !== 0n && addr >= r.fallback_start && addr + size < r.fallback_end;
  }

  /** __execmem_cache_alloc: a chunk from the free areas, or null. */
  take(r: CacheRange, size: bigint): bigint | null {
    const i = this.free.findIndex((f) => f.end - f.start >= size && this.withinRange(r, f.start, size));
    if (i < 0) return null;
    const f = this.free[i]!;
    const addr = f.start;
    if (f.end - f.start === size) this.free.splice(i, 1);
    else f.start += size;
    this.busy.set(addr, size);
    return addr;
  }

  /** execmem_cache_add: give [start, start+size) to the free areas, merged with neighbours. */
  add(start: bigint, size: bigint): void {
    const end = start + size;
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < start) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if (prev && prev.end === start && next && next.start === end) {
      prev.end = next.end;
      this.free.splice(i, 1);
    } else if (prev && prev.end === start) prev.end = end;
    else if (next && next.start === end) next.start = start;
    else this.free.splice(i, 0, { start, end });
  }

  /** The round_up(size, PMD_SIZE) a populate asks vmalloc for. */
  populateSize(size: bigint): bigint {
    return ((size + this.pmd - 1n) / this.pmd) * this.pmd;
  }

  recordArea(start: bigint, size: bigint, handle: string): void {
    this.areas.set(start, { end: start + size, handle });
    this.add(start, size);
  }

  /** execmem_cache_free: false when the pointer is not a cached chunk. */
  release(addr: bigint): boolean {
    const size = this.busy.get(addr);
    if (size === undefined) return false;
    this.busy.delete(addr);
    this.add(addr, size);
    return true;
  }

  /** execmem_cache_clean: the handles of whole free huge areas, taken out of the cache. */
  clean(): string[] {
    const out: string[] = [];
    for (let i = this.free.length - 1; i >= 0; i--) {
      const f = this.free[i]!;
      const size = f.end - f.start;
      if (size % this.pmd !== 0n || f.start % this.pmd !== 0n) continue;
      const area = this.areas.get(f.start);
      // The free span is exactly one area vmalloc gave (areas never merge: a guard page parts them).
      if (!area || area.end !== f.end) continue;
      this.free.splice(i, 1);
      this.areas.delete(f.start);
      out.push(area.handle);
    }
    return out;
  }
}
