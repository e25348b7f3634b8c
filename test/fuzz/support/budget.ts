/**
 * How long the fuzz properties run. The same files serve `npm test` (a fixed
 * seed and a small number of cases per property, a few thousand in all) and
 * `npm run fuzz` (scripts/fuzz.mjs: a new seed per round, each property run
 * for a time), read from the environment:
 *
 *   EXECMEM_FUZZ_SEED     base seed (default fixed); each property mixes in its name
 *   EXECMEM_FUZZ_RUNS     cases per property, instead of each property's unit budget
 *   EXECMEM_FUZZ_SECONDS  run each property for this long instead (cases unbounded)
 *   EXECMEM_FUZZ_FULL=1   hostile fixtures at full size (1,000,000 "From " lines…)
 *
 * A failure prints fast-check's seed, path and counterexample; replay one with
 * EXECMEM_FUZZ_SEED and the property's `path` (see fuzzParams).
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20261130;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return n;
}

export const FUZZ_SEED = envNumber('EXECMEM_FUZZ_SEED') ?? DEFAULT_SEED;
const RUNS = envNumber('EXECMEM_FUZZ_RUNS');
const SECONDS = envNumber('EXECMEM_FUZZ_SECONDS');
/** True under `npm run fuzz`: hostile fixtures at full size, larger inputs in the linear-time checks. */
export const FUZZ_FULL = process.env.EXECMEM_FUZZ_FULL === '1';
/** True when the properties run for time, not for the unit budget. */
export const FUZZ_LONG = SECONDS !== undefined || RUNS !== undefined;

/** A 32-bit seed per property, so that properties sharing arbitraries do not see the same inputs. */
function seedFor(name: string): number {
  let h = FUZZ_SEED | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * fast-check parameters for the property `name`: `unitRuns` cases under `npm
 * test`, or what the environment asks for. `EXECMEM_FUZZ_PATH` with the seed
 * replays one failure.
 */
export function fuzzParams<T>(name: string, unitRuns: number): fc.Parameters<T> {
  const params: fc.Parameters<T> = { seed: seedFor(name), numRuns: unitRuns };
  if (RUNS !== undefined) params.numRuns = RUNS;
  if (SECONDS !== undefined) {
    params.numRuns = RUNS ?? 2 ** 31 - 1;
    params.plugins = [fc.interruptAfterTimeLimit(SECONDS * 1000) as fc.Plugin<T>];
  }
  if (FUZZ_LONG) {
    // How many cases ran, for the long run's report (scripts/fuzz.mjs); a failure is thrown as usual.
    params.reporter = (details) => {
      console.log(`fuzz-cases ${details.numRuns} ${name}`);
      if (details.failed) throw new Error(`${fc.defaultReportMessage(details)}\nGot: ${String(details.errorInstance)}`);
    };
  }
  const replay = process.env.EXECMEM_FUZZ_PATH;
  if (replay) params.path = replay;
  return params;
}
