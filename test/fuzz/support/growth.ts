/**
 * Does the time a step takes grow linearly with its input? Times the step on
 * an input of size n and of size 4n (the best of a few runs each, after a
 * warm-up): linear work gives about 4×, quadratic about 16×. The check allows
 * 8×, which machine noise does not reach once the small run takes some
 * milliseconds (fast steps are run several times in a row to get there).
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection before the timings, so that garbage left by earlier tests is not charged to them.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

export interface Growth {
  n: number;
  /** The large input is factor × n. */
  factor: number;
  small: number;
  large: number;
  ratio: number;
}

/** Allowed growth for `factor` times the input: twice linear (quadratic is factor²). */
export function maxRatio(factor: number): number {
  return 2 * factor;
}

/** Time of `times` runs in a row. */
async function timed<T>(input: T, run: (x: T) => unknown, times: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < times; i++) await run(input);
  return performance.now() - t;
}

async function best<T>(input: T, run: (x: T) => unknown, times: number, reps: number): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < reps; i++) b = Math.min(b, await timed(input, run, times));
  return b;
}

export interface GrowthOptions {
  /** The smaller size. */
  n: number;
  /** Largest n to try (4n must stay within a size limit of the input, say); attempts past it go down instead. */
  maxN?: number;
  /** The small run must take at least this long for the ratio to mean something; below it, runs are batched. */
  minMs?: number;
  reps?: number;
  /** The large input is this many times the small one (4 unless said). */
  factor?: number;
}

/**
 * The best of `reps` timings at n and at 4n, taken in turn (small, large,
 * small, …) so that load from other processes falls on both alike; the best,
 * not the median, because noise only ever adds time. A step too fast to time
 * is timed `times` runs in a row, the same number at both sizes.
 */
export async function growth<T>(make: (n: number) => T, run: (x: T) => unknown, opts: GrowthOptions): Promise<Growth> {
  const reps = opts.reps ?? 3;
  const minMs = opts.minMs ?? 6;
  const n = opts.n;
  const factor = opts.factor ?? 4;
  const input = make(n);
  await run(input);
  let times = 1;
  while ((await best(input, run, times, 2)) < minMs && times < 4096) times *= 2;
  const large = make(factor * n);
  await run(large);
  collect();
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < reps; i++) {
    bestSmall = Math.min(bestSmall, await timed(input, run, times));
    bestLarge = Math.min(bestLarge, await timed(large, run, times));
  }
  return { n, factor, small: bestSmall / times, large: bestLarge / times, ratio: bestLarge / Math.max(bestSmall, 0.001) };
}

export function describeGrowth(g: Growth): string {
  return `n=${g.n} took ${g.small.toFixed(2)} ms, ${g.factor}n took ${g.large.toFixed(2)} ms (${g.ratio.toFixed(1)}×; linear is ~${g.factor}×, quadratic ~${g.factor ** 2}×)`;
}

/**
 * Passes when the step grows less than maxRatio× from n to 4n at some scale
 * among `attempts` (each at twice the n of the one before, or half past maxN):
 * crossing a cache size, or a size where V8 handles strings or typed-array
 * views differently, can make one pair of sizes look superlinear, but
 * quadratic work looks so at every scale.
 */
export async function assertLinear<T>(what: string, make: (n: number) => T, run: (x: T) => unknown, opts: GrowthOptions & { attempts?: number }): Promise<void> {
  const seen: string[] = [];
  const maxN = opts.maxN ?? opts.n * 64;
  let n = opts.n;
  const attempts = opts.attempts ?? 3;
  for (let a = 0; a < attempts; a++) {
    const g = await growth(make, run, { ...opts, n });
    if (process.env.EXECMEM_FUZZ_VERBOSE) console.log(`${what}: ${describeGrowth(g)}`);
    if (g.ratio < maxRatio(g.factor)) return;
    seen.push(describeGrowth(g));
    // Past maxN (a size limit of the input) smaller sizes are tried instead.
    n = g.n * 2 <= maxN ? g.n * 2 : Math.max(1, Math.floor(g.n / 2));
  }
  assert.fail(`${what}: ${seen.join('; ')}`);
}
