/**
 * The vmap allocator of mm/vmalloc.c (Linux 6.12), the part that decides
 * where a vmalloc area lands:
 *   - one tree of free address space, kept sorted by address and augmented
 *     with the largest free block below each node (the kernel's
 *     free_vmap_area_root with subtree_max_size), here an AVL tree;
 *   - find_vmap_lowest_match: the lowest-address free block where the
 *     aligned area fits, descending with the same pruning as the kernel
 *     (the search length grows by align - 1 when align > PAGE_SIZE);
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

interface FreeNode {
  start: number;
  end: number;
  /** Largest block size (end - start) in this subtree. */
  max: number;
  height: number;
  left: FreeNode | null;
  right: FreeNode | null;
}

const height = (n: FreeNode | null): number => (n ? n.height : 0);
const maxOf = (n: FreeNode | null): number => (n ? n.max : 0);

function update(n: FreeNode): void {
  const hl = height(n.left);
  const hr = height(n.right);
  n.height = (hl > hr ? hl : hr) + 1;
  let m = n.end - n.start;
  const ml = maxOf(n.left);
  const mr = maxOf(n.right);
  if (ml > m) m = ml;
  if (mr > m) m = mr;
  n.max = m;
}

function rotateRight(n: FreeNode): FreeNode {
  const l = n.left!;
  n.left = l.right;
  l.right = n;
  update(n);
  update(l);
  return l;
}

function rotateLeft(n: FreeNode): FreeNode {
  const r = n.right!;
  n.right = r.left;
  r.left = n;
  update(n);
  update(r);
  return r;
}

function balance(n: FreeNode): FreeNode {
  update(n);
  const bf = height(n.left) - height(n.right);
  if (bf > 1) {
    if (height(n.left!.left) < height(n.left!.right)) n.left = rotateLeft(n.left!);
    return rotateRight(n);
  }
  if (bf < -1) {
    if (height(n.right!.right) < height(n.right!.left)) n.right = rotateRight(n.right!);
    return rotateLeft(n);
  }
  return n;
}

function insertNode(root: FreeNode | null, node: FreeNode): FreeNode {
  if (!root) return node;
  if (node.start < root.start) root.left = insertNode(root.left, node);
  else root.right = insertNode(root.right, node);
  return balance(root);
}

function removeMin(root: FreeNode): { root: FreeNode | null; min: FreeNode } {
  if (!root.left) return { root: root.right, min: root };
  const r = removeMin(root.left);
  root.left = r.root;
  return { root: balance(root), min: r.min };
}

function removeNode(root: FreeNode | null, start: number): FreeNode | null {
  if (!root) return null;
  if (start < root.start) root.left = removeNode(root.left, start);
  else if (start > root.start) root.right = removeNode(root.right, start);
  else {
    if (!root.left) return root.right;
    if (!root.right) return root.left;
    const { root: right, min } = removeMin(root.right);
    min.right = right;
    min.left = root.left;
    return balance(min);
  }
  return balance(root);
}

/** Re-computes the augmented sizes on the path to the node starting at `start` (after it shrank in place). */
function refreshPath(root: FreeNode | null, start: number): void {
  if (!root) return;
  if (start < root.start) refreshPath(root.left, start);
  else if (start > root.start) refreshPath(root.right, start);
  update(root);
}

const alignUp = (x: number, a: number): number => (a <= 1 ? x : Math.ceil(x / a) * a);

/** is_within_this_va: where the area would start in this block, or -1. */
function fitIn(n: FreeNode, size: number, align: number, vstart: number): number {
  const at = alignUp(n.start > vstart ? n.start : vstart, align);
  return at >= vstart && at + size <= n.end ? at : -1;
}

/** find_vmap_lowest_match, as a depth-first walk with the kernel's pruning. */
function lowestMatch(n: FreeNode | null, size: number, align: number, vstart: number, length: number): FreeNode | null {
  while (n) {
    if (maxOf(n.left) >= length && vstart < n.start) {
      const found = lowestMatch(n.left, size, align, vstart, length);
      if (found) return found;
    }
    if (fitIn(n, size, align, vstart) >= 0) return n;
    if (maxOf(n.right) < length) return null;
    n = n.right;
  }
  return null;
}

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
  private root: FreeNode | null;
  private readonly lazy: VmapArea[] = [];
  private lazyPages = 0;
  readonly options: VmapOptions;
  /** Purges done (for metrics). */
  purges = 0;

  constructor(options: Partial<VmapOptions> = {}) {
    this.options = { ...DEFAULT_VMAP_OPTIONS, ...options };
    const { spaceStart, spaceEnd } = this.options;
    this.root = { start: spaceStart, end: spaceEnd, max: spaceEnd - spaceStart, height: 1, left: null, right: null };
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
    const node = lowestMatch(this.root, pages, align, vstart, adjust ? pages + align - 1 : pages);
    if (!node) return -1;
    const at = fitIn(node, pages, align, vstart);
    if (at + pages > vend) return -1;
    this.clip(node, at, pages);
    return at;
  }

  /** va_clip: cut [at, at+pages) out of the free block `node`. */
  private clip(node: FreeNode, at: number, pages: number): void {
    const end = at + pages;
    if (node.start === at && node.end === end) {
      this.root = removeNode(this.root, node.start);
    } else if (node.start === at) {
      // Left edge: the key grows but stays between the same neighbours, so the node keeps its place.
      node.start = end;
      refreshPath(this.root, node.start);
    } else if (node.end === end) {
      node.end = at;
      refreshPath(this.root, node.start);
    } else {
      const tailEnd = node.end;
      node.end = at;
      refreshPath(this.root, node.start);
      this.root = insertNode(this.root, { start: end, end: tailEnd, max: tailEnd - end, height: 1, left: null, right: null });
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
    const prev = this.floor(start);
    const next = this.ceiling(end);
    if (prev && prev.end > start) throw new Error(`vmap: freeing [${start}, ${end}) overlaps free space at ${prev.start}`);
    const s = start;
    let e = end;
    if (next && next.start === end) {
      e = next.end;
      this.root = removeNode(this.root, next.start);
    }
    if (prev && prev.end === start) {
      prev.end = e;
      refreshPath(this.root, prev.start);
      return;
    }
    this.root = insertNode(this.root, { start: s, end: e, max: e - s, height: 1, left: null, right: null });
  }

  /** The free block with the greatest start ≤ x. */
  private floor(x: number): FreeNode | null {
    let n = this.root;
    let best: FreeNode | null = null;
    while (n) {
      if (n.start <= x) {
        best = n;
        n = n.right;
      } else n = n.left;
    }
    return best;
  }

  /** The free block with the least start ≥ x. */
  private ceiling(x: number): FreeNode | null {
    let n = this.root;
    let best: FreeNode | null = null;
    while (n) {
      if (n.start >= x) {
        best = n;
        n = n.left;
      } else n = n.right;
    }
    return best;
  }

  /** Free blocks overlapping [from, to), clipped to it, in address order. */
  freeBlocks(from: number, to: number): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    const walk = (n: FreeNode | null): void => {
      if (!n) return;
      if (from < n.start) walk(n.left);
      if (n.end > from && n.start < to) out.push({ start: Math.max(n.start, from), end: Math.min(n.end, to) });
      if (n.end < to) walk(n.right);
    };
    walk(this.root);
    return out;
  }

  /** Number of free blocks in the whole space (for tests and metrics). */
  get freeBlockCount(): number {
    let count = 0;
    const walk = (n: FreeNode | null): void => {
      if (!n) return;
      count++;
      walk(n.left);
      walk(n.right);
    };
    walk(this.root);
    return count;
  }
}
