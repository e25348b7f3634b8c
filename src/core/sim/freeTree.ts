/**
 * The free tree of the vmap model (vmap.ts): a B+-tree of free blocks keyed
 * by start, each child carrying the largest block below it, as the kernel's
 * maple tree keeps the largest gap of each child in its allocation nodes
 * (maple_arange_64) and as free_vmap_area_root keeps subtree_max_size. A
 * leaf holds up to LEAF_SLOTS blocks in address order; an internal node up
 * to INNER_SLOTS children, each with the start of the first block below it
 * (kept exact, for routing) and the largest block below it. Leaves are
 * chained in address order, so the block after the last one of a leaf is one
 * step away.
 *
 * Every node but the root stays at least a quarter full (split when full,
 * merged with or refilled from a sibling below a quarter), so the tree is
 * O(log n) deep, and every operation walks root to leaf and back touching
 * O(1) nodes per level, each of at most LEAF_SLOTS entries: O(log n) per
 * operation, never a scan over the blocks. Wide nodes keep the walks short
 * and their memory contiguous: in the benchmark's steady state, 1,000 live
 * areas leave some 300 free blocks, a root over 9 leaves, and 100,000 leave
 * some 22,000, a root over 30 internal nodes over 680 leaves, where a
 * balanced binary tree is 10 and 17 levels of records scattered over memory.
 *
 * Nodes live in typed arrays, numbered from 0 (−1 is "none"); node n's
 * entries are slots n * LEAF_SLOTS .. n * LEAF_SLOTS + fill[n] − 1 of keys,
 * vals and kids. Arrays rather than objects keep a tree of 100,000 blocks
 * compact and free of garbage collection. A block is named by its leaf and
 * its index there, valid until the next change to the tree.
 */
/** A leaf's blocks: 1 KiB of starts and ends, scanned in order by the search. */
const LEAF_SLOTS = 64;
/** An internal node's children (the stride is LEAF_SLOTS; internal nodes use the first 32). */
const INNER_SLOTS = 32;

export class FreeTree {
  /** Leaf: block start. Internal: the start of the first block below the child. */
  private keys = new Float64Array(8 * LEAF_SLOTS);
  /** Leaf: block end. Internal: the largest block below the child. */
  private vals = new Float64Array(8 * LEAF_SLOTS);
  /** Internal: the child node. */
  private kids = new Int32Array(8 * LEAF_SLOTS);
  private fill = new Int32Array(8);
  /** 0 for a leaf, one more than its children's for an internal node. */
  private level = new Int32Array(8);
  private parent = new Int32Array(8);
  /** The node's index among its parent's children. */
  private slot = new Int32Array(8);
  /** Leaf chain: the next leaf in address order. */
  private next = new Int32Array(8);
  private spare: number[] = [];
  private used = 0;
  private root: number;
  /** The largest block in the tree (the root has no parent slot to hold it). */
  private rootMax = 0;
  /** Blocks in the tree. */
  count = 0;
  /** The leaf of the block lowestMatch last returned. */
  foundLeaf = -1;

  constructor() {
    this.root = this.newNode(0);
  }

  private newNode(level: number): number {
    let n = this.spare.pop();
    if (n === undefined) {
      if (this.used === this.fill.length) this.grow();
      n = this.used++;
    }
    this.fill[n] = 0;
    this.level[n] = level;
    this.parent[n] = -1;
    this.slot[n] = 0;
    this.next[n] = -1;
    return n;
  }

