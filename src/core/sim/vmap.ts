/**
 * The vmap allocator of mm/vmalloc.c (Linux 6.12), the part that decides
 * where a vmalloc area lands:
 *   - one tree of free address space, kept sorted by address and augmented
 *     with the largest free block below each node (the kernel's
 *     free_vmap_area_root with subtree_max_size), here an AVL tree;
 *   - find_vmap_lowest_match: the lowest-address free block where the
 *     aligned area fits, found by the kernel's own walk (descend left while
 *     the left subtree holds a block of the search length, roll back through
 *     parents), the search length growing by align - 1 when align > PAGE_SIZE;
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
 *   - the kernel's search can return a different block than this one only when
 *     an RB tree of another shape prunes differently around a block that fits
 *     solely thanks to alignment slack; both return a fitting block, and with
 *     page alignment (all but huge and explicitly aligned requests) the same one.
 */

/**
 * The free tree: an AVL tree keyed by block start, augmented with the largest
 * block size in each subtree, stored as parallel typed arrays indexed by node
 * number (−1 is "none"). Arrays rather than objects keep a tree of 100,000
 * blocks compact in cache and free of garbage collection; parent links let
 * the lowest-match search roll back exactly as the kernel's does.
 */
class FreeTree {
  start = new Float64Array(64);
  end = new Float64Array(64);
  max = new Float64Array(64);
  left = new Int32Array(64).fill(-1);
  right = new Int32Array(64).fill(-1);
  parent = new Int32Array(64).fill(-1);
  height = new Int32Array(64);
  root = -1;
  private spare: number[] = [];
  private used = 0;
  count = 0;

  private grow(): void {
    const n = this.start.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill: number) => {
      const b = new Int32Array(n).fill(fill);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.end = f64(this.end);
    this.max = f64(this.max);
    this.left = i32(this.left, -1);
    this.right = i32(this.right, -1);
    this.parent = i32(this.parent, -1);
    this.height = i32(this.height, 0);
  }

  private newNode(start: number, end: number): number {
    let n = this.spare.pop();
    if (n === undefined) {
      if (this.used === this.start.length) this.grow();
      n = this.used++;
    }
    this.start[n] = start;
    this.end[n] = end;
    this.max[n] = end - start;
    this.left[n] = -1;
    this.right[n] = -1;
    this.parent[n] = -1;
    this.height[n] = 1;
    this.count++;
    return n;
  }

  private h(n: number): number {
    return n < 0 ? 0 : this.height[n]!;
  }

  maxOf(n: number): number {
    return n < 0 ? 0 : this.max[n]!;
  }

  /** Recomputes height and max of n; true when either changed. */
  private update(n: number): boolean {
    const l = this.left[n]!;
    const r = this.right[n]!;
    const hl = this.h(l);
    const hr = this.h(r);
    const h = (hl > hr ? hl : hr) + 1;
    let m = this.end[n]! - this.start[n]!;
    const ml = this.maxOf(l);
    const mr = this.maxOf(r);
    if (ml > m) m = ml;
    if (mr > m) m = mr;
    const changed = h !== this.height[n] || m !== this.max[n];
    this.height[n] = h;
    this.max[n] = m;
    return changed;
  }

  private replaceChild(p: number, from: number, to: number): void {
    if (p < 0) this.root = to;
    else if (this.left[p] === from) this.left[p] = to;
    else this.right[p] = to;
    if (to >= 0) this.parent[to] = p;
  }

  private rotateLeft(n: number): number {
    const r = this.right[n]!;
    const p = this.parent[n]!;
    const rl = this.left[r]!;
    this.right[n] = rl;
    if (rl >= 0) this.parent[rl] = n;
    this.left[r] = n;
    this.parent[n] = r;
    this.replaceChild(p, n, r);
    this.update(n);
    this.update(r);
    return r;
  }

  private rotateRight(n: number): number {
    const l = this.left[n]!;
    const p = this.parent[n]!;
    const lr = this.right[l]!;
    this.left[n] = lr;
    if (lr >= 0) this.parent[lr] = n;
    this.right[l] = n;
    this.parent[n] = l;
    this.replaceChild(p, n, l);
    this.update(n);
    this.update(l);
    return l;
  }

