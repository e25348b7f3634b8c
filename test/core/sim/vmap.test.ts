import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../../src/core/sim/random';
import { VmapSpace } from '../../../src/core/sim/vmap';

/** Two ranges in one space, as the module area and the vmalloc area share one free tree in the kernel. */
const RANGES = [
  { vstart: 4096, vend: 4096 + 512 },
  { vstart: 20_000, vend: 20_000 + 4096 },
];

type Op = { kind: 'alloc'; pages: number; alignLog: number; range: number } | { kind: 'free'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('alloc' as const), pages: fc.integer({ min: 1, max: 40 }), alignLog: fc.integer({ min: 0, max: 6 }), range: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
);

interface Live {
  start: number;
  pages: number;
  align: number;
  range: number;
}

function run(ops: Op[], lazyFree: boolean): { v: VmapSpace; live: Live[]; placed: number[] } {
  const v = new VmapSpace({ lazyFree, lazyMaxPages: 64 });
  const live: Live[] = [];
  const placed: number[] = [];
  for (const op of ops) {
    if (op.kind === 'alloc') {
      const align = 2 ** op.alignLog;
      const r = RANGES[op.range]!;
      const at = v.alloc(op.pages, align, r.vstart, r.vend);
      placed.push(at);
      if (at >= 0) live.push({ start: at, pages: op.pages, align, range: op.range });
    } else if (live.length) {
      const [a] = live.splice(op.pick % live.length, 1);
      v.free(a!);
    }
  }
  return { v, live, placed };
}

describe('vmap engine', () => {
  test('laws: live areas never overlap, lie inside their range and keep their alignment', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200, size: 'max' }), fc.boolean(), (ops, lazy) => {
        const { live } = run(ops, lazy);
        for (const a of live) {
          const r = RANGES[a.range]!;
          assert.ok(a.start >= r.vstart && a.start + a.pages <= r.vend, 'inside its range');
          assert.equal(a.start % a.align, 0, 'aligned');
        }
        const sorted = [...live].sort((a, b) => a.start - b.start);
        for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.start + sorted[i - 1]!.pages <= sorted[i]!.start, 'no overlap');
      }),
      { numRuns: 300 },
    );
  });

  test('law: freeing everything gives the space back as one free block', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200, size: 'max' }), fc.boolean(), (ops, lazy) => {
        const { v, live } = run(ops, lazy);
        for (const a of live) v.free(a);
        v.purge();
        assert.equal(v.freeBlockCount, 1);
      }),
      { numRuns: 200 },
    );
  });

  test('law: the same operations give the same layout', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150, size: 'max' }), (ops) => {
        assert.deepEqual(run(ops, true).placed, run(ops, true).placed);
      }),
    );
  });

  test('law: an allocation fails only when no free block of the range could hold it', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150, size: 'max' }), fc.integer({ min: 1, max: 64 }), (ops, pages) => {
        const { v } = run(ops, false);
        const r = RANGES[1]!;
        const fits = v.freeBlocks(r.vstart, r.vend).some((b) => b.end - b.start >= pages);
        assert.equal(v.alloc(pages, 1, r.vstart, r.vend) >= 0, fits);
      }),
    );
  });

  test('lowest address first: a freed hole is reused before higher space', () => {
    const v = new VmapSpace({ lazyFree: false });
    const a = v.alloc(4, 1, 100, 1000);
    const b = v.alloc(4, 1, 100, 1000);
    const c = v.alloc(4, 1, 100, 1000);
    assert.deepEqual([a, b, c], [100, 104, 108]);
    v.free({ start: b, pages: 4 });
    assert.equal(v.alloc(2, 1, 100, 1000), 104);
    assert.equal(v.alloc(4, 1, 100, 1000), 112, 'the 2-page rest of the hole is too small');
    assert.equal(v.alloc(8, 8, 100, 1000), 120, 'aligned to 8 pages');
  });

  test('lazy free: a freed area is not reused until a purge, which a failing allocation forces', () => {
    const v = new VmapSpace({ lazyFree: true, lazyMaxPages: 1000 });
    const a = v.alloc(10, 1, 100, 120);
    v.alloc(10, 1, 100, 120);
    v.free({ start: a, pages: 10 });
    assert.equal(v.lazyPending, 10);
    assert.equal(v.alloc(10, 1, 100, 120), 100, 'the range is full, so the lazy area is purged and reused');
    assert.equal(v.purges, 1);
    assert.equal(v.lazyPending, 0);
  });

  test('lazy free: more than lazy_max_pages waiting triggers a purge', () => {
    const v = new VmapSpace({ lazyFree: true, lazyMaxPages: 15 });
    const a = v.alloc(10, 1, 100, 200);
    const b = v.alloc(10, 1, 100, 200);
    v.free({ start: a, pages: 10 });
    assert.equal(v.purges, 0);
    v.free({ start: b, pages: 10 });
    assert.equal(v.purges, 1);
    assert.equal(v.alloc(20, 1, 100, 200), 100);
  });

  test('bad requests are refused with a reason', () => {
    const v = new VmapSpace();
    assert.throws(() => v.alloc(0, 1, 0, 10), /whole number of pages/);
    assert.throws(() => v.alloc(1.5, 1, 0, 10), /whole number of pages/);
    assert.throws(() => v.alloc(1, 3, 0, 10), /power of two/);
  });
});

