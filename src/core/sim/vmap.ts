/**
 * The vmap allocator of mm/vmalloc.c (Linux 6.12), the part that decides
 * where a vmalloc area lands:
 *   - one tree of free address space, kept sorted by address and augmented
 *     with the largest free block below each node (the kernel's
 *     free_vmap_area_root with subtree_max_size), here a B+-tree (freeTree.ts);
 *   - find_vmap_lowest_match: the lowest-address free block where the
 *     aligned area fits, skipping every subtree whose largest block is
 *     shorter than the search length, which grows by align - 1 when
 *     align > PAGE_SIZE;
 *   - va_clip: the chosen block is cut around the new area;
 *   - freeing merges the area back with its free neighbours
 *     (merge_or_add_vmap_area), lazily: freed areas wait on a purge list
 *     until more than lazy_max_pages() pages wait or an allocation fails,
 *     which purges and retries once (alloc_vmap_area's overflow path).
 *
 * Addresses and sizes are in pages (numbers, exact below 2^53, which covers
 * every 64-bit kernel address divided by the page size). The caller adds the
 * guard page (__get_vm_area_node adds PAGE_SIZE unless VM_NO_GUARD) and the
 * huge-page alignment (__vmalloc_node_range, VM_ALLOW_HUGE_VMAP).
 *
 * Simplifications, each documented where it matters:
 *   - 6.9+ keeps per-node pools of recently freed small areas for the default
 *     VMALLOC range (node_alloc); this engine always uses the global tree.
 *   - with page alignment (all but huge and explicitly aligned requests) the
 *     kernel's walk returns the lowest block that fits, and so does this
 *     engine. With a larger alignment this engine takes the lowest block of
 *     at least the search length (where the aligned area always fits), or
 *     the block holding vstart if the area fits there. The kernel's walk
 *     also tries each block it passes on its way down its RB tree, so,
 *     depending on the tree's shape, it sometimes takes a lower block that
 *     fits only thanks to alignment slack (or finds one when no block has
 *     the search length).
 */

import { FreeTree } from './freeTree';

export interface VmapArea {
  start: number;
  /** Pages, guard page included. */
  pages: number;
}

export interface VmapOptions {
  /** Freed areas wait for a purge, as in the kernel (default true). */
  lazyFree: boolean;
  /** lazy_max_pages(): fls(num_online_cpus()) * 32 MiB of pages. */
  lazyMaxPages: number;
  /** First and last (exclusive) page of the address space. */
  spaceStart: number;
  spaceEnd: number;
}

const DEFAULT_VMAP_OPTIONS: VmapOptions = {
  lazyFree: true,
  // fls(4) * 32 MiB / 4 KiB: four CPUs online, 4 KiB pages.
  lazyMaxPages: 3 * 8192,
  spaceStart: 1,
  spaceEnd: 2 ** 52,
};

export class VmapSpace {
  private readonly tree = new FreeTree();
  private readonly lazy: VmapArea[] = [];
  private lazyPages = 0;
  readonly options: VmapOptions;
  /** Purges done (for metrics). */
  purges = 0;

  constructor(options: Partial<VmapOptions> = {}) {
    this.options = { ...DEFAULT_VMAP_OPTIONS, ...options };
    const t = this.tree;
    t.insert(t.findLeaf(this.options.spaceStart), 0, this.options.spaceStart, this.options.spaceEnd);
  }

  /**
   * Reserves `pages` pages (guard included) aligned to `align` pages in
   * [vstart, vend). Returns the start page, or -1 when nothing fits even after
   * purging lazily freed areas.
   */
  alloc(pages: number, align: number, vstart: number, vend: number): number {
    if (!(pages > 0) || !Number.isInteger(pages)) throw new RangeError(`vmap: size must be a whole number of pages, got ${pages}`);
    if (align < 1 || (align & (align - 1)) !== 0) throw new RangeError(`vmap: alignment must be a power of two, got ${align}`);
    let at = this.tryAlloc(pages, align, vstart, vend);
    if (at < 0 && this.lazy.length > 0) {
      this.purge();
      at = this.tryAlloc(pages, align, vstart, vend);
    }
    return at;
  }

  private tryAlloc(pages: number, align: number, vstart: number, vend: number): number {
    const t = this.tree;
    // __alloc_vmap_area: no search-length adjustment for page alignment or an exact-size range.
    const adjust = !(align <= 1 || vend - vstart === pages);
    const i = t.lowestMatch(pages, align, vstart, adjust ? pages + align - 1 : pages);
    if (i < 0) return -1;
    const leaf = t.foundLeaf;
    const at = t.fitIn(leaf, i, pages, align, vstart);
    if (at + pages > vend) return -1;
    this.clip(leaf, i, at, pages);
    return at;
  }