  /**
   * Updates and rebalances from n towards the root, stopping at the first
   * node whose height and size summary did not change (nothing above it can).
   */
  private fixUp(n: number): void {
    while (n >= 0) {
      const changed = this.update(n);
      const bf = this.h(this.left[n]!) - this.h(this.right[n]!);
      if (bf > 1) {
        const l = this.left[n]!;
        if (this.h(this.left[l]!) < this.h(this.right[l]!)) this.rotateLeft(l);
        n = this.rotateRight(n);
      } else if (bf < -1) {
        const r = this.right[n]!;
        if (this.h(this.right[r]!) < this.h(this.left[r]!)) this.rotateRight(r);
        n = this.rotateLeft(n);
      } else if (!changed) {
        return;
      }
      n = this.parent[n]!;
    }
  }

  /** After a block changed size in place: refresh the sizes above it, stopping once nothing changes. */
  refreshUp(n: number): void {
    while (n >= 0 && this.update(n)) n = this.parent[n]!;
  }

  /**
   * Inserts [start, end) between two in-order neighbours found by
   * neighbours() (−1 for none): no second descent. Of two consecutive nodes
   * either the first has no right child or the second has no left child.
   */
  insertBetween(start: number, end: number, prev: number, next: number): number {
    const node = this.newNode(start, end);
    let p: number;
    if (prev >= 0 && this.right[prev]! < 0) {
      p = prev;
      this.right[p] = node;
    } else if (next >= 0) {
      p = next;
      this.left[p] = node;
    } else {
      this.root = node;
      return node;
    }
    this.parent[node] = p;
    this.fixUp(p);
    return node;
  }

  /** Inserts [start, end) right after node n (its in-order successor). */
  insertAfter(start: number, end: number, n: number): number {
    let next = -1;
    let s = this.right[n]!;
    while (s >= 0) {
      next = s;
      s = this.left[s]!;
    }
    return this.insertBetween(start, end, n, next);
  }

  remove(n: number): void {
    const l = this.left[n]!;
    const r = this.right[n]!;
    this.spare.push(n);
    this.count--;
    if (l >= 0 && r >= 0) {
      // Put the successor in n's place.
      let s = r;
      while (this.left[s]! >= 0) s = this.left[s]!;
      const sp = this.parent[s]!;
      const sr = this.right[s]!;
      if (sp !== n) {
        this.replaceChild(sp, s, sr);
        this.right[s] = r;
        this.parent[r] = s;
      }
      this.left[s] = l;
      this.parent[l] = s;
      this.replaceChild(this.parent[n]!, n, s);
      // The walk up from the successor's old place may stop early below s,
      // whose children changed too: fix it from s as well.
      if (sp !== n) this.fixUp(sp);
      this.fixUp(s);
    } else {
      const child = l >= 0 ? l : r;
      const p = this.parent[n]!;
      this.replaceChild(p, n, child);
      this.fixUp(p);
    }
  }

  /**
   * The blocks either side of an allocated area [x, …): the one with the
   * greatest start ≤ x and the one with the least start > x, in one descent.
   */
  neighbours(x: number): void {
    let n = this.root;
    let prev = -1;
    let next = -1;
    while (n >= 0) {
      if (this.start[n]! <= x) {
        prev = n;
        n = this.right[n]!;
      } else {
        next = n;
        n = this.left[n]!;
      }
    }
    // Returned through fields: an object per free would be garbage on the hottest path.
    this.prevFound = prev;
    this.nextFound = next;
  }

  prevFound = -1;
  nextFound = -1;

  /** is_within_this_va: where the area would start in block n, or −1. */
  fitIn(n: number, size: number, align: number, vstart: number): number {
    const s = this.start[n]!;
    const at = alignUp(s > vstart ? s : vstart, align);
    return at >= vstart && at + size <= this.end[n]! ? at : -1;
  }

  /** Ancestors to come back to in lowestMatch; an AVL tree of 2^53 nodes is under 80 deep. */
  private readonly pending = new Int32Array(96);