describe('vmap engine against a plain first-fit list (page alignment, eager free)', () => {
  /** The lowest-address fit, by scanning every free block: what the kernel's search finds with page alignment. */
  class Reference {
    blocks: [number, number][] = [[1, 2 ** 52]];
    alloc(pages: number, vstart: number, vend: number): number {
      for (const [i, [s, e]] of this.blocks.entries()) {
        const at = Math.max(s, vstart);
        if (at + pages <= e && at + pages <= vend) {
          const parts: [number, number][] = [];
          if (s < at) parts.push([s, at]);
          if (at + pages < e) parts.push([at + pages, e]);
          this.blocks.splice(i, 1, ...parts);
          return at;
        }
        if (s >= vend) break;
      }
      return -1;
    }
    free(start: number, pages: number): void {
      this.blocks.push([start, start + pages]);
      this.blocks.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const b of this.blocks) {
        const last = merged[merged.length - 1];
        if (last && last[1] === b[0]) last[1] = b[1];
        else merged.push([b[0], b[1]]);
      }
      this.blocks = merged;
    }
  }

  test('law: every allocation lands where the reference puts it, through thousands of operations', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1 }), fc.nat()), { minLength: 500, maxLength: 3000, size: 'max' }), (ops) => {
        const v = new VmapSpace({ lazyFree: false });
        const ref = new Reference();
        const live: { start: number; pages: number }[] = [];
        for (const [isAlloc, pages, range, pick] of ops) {
          if (isAlloc || live.length === 0) {
            const r = RANGES[range]!;
            const got = v.alloc(pages, 1, r.vstart, r.vend);
            assert.equal(got, ref.alloc(pages, r.vstart, r.vend));
            if (got >= 0) live.push({ start: got, pages });
          } else {
            const [a] = live.splice(pick % live.length, 1);
            v.free(a!);
            ref.free(a!.start, a!.pages);
          }
        }
        assert.deepEqual(v.freeBlocks(1, 2 ** 52).map((b) => [b.start, b.end]), ref.blocks);
      }),
      { numRuns: 60 },
    );
  });
});

describe('vmap engine at scale: a free tree several levels deep', () => {
  /** Free blocks as two sorted arrays: first fit by a scan from the lowest address, frees by binary search. */
  class SortedFreeList {
    starts: number[] = [1];
    ends: number[] = [2 ** 52];
    alloc(pages: number, vstart: number, vend: number): number {
      for (let i = 0; i < this.starts.length; i++) {
        const s = this.starts[i]!;
        const e = this.ends[i]!;
        if (s >= vend) break;
        const at = Math.max(s, vstart);
        if (at + pages > e || at + pages > vend) continue;
        const rest: [number, number][] = [];
        if (s < at) rest.push([s, at]);
        if (at + pages < e) rest.push([at + pages, e]);
        this.starts.splice(i, 1, ...rest.map((b) => b[0]));
        this.ends.splice(i, 1, ...rest.map((b) => b[1]));
        return at;
      }
      return -1;
    }
    free(start: number, pages: number): void {
      const end = start + pages;
      let lo = 0;
      let hi = this.starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.starts[mid]! < start) lo = mid + 1;
        else hi = mid;
      }
      const joinPrev = lo > 0 && this.ends[lo - 1] === start;
      const joinNext = lo < this.starts.length && this.starts[lo] === end;
      if (joinPrev && joinNext) {
        this.ends[lo - 1] = this.ends[lo]!;
        this.starts.splice(lo, 1);
        this.ends.splice(lo, 1);
      } else if (joinPrev) this.ends[lo - 1] = end;
      else if (joinNext) this.starts[lo] = start;
      else {
        this.starts.splice(lo, 0, start);
        this.ends.splice(lo, 0, end);
      }
    }
  }

  // Some 6,000 free blocks make a root over internal nodes over leaves; freeing everything merges them back.
  test('law: placements match a first-fit list while the tree grows and shrinks, and the tree stays well formed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const rand = (n: number) => Math.floor(rng.next() * n);
        const v = new VmapSpace({ lazyFree: false });
        const ref = new SortedFreeList();
        const vstart = 1 << 12;
        const vend = vstart + 2 ** 30;
        let live: { start: number; pages: number }[] = [];
        const alloc = (pages: number) => {
          const at = v.alloc(pages, 1, vstart, vend);
          assert.equal(at, ref.alloc(pages, vstart, vend));
          live.push({ start: at, pages });
        };
        const free = (a: { start: number; pages: number }) => {
          v.free(a);
          ref.free(a.start, a.pages);
        };
        const check = (when: string) => {
          assert.equal(v.checkFreeTree(), null, when);
          assert.equal(v.freeBlockCount, ref.starts.length, when);
        };
        for (let i = 0; i < 12_000; i++) alloc(1 + rand(4));
        // Every other area freed: some 6,000 free blocks, none touching another.
        const kept: typeof live = [];
        live.forEach((a, i) => (i % 2 ? free(a) : kept.push(a)));
        live = kept;
        check('after the holes were made');
        for (let i = 0; i < 6_000; i++) {
          if (i % 3 === 2) free(live.splice(rand(live.length), 1)[0]!);
          else alloc(1 + rand(8));
          if (i % 500 === 0) check(`churn step ${i}`);
        }
        while (live.length) {
          free(live.splice(rand(live.length), 1)[0]!);
          if (live.length % 500 === 0) check(`${live.length} areas left`);
        }
        assert.equal(v.freeBlockCount, 1);
        assert.deepEqual(v.freeBlocks(1, 2 ** 52), [{ start: 1, end: 2 ** 52 }]);
      }),
      { numRuns: 3 },
    );
  });
});