  /** va_clip: cut [at, at+pages) out of free block i of `leaf`. */
  private clip(leaf: number, i: number, at: number, pages: number): void {
    const t = this.tree;
    const end = at + pages;
    const blockStart = t.start(leaf, i);
    const blockEnd = t.end(leaf, i);
    if (blockStart === at && blockEnd === end) {
      t.remove(leaf, i);
    } else if (blockStart === at) {
      // Left edge: the start grows but stays below the next block's, so the block keeps its place.
      t.setBounds(leaf, i, end, blockEnd);
    } else if (blockEnd === end) {
      t.setBounds(leaf, i, blockStart, at);
    } else {
      t.setBounds(leaf, i, blockStart, at);
      t.insert(leaf, i + 1, end, blockEnd);
    }
  }

  free(area: VmapArea): void {
    if (!this.options.lazyFree) {
      this.release(area.start, area.start + area.pages);
      return;
    }
    this.lazy.push(area);
    this.lazyPages += area.pages;
    if (this.lazyPages > this.options.lazyMaxPages) this.purge();
  }

  /**
   * Marks [start, end) busy before any allocation, as vmap_init_free_space()
   * leaves out the areas registered at boot (the kernel image on arm64).
   */
  reserve(start: number, end: number): void {
    const t = this.tree;
    const leaf = t.findLeaf(start);
    const i = t.upperBound(leaf, start) - 1;
    if (i < 0 || t.end(leaf, i) < end) throw new Error(`vmap: [${start}, ${end}) is not free to reserve`);
    this.clip(leaf, i, start, end - start);
  }

  /** Returns every lazily freed area to the free tree (__purge_vmap_area_lazy). */
  purge(): void {
    for (const a of this.lazy) this.release(a.start, a.start + a.pages);
    if (this.lazy.length) this.purges++;
    this.lazy.length = 0;
    this.lazyPages = 0;
  }

  /** Pages freed but not yet purged. */
  get lazyPending(): number {
    return this.lazyPages;
  }

  /** merge_or_add_vmap_area: give [start, end) back, joined with the free blocks it touches. */
  private release(start: number, end: number): void {
    const t = this.tree;
    // The block before is the last one starting at or below `start`, in the leaf that holds
    // `start`'s place (or none there, in the leftmost leaf); the one after is the next in
    // address order, maybe the first of the next leaf.
    const leaf = t.findLeaf(start);
    const pos = t.upperBound(leaf, start);
    const prev = pos - 1;
    let nextLeaf = leaf;
    let next = pos;
    if (pos === t.fillOf(leaf)) {
      nextLeaf = t.nextLeaf(leaf);
      next = 0;
    }
    if (prev >= 0 && t.end(leaf, prev) > start) throw new Error(`vmap: freeing [${start}, ${end}) overlaps free space at ${t.start(leaf, prev)}`);
    if (nextLeaf >= 0 && t.start(nextLeaf, next) < end) throw new Error(`vmap: freeing [${start}, ${end}) overlaps free space at ${t.start(nextLeaf, next)}`);
    const joinNext = nextLeaf >= 0 && t.start(nextLeaf, next) === end;
    const joinPrev = prev >= 0 && t.end(leaf, prev) === start;
    if (joinPrev && joinNext) {
      // Grow the block before over both, then drop the one after (which may reshape the tree).
      t.setBounds(leaf, prev, t.start(leaf, prev), t.end(nextLeaf, next));
      t.remove(nextLeaf, next);
    } else if (joinPrev) {
      t.setBounds(leaf, prev, t.start(leaf, prev), end);
    } else if (joinNext) {
      t.setBounds(nextLeaf, next, start, t.end(nextLeaf, next));
    } else {
      t.insert(leaf, pos, start, end);
    }
  }

  /** Free blocks overlapping [from, to), clipped to it, in address order. */
  freeBlocks(from: number, to: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    this.tree.each(from, to, (s, e) => out.push({ start: Math.max(s, from), end: Math.min(e, to) }));
    return out;
  }

  /** Number of free blocks in the whole space (for tests and metrics). */
  get freeBlockCount(): number {
    return this.tree.count;
  }

  /** The free tree's invariants (for tests): a description of the first one broken, or null. */
  checkFreeTree(): string | null {
    return this.tree.verify();
  }
}