  private grow(): void {
    const nodes = this.fill.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(nodes * LEAF_SLOTS);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, size: number) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.keys = f64(this.keys);
    this.vals = f64(this.vals);
    this.kids = i32(this.kids, nodes * LEAF_SLOTS);
    this.fill = i32(this.fill, nodes);
    this.level = i32(this.level, nodes);
    this.parent = i32(this.parent, nodes);
    this.slot = i32(this.slot, nodes);
    this.next = i32(this.next, nodes);
  }

  private capacity(n: number): number {
    return this.level[n] === 0 ? LEAF_SLOTS : INNER_SLOTS;
  }

  start(leaf: number, i: number): number {
    return this.keys[leaf * LEAF_SLOTS + i]!;
  }

  end(leaf: number, i: number): number {
    return this.vals[leaf * LEAF_SLOTS + i]!;
  }

  /** The leaf after this one in address order, or −1. */
  nextLeaf(leaf: number): number {
    return this.next[leaf]!;
  }

  fillOf(leaf: number): number {
    return this.fill[leaf]!;
  }

  /** The first index of node n whose key is greater than x. */
  upperBound(n: number, x: number): number {
    const keys = this.keys;
    const base = n * LEAF_SLOTS;
    let lo = 0;
    let hi = this.fill[n]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[base + mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The leaf where x belongs: its first block starts at or below x, unless it is the leftmost leaf. */
  findLeaf(x: number): number {
    let n = this.root;
    while (this.level[n]! > 0) {
      const i = this.upperBound(n, x) - 1;
      n = this.kids[n * LEAF_SLOTS + (i > 0 ? i : 0)]!;
    }
    return n;
  }

  // Largest-block summaries.

  /** The largest block below node n, as recorded in its parent. */
  private maxOf(n: number): number {
    const p = this.parent[n]!;
    return p < 0 ? this.rootMax : this.vals[p * LEAF_SLOTS + this.slot[n]!]!;
  }

  /** The largest block below node n, from its own entries. */
  private scanMax(n: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const base = n * LEAF_SLOTS;
    const end = base + this.fill[n]!;
    let m = 0;
    if (this.level[n] === 0) {
      for (let e = base; e < end; e++) if (vals[e]! - keys[e]! > m) m = vals[e]! - keys[e]!;
    } else {
      for (let e = base; e < end; e++) if (vals[e]! > m) m = vals[e]!;
    }
    return m;
  }

  /**
   * Records m as the largest block below n and hands the change up, stopping
   * at the first ancestor whose largest block stays what it was.
   */
  private setMax(n: number, m: number): void {
    for (;;) {
      const p = this.parent[n]!;
      if (p < 0) {
        this.rootMax = m;
        return;
      }
      const e = p * LEAF_SLOTS + this.slot[n]!;
      const old = this.vals[e]!;
      if (old === m) return;
      this.vals[e] = m;
      const before = this.maxOf(p);
      let after: number;
      if (m >= before) after = m;
      else if (old === before) after = this.scanMax(p); // this child held p's largest block and shrank
      else return;
      if (after === before) return;
      n = p;
      m = after;
    }
  }

  /** After a block of leaf n changed from `before` to `after` pages (0 for none). */
  private resized(n: number, before: number, after: number): void {
    const m = this.maxOf(n);
    if (after > m) this.setMax(n, after);
    else if (before === m && after < before) this.setMax(n, this.scanMax(n));
  }

  /** After node n's first key changed: the routing keys above it follow. */
  private firstKeyChanged(n: number): void {
    const k = this.keys[n * LEAF_SLOTS]!;
    for (let p = this.parent[n]!; p >= 0; n = p, p = this.parent[p]!) {
      const s = this.slot[n]!;
      this.keys[p * LEAF_SLOTS + s] = k;
      if (s > 0) return;
    }
  }

  // Entries.

  /** Copies entries [from, from + len) of node a to index `to` of node b (overlap allowed). */
  private move(a: number, from: number, b: number, to: number, len: number): void {
    const src = a * LEAF_SLOTS + from;
    const dst = b * LEAF_SLOTS + to;
    this.keys.copyWithin(dst, src, src + len);
    this.vals.copyWithin(dst, src, src + len);
    if (this.level[b]! > 0) {
      this.kids.copyWithin(dst, src, src + len);
      for (let i = to; i < to + len; i++) {
        const kid = this.kids[b * LEAF_SLOTS + i]!;
        this.parent[kid] = b;
        this.slot[kid] = i;
      }
    }
  }

  /** Opens a hole at index i of node n (which has room) and fills it. */
  private putAt(n: number, i: number, key: number, val: number, kid: number): void {
    const fill = this.fill[n]!;
    this.move(n, i, n, i + 1, fill - i);
    const e = n * LEAF_SLOTS + i;
    this.keys[e] = key;
    this.vals[e] = val;
    if (kid >= 0) {
      this.kids[e] = kid;
      this.parent[kid] = n;
      this.slot[kid] = i;
    }
    this.fill[n] = fill + 1;
  }

  private dropAt(n: number, i: number): void {
    const fill = this.fill[n]! - 1;
    this.move(n, i + 1, n, i, fill - i);
    this.fill[n] = fill;
  }

  /**
   * Splits full node n in two; the upper half becomes a new node right after
   * n under the same parent (which splits first if it is full, or becomes a
   * new root). The largest block above the pair is unchanged.
   */
  private split(n: number): number {
    const r = this.newNode(this.level[n]!);
    const half = this.fill[n]! >> 1;
    const moved = this.fill[n]! - half;
    this.move(n, half, r, 0, moved);
    this.fill[r] = moved;
    this.fill[n] = half;
    if (this.level[n] === 0) {
      this.next[r] = this.next[n]!;
      this.next[n] = r;
    }
    const mn = this.scanMax(n);
    const mr = this.scanMax(r);
    if (this.parent[n]! < 0) {
      const top = this.newNode(this.level[n]! + 1);
      this.putAt(top, 0, this.keys[n * LEAF_SLOTS]!, mn, n);
      this.putAt(top, 1, this.keys[r * LEAF_SLOTS]!, mr, r);
      this.root = top;
    } else {
      // A full parent splits first; n's slot still holds the pair's largest block, so both halves sum up right.
      if (this.fill[this.parent[n]!] === INNER_SLOTS) this.split(this.parent[n]!);
      const p = this.parent[n]!;
      this.vals[p * LEAF_SLOTS + this.slot[n]!] = mn;
      this.putAt(p, this.slot[n]! + 1, this.keys[r * LEAF_SLOTS]!, mr, r);
    }
    return r;
  }

  /** Inserts block [start, end) at index i of leaf n, where address order puts it. */
  insert(n: number, i: number, start: number, end: number): void {
    if (this.fill[n] === LEAF_SLOTS) {
      const r = this.split(n);
      const half = this.fill[n]!;
      if (i > half) {
        n = r;
        i -= half;
      }
    }
    this.putAt(n, i, start, end, -1);
    this.count++;
    if (i === 0) this.firstKeyChanged(n);
    this.resized(n, 0, end - start);
  }

  /** Sets the bounds of block i of leaf n; it must stay between its neighbours. */
  setBounds(n: number, i: number, start: number, end: number): void {
    const e = n * LEAF_SLOTS + i;
    const before = this.vals[e]! - this.keys[e]!;
    const moved = this.keys[e] !== start;
    this.keys[e] = start;
    this.vals[e] = end;
    if (moved && i === 0) this.firstKeyChanged(n);
    this.resized(n, before, end - start);
  }

  remove(n: number, i: number): void {
    const e = n * LEAF_SLOTS + i;
    const size = this.vals[e]! - this.keys[e]!;
    this.dropAt(n, i);
    this.count--;
    if (i === 0 && this.fill[n]! > 0) this.firstKeyChanged(n);
    this.resized(n, size, 0);
    this.refill(n);
  }

  /**
   * Keeps node n (not the root) at least a quarter full: merges it with a
   * sibling when both fit in three quarters of a node, else moves entries
   * over from the sibling. The largest block above the pair is unchanged.
   */
  private refill(n: number): void {
    const p = this.parent[n]!;
    const capacity = this.capacity(n);
    if (p < 0 || this.fill[n]! >= capacity / 4) return;
    // n's parent holds two children or more (a root left with one gives way to it), so n has a sibling.
    const s = this.slot[n]!;
    const right = s + 1 < this.fill[p]!;
    const a = right ? n : this.kids[p * LEAF_SLOTS + s - 1]!;
    const b = right ? this.kids[p * LEAF_SLOTS + s + 1]! : n;
    const fa = this.fill[a]!;
    const fb = this.fill[b]!;
    if (fa + fb <= (3 * capacity) / 4) {
      this.move(b, 0, a, fa, fb);
      this.fill[a] = fa + fb;
      if (this.level[a] === 0) this.next[a] = this.next[b]!;
      const ea = p * LEAF_SLOTS + this.slot[a]!;
      const mb = this.vals[p * LEAF_SLOTS + this.slot[b]!]!;
      if (mb > this.vals[ea]!) this.vals[ea] = mb;
      this.dropAt(p, this.slot[b]!);
      this.spare.push(b);
      if (fa === 0) this.firstKeyChanged(a);
      if (p === this.root && this.fill[p] === 1) {
        this.root = a;
        this.parent[a] = -1;
        this.slot[a] = 0;
        this.spare.push(p);
      } else {
        this.refill(p);
      }
      return;
    }
    const half = (fa + fb) >> 1;
    if (fa > half) {
      // a's last entries go to the front of b.
      this.move(b, 0, b, fa - half, fb);
      this.move(a, half, b, 0, fa - half);
    } else {
      this.move(b, 0, a, fa, half - fa);
      this.move(b, half - fa, b, 0, fb - (half - fa));
    }
    this.fill[a] = half;
    this.fill[b] = fa + fb - half;
    if (fa === 0) this.firstKeyChanged(a);
    this.firstKeyChanged(b);
    this.vals[p * LEAF_SLOTS + this.slot[a]!] = this.scanMax(a);
    this.vals[p * LEAF_SLOTS + this.slot[b]!] = this.scanMax(b);
  }

  // Search.

  /** is_within_this_va: where the area would start in block i of leaf n, or −1. */
  fitIn(n: number, i: number, size: number, align: number, vstart: number): number {
    const e = n * LEAF_SLOTS + i;
    const s = this.keys[e]!;
    const at = alignUp(s > vstart ? s : vstart, align);
    return at >= vstart && at + size <= this.vals[e]! ? at : -1;
  }

  /**
   * find_vmap_lowest_match (mm/vmalloc.c): the lowest block, among those of
   * at least `length` pages and the one holding vstart, where the area fits,
   * entering only children whose largest block has `length` pages. Returns
   * its index in foundLeaf, or −1.
   */
  lowestMatch(size: number, align: number, vstart: number, length: number): number {
    return this.search(this.root, true, size, align, vstart, length);
  }

  /** The search below node n; `holdsVstart` when n's first blocks may lie below vstart. */
  private search(n: number, holdsVstart: boolean, size: number, align: number, vstart: number, length: number): number {
    const base = n * LEAF_SLOTS;
    const fill = this.fill[n]!;
    // Entries before the one holding vstart lie wholly below it.
    const first = holdsVstart ? Math.max(0, this.upperBound(n, vstart) - 1) : 0;
    if (this.level[n] === 0) {
      const keys = this.keys;
      const vals = this.vals;
      for (let i = first; i < fill; i++) {
        const tried = vals[base + i]! - keys[base + i]! >= length || (holdsVstart && keys[base + i]! <= vstart);
        if (tried && this.fitIn(n, i, size, align, vstart) >= 0) {
          this.foundLeaf = n;
          return i;
        }
      }
      return -1;
    }
    // Past the first child every block starts above vstart, so the first child
    // holding a block of `length` pages holds a fit: only the first can fail.
    for (let i = first; i < fill; i++) {
      if (this.vals[base + i]! >= length) {
        const found = this.search(this.kids[base + i]!, holdsVstart && i === first, size, align, vstart, length);
        if (found >= 0) return found;
      }
    }
    return -1;
  }

  /** In-order visit of the blocks overlapping [from, to). */
  each(from: number, to: number, visit: (start: number, end: number) => void): void {
    let n = this.findLeaf(from);
    let i = Math.max(0, this.upperBound(n, from) - 1);
    for (; n >= 0; n = this.next[n]!, i = 0) {
      for (; i < this.fill[n]!; i++) {
        const s = this.start(n, i);
        const e = this.end(n, i);
        if (s >= to) return;
        if (e > from) visit(s, e);
      }
    }
  }

  /** The tree's invariants, for tests: a description of the first one broken, or null. */
  verify(): string | null {
    let blocks = 0;
    let lastEnd = -Infinity;
    let leafDepth = -1;
    let lastLeaf = -1;
    const walk = (n: number, depth: number): { first: number; max: number } | string => {
      const fill = this.fill[n]!;
      const capacity = this.capacity(n);
      if (fill > capacity) return `node ${n} holds ${fill} entries, more than ${capacity}`;
      if (n !== this.root && fill < capacity / 4) return `node ${n} holds ${fill} entries, fewer than ${capacity / 4}`;
      const base = n * LEAF_SLOTS;
      if (this.level[n] === 0) {
        if (leafDepth >= 0 && depth !== leafDepth) return `leaf ${n} at depth ${depth}, others at ${leafDepth}`;
        leafDepth = depth;
        if (lastLeaf >= 0 && this.next[lastLeaf] !== n) return `leaf ${lastLeaf} is not chained to leaf ${n}`;
        lastLeaf = n;
        let max = 0;
        for (let i = 0; i < fill; i++) {
          const s = this.keys[base + i]!;
          const e = this.vals[base + i]!;
          if (!(s < e)) return `empty block at ${s}`;
          if (!(s > lastEnd)) return `block at ${s} does not follow the previous one, which ends at ${lastEnd}`;
          lastEnd = e;
          max = Math.max(max, e - s);
          blocks++;
        }
        return { first: fill > 0 ? this.keys[base]! : NaN, max };
      }
      if (n === this.root && fill < 2) return `the root has ${fill} child`;
      let max = 0;
      for (let i = 0; i < fill; i++) {
        const kid = this.kids[base + i]!;
        if (this.parent[kid] !== n || this.slot[kid] !== i) return `node ${kid}: wrong parent link`;
        if (this.level[kid] !== this.level[n]! - 1) return `node ${kid}: wrong level`;
        const below = walk(kid, depth + 1);
        if (typeof below === 'string') return below;
        if (below.first !== this.keys[base + i]) return `node ${n} entry ${i}: key ${this.keys[base + i]}, but the first block below starts at ${below.first}`;
        if (below.max !== this.vals[base + i]) return `node ${n} entry ${i}: largest block ${this.vals[base + i]}, but ${below.max} below`;
        max = Math.max(max, below.max);
      }
      return { first: this.keys[base]!, max };
    };
    if (this.parent[this.root] !== -1) return 'the root has a parent';
    const top = walk(this.root, 0);
    if (typeof top === 'string') return top;
    if (top.max !== this.rootMax) return `largest block ${this.rootMax}, but ${top.max} in the tree`;
    if (this.next[lastLeaf] !== -1) return `the last leaf is chained to leaf ${this.next[lastLeaf]}`;
    if (blocks !== this.count) return `count ${this.count}, but ${blocks} blocks in the tree`;
    return null;
  }
}

const alignUp = (x: number, a: number): number => (a <= 1 ? x : Math.ceil(x / a) * a);
