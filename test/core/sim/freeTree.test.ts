import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../../src/core/sim/random';
import { FreeTree } from '../../../src/core/sim/freeTree';

/** The tree driven directly, beside a sorted list of the same blocks (vmap.ts locates blocks the same way). */
class Pair {
  readonly tree = new FreeTree();
  readonly list: { start: number; end: number }[] = [];

  insert(start: number, end: number): void {
    const leaf = this.tree.findLeaf(start);
    this.tree.insert(leaf, this.tree.upperBound(leaf, start), start, end);
    const at = this.list.findIndex((b) => b.start > start);
    this.list.splice(at < 0 ? this.list.length : at, 0, { start, end });
  }

  remove(start: number): void {
    const leaf = this.tree.findLeaf(start);
    const i = this.tree.upperBound(leaf, start) - 1;
    assert.equal(this.tree.start(leaf, i), start);
    this.tree.remove(leaf, i);
    this.list.splice(this.list.findIndex((b) => b.start === start), 1);
  }

  /** Every block the tree holds, read through each(). */
  blocks(): { start: number; end: number }[] {
    const out: { start: number; end: number }[] = [];
    this.tree.each(-Infinity, Infinity, (start, end) => out.push({ start, end }));
    return out;
  }

  /** Where lowestMatch places `size` pages aligned to `align` at or above vstart, or −1. */
  place(size: number, align: number, vstart: number): number {
    const i = this.tree.lowestMatch(size, align, vstart, size + (align > 1 ? align - 1 : 0));
    return i < 0 ? -1 : this.tree.fitIn(this.tree.foundLeaf, i, size, align, vstart);
  }
}

/** Block k is [10k, 10k + len): disjoint whatever the lengths (1..9). */
const blockArb = fc.record({ k: fc.integer({ min: 0, max: 3000 }), len: fc.integer({ min: 1, max: 9 }) });

describe('free tree (B+-tree of the vmap model)', () => {
  test('an empty tree holds nothing and finds nothing', () => {
    const p = new Pair();
    assert.deepEqual(p.blocks(), []);
    assert.equal(p.tree.count, 0);
    assert.equal(p.place(1, 1, 0), -1);
    assert.equal(p.tree.verify(), null);
  });

  test('law: after any inserts and removals the tree is well formed and holds the list’s blocks in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(blockArb, { selector: (b) => b.k, maxLength: 1500 }), fc.array(fc.nat(), { maxLength: 1500 }), (blocks, removals) => {
        const p = new Pair();
        for (const b of blocks) p.insert(10 * b.k, 10 * b.k + b.len);
        assert.equal(p.tree.verify(), null);
        for (const r of removals) {
          if (p.list.length === 0) break;
          p.remove(p.list[r % p.list.length]!.start);
        }
        assert.equal(p.tree.verify(), null);
        assert.deepEqual(p.blocks(), p.list);
        assert.equal(p.tree.count, p.list.length);
      }),
      { numRuns: 30 },
    );
  });

  test('law: lowestMatch takes the lowest block long enough (page alignment)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(blockArb, { selector: (b) => b.k, maxLength: 1500 }), fc.integer({ min: 1, max: 10 }), (blocks, size) => {
        const p = new Pair();
        for (const b of blocks) p.insert(10 * b.k, 10 * b.k + b.len);
        const want = p.list.find((b) => b.end - b.start >= size);
        assert.equal(p.place(size, 1, 0), want ? want.start : -1);
      }),
      { numRuns: 30 },
    );
  });

  test('alignment and vstart: the area starts aligned, at or above vstart, inside a free block', () => {
    const p = new Pair();
    p.insert(3, 9);
    p.insert(20, 22);
    p.insert(30, 70);
    // Aligned to 4, [4, 8) would fit in [3, 9), but a block shorter than the
    // search length (4 + 3) is skipped unless it holds vstart (vmap.ts's header).
    assert.equal(p.place(4, 4, 0), 32);
    assert.equal(p.place(2, 4, 4), 4);
    assert.equal(p.place(4, 8, 0), 32);
    assert.equal(p.place(1, 1, 21), 21);
    assert.equal(p.place(2, 1, 21), 30);
    assert.equal(p.place(41, 1, 0), -1);
  });

  test('setBounds moves a block’s ends and keeps the largest-block bookkeeping exact', () => {
    const p = new Pair();
    const rng = new Rng(7);
    for (let k = 0; k < 4000; k++) p.insert(100 * k, 100 * k + rng.inclusive(1, 50));
    assert.equal(p.tree.verify(), null);
    // Grow one block far past the others: the search must now reach it.
    const leaf = p.tree.findLeaf(100 * 2500);
    const i = p.tree.upperBound(leaf, 100 * 2500) - 1;
    p.tree.setBounds(leaf, i, 100 * 2500, 100 * 2500 + 99);
    assert.equal(p.tree.verify(), null);
    assert.equal(p.place(99, 1, 0), 100 * 2500);
  });

  test('nextLeaf chains the leaves in address order', () => {
    const p = new Pair();
    for (let k = 0; k < 1000; k++) p.insert(10 * k, 10 * k + 5);
    const starts: number[] = [];
    for (let leaf = p.tree.findLeaf(0); leaf >= 0; leaf = p.tree.nextLeaf(leaf)) {
      for (let i = 0; i < p.tree.fillOf(leaf); i++) starts.push(p.tree.start(leaf, i));
    }
    assert.deepEqual(starts, p.list.map((b) => b.start));
  });
});