  /**
   * find_vmap_lowest_match (mm/vmalloc.c): the same in-order walk, pruning
   * subtrees whose largest block is shorter than `length` and left subtrees
   * wholly below vstart, returning the first block where the area fits. The
   * kernel rolls back through parent links; keeping the nodes whose left
   * subtree is being searched on a stack resumes at the right one directly
   * and skips the kernel's repeated descents, with the same result.
   */
  lowestMatch(size: number, align: number, vstart: number, length: number): number {
    const pending = this.pending;
    let top = 0;
    let node = this.root;
    for (;;) {
      while (node >= 0) {
        const l = this.left[node]!;
        if (l >= 0 && this.max[l]! >= length && vstart < this.start[node]!) {
          pending[top++] = node;
          node = l;
          continue;
        }
        if (this.fitIn(node, size, align, vstart) >= 0) return node;
        const r = this.right[node]!;
        node = r >= 0 && this.max[r]! >= length ? r : -1;
      }
      if (top === 0) return -1;
      node = pending[--top]!;
      if (this.fitIn(node, size, align, vstart) >= 0) return node;
      const r = this.right[node]!;
      node = r >= 0 && this.max[r]! >= length ? r : -1;
    }
  }

  /** In-order walk of the blocks overlapping [from, to). */
  each(from: number, to: number, visit: (start: number, end: number) => void): void {
    const walk = (n: number): void => {
      if (n < 0) return;
      if (from < this.start[n]!) walk(this.left[n]!);
      if (this.end[n]! > from && this.start[n]! < to) visit(this.start[n]!, this.end[n]!);
      if (this.end[n]! < to) walk(this.right[n]!);
    };
    walk(this.root);
  }
}

const alignUp = (x: number, a: number): number => (a <= 1 ? x : Math.ceil(x / a) * a);

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

export const DEFAULT_VMAP_OPTIONS: VmapOptions = {
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
    this.tree.insertBetween(this.options.spaceStart, this.options.spaceEnd, -1, -1);
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
    // __alloc_vmap_area: no search-length adjustment for page alignment or an exact-size range.
    const adjust = !(align <= 1 || vend - vstart === pages);
    const node = this.tree.lowestMatch(pages, align, vstart, adjust ? pages + align - 1 : pages);
    if (node < 0) return -1;
    const at = this.tree.fitIn(node, pages, align, vstart);
    if (at + pages > vend) return -1;
    this.clip(node, at, pages);
    return at;
  }

  /** va_clip: cut [at, at+pages) out of the free block `node`. */
  private clip(node: number, at: number, pages: number): void {
    const t = this.tree;
    const end = at + pages;
    const blockStart = t.start[node]!;
    const blockEnd = t.end[node]!;
    if (blockStart === at && blockEnd === end) {
      t.remove(node);
    } else if (blockStart === at) {
      // Left edge: the key grows but stays between the same neighbours, so the node keeps its place.
      t.start[node] = end;
      t.refreshUp(node);
    } else if (blockEnd === end) {
      t.end[node] = at;
      t.refreshUp(node);
    } else {
      t.end[node] = at;
      t.refreshUp(node);
      t.insertAfter(end, blockEnd, node);
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
    t.neighbours(start);
    const n = t.prevFound;
    if (n < 0 || t.end[n]! < end) throw new Error(`vmap: [${start}, ${end}) is not free to reserve`);
    this.clip(n, start, end - start);
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
    // No free block starts inside an allocated area, so the block after it is the next after `start`.
    t.neighbours(start);
    const prev = t.prevFound;
    const next = t.nextFound;
    if (prev >= 0 && t.end[prev]! > start) throw new Error(`vmap: freeing [${start}, ${end}) overlaps free space at ${t.start[prev]}`);
    if (next >= 0 && t.start[next]! < end) throw new Error(`vmap: freeing [${start}, ${end}) overlaps free space at ${t.start[next]}`);
    const joinNext = next >= 0 && t.start[next] === end;
    const joinPrev = prev >= 0 && t.end[prev] === start;
    if (joinPrev && joinNext) {
      const nextEnd = t.end[next]!;
      t.remove(next);
      // prev's index is stable: removal only relinks nodes, it does not move them.
      t.end[prev] = nextEnd;
      t.refreshUp(prev);
    } else if (joinPrev) {
      t.end[prev] = end;
      t.refreshUp(prev);
    } else if (joinNext) {
      t.start[next] = start;
      t.refreshUp(next);
    } else {
      t.insertBetween(start, end, prev, next);
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
}
