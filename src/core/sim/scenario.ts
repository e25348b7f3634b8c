/**
 * Scenarios: what `execmem-lens simulate` reads (a JSON contract that
 * outside tests write) and what it prints. Every field is checked; an error
 * names the field (ops[3].size) and what was wrong.
 */
import { ARCH_NAMES, type ArchName, isArchName } from '../arch/arches';
import { err, ok, type Result } from '../result';
import { type Allocation, ExecmemSimulator, type Finding, type Metrics } from './execmem';
import { type ArchProfile, PROFILED_ARCHES, profileFor } from './profiles';
import { EXECMEM_TYPES, type ExecmemRange, type ExecmemType, hex, parseExecmemType, RANGE_FLAGS, type RangeFlag, type RangeTable, VM_FLAGS, type VmFlag } from './types';
import { Rng } from './random';
import { tabledPairs, type Variant, VARIANTS, variantTable } from './variants';
import { type WorkloadName, WORKLOADS, WorkloadState } from './workloads';

export type ScenarioOp =
  | { op: 'alloc'; id: string; type: ExecmemType; size: number; vmFlags: VmFlag[] }
  | { op: 'free'; id: string }
  | { op: 'workload'; name: WorkloadName; params: Record<string, unknown>; where: string };

export interface Scenario {
  arch: ArchName;
  variant: Variant;
  profile: ArchProfile;
  seed: number;
  kaslr: boolean;
  lazyFree: boolean;
  ranges: RangeTable;
  ops: ScenarioOp[];
}

export interface ScenarioOutput {
  allocations: { id: string; type: ExecmemType; start: string | null; end: string | null; size: number; range: Allocation['range']; failed: boolean }[];
  metrics: Metrics;
  findings: Finding[];
}

class Bad extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(o: Obj, keys: string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) throw new Bad(`${where}${where ? '.' : ''}${extra[0]}: unknown field (expected one of ${keys.join(', ')})`);
}

/** An address: an integer below 2^53 or a "0x..." string. */
function address(v: unknown, where: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new Bad(`${where}: ${v} is not a whole number between 0 and 2^53 (write larger addresses as "0x..." strings)`);
    return BigInt(v);
  }
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
  throw new Bad(`${where}: expected an address (integer or "0x..." string), got ${JSON.stringify(v)}`);
}

function int(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Bad(`${where}: expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Bad(`${where}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function execmemType(v: unknown, where: string): ExecmemType {
  const t = parseExecmemType(v);
  if (!t) throw new Bad(`${where}: unknown type ${JSON.stringify(v)} (one of ${[...EXECMEM_TYPES, 'EXECMEM_MODULE_TEXT'].join(', ')})`);
  return t;
}

function profileWith(base: ArchProfile, v: unknown): ArchProfile {
  if (v === undefined) return base;
  if (!isObj(v)) throw new Bad('profile: expected an object of overrides');
  onlyKeys(v, ['name', 'bits', 'pageSize', 'pmdSize', 'kasan', 'kaslr', 'plts', 'cpus', 'symbols'], 'profile');
  const p: ArchProfile = { ...base, symbols: { ...base.symbols } };
  if (v.name !== undefined) p.name = String(v.name);
  if (v.bits !== undefined) {
    if (v.bits !== 32 && v.bits !== 64) throw new Bad('profile.bits: 32 or 64');
    p.bits = v.bits;
  }
  for (const k of ['pageSize', 'pmdSize'] as const) {
    if (v[k] === undefined) continue;
    const n = int(v[k], `profile.${k}`, 1);
    if (!Number.isInteger(Math.log2(n))) throw new Bad(`profile.${k}: must be a power of two, got ${n}`);
    p[k] = n;
  }
  // Page numbers must stay exact (below 2^53) for every address of the space.
  if (p.pageSize < 4096 || p.pageSize > 65536) throw new Bad(`profile.pageSize: the kernels modelled use 4 KiB to 64 KiB pages, got ${p.pageSize}`);
  if (p.pmdSize < p.pageSize) throw new Bad(`profile.pmdSize: must be at least the page size (${p.pageSize}), got ${p.pmdSize}`);
  if (v.cpus !== undefined) p.cpus = int(v.cpus, 'profile.cpus', 1);
  for (const k of ['kasan', 'kaslr', 'plts'] as const) if (v[k] !== undefined) p[k] = bool(v[k], `profile.${k}`);
  if (v.pageSize !== undefined) p.symbols.PAGE_SIZE = { value: String(p.pageSize), source: 'scenario profile override' };
  if (v.symbols !== undefined) {
    if (!isObj(v.symbols)) throw new Bad('profile.symbols: expected an object of NAME: value');
    for (const [name, val] of Object.entries(v.symbols)) {
      const value = typeof val === 'number' ? String(address(val, `profile.symbols.${name}`)) : typeof val === 'string' ? val : undefined;
      if (value === undefined) throw new Bad(`profile.symbols.${name}: expected a number, "0x..." or an expression string`);
      p.symbols[name] = { value, source: 'scenario profile override' };
    }
  }
  return p;
}

function rangeOverrides(v: unknown): RangeTable {
  if (v === undefined) return {};
  if (!isObj(v)) throw new Bad('ranges: expected an object keyed by execmem type');
  const out: RangeTable = {};
  for (const [key, spec] of Object.entries(v)) {
    const type = execmemType(key, `ranges.${key}`);
    const where = `ranges.${key}`;
    if (!isObj(spec)) throw new Bad(`${where}: expected an object`);
    onlyKeys(spec, ['start', 'end', 'fallback_start', 'fallback_end', 'alignment', 'pgprot', 'flags'], where);
    if (spec.flags !== undefined && !Array.isArray(spec.flags)) throw new Bad(`${where}.flags: expected a list`);
    const flags = ((spec.flags as unknown[] | undefined) ?? []).map((f, i) => {
      if (!(RANGE_FLAGS as readonly unknown[]).includes(f)) throw new Bad(`${where}.flags[${i}]: unknown flag ${JSON.stringify(f)} (one of ${RANGE_FLAGS.join(', ')})`);
      return f as RangeFlag;
    });
    const range: ExecmemRange = {
      start: address(spec.start, `${where}.start`),
      end: address(spec.end, `${where}.end`),
      fallback_start: spec.fallback_start === undefined ? 0n : address(spec.fallback_start, `${where}.fallback_start`),
      fallback_end: spec.fallback_end === undefined ? 0n : address(spec.fallback_end, `${where}.fallback_end`),
      alignment: spec.alignment === undefined ? 1 : int(spec.alignment, `${where}.alignment`, 1),
      pgprot: spec.pgprot === undefined ? 'PAGE_KERNEL' : String(spec.pgprot),
      flags,
    };
    if (!Number.isInteger(Math.log2(range.alignment))) throw new Bad(`${where}.alignment: must be a power of two, got ${range.alignment}`);
    out[type] = range;
  }
  return out;
}

function parseOps(v: unknown): ScenarioOp[] {
  if (!Array.isArray(v)) throw new Bad('ops: expected a list of operations');
  return v.map((o, i): ScenarioOp => {
    const where = `ops[${i}]`;
    if (!isObj(o)) throw new Bad(`${where}: expected an object`);
    if (o.op === 'alloc') {
      onlyKeys(o, ['op', 'id', 'type', 'size', 'vmFlags'], where);
      if (typeof o.id !== 'string' || !o.id) throw new Bad(`${where}.id: expected a non-empty string`);
      if (o.vmFlags !== undefined && !Array.isArray(o.vmFlags)) throw new Bad(`${where}.vmFlags: expected a list`);
      const vmFlags = ((o.vmFlags as unknown[] | undefined) ?? []).map((f, k) => {
        if (!(VM_FLAGS as readonly unknown[]).includes(f)) throw new Bad(`${where}.vmFlags[${k}]: unknown flag ${JSON.stringify(f)} (one of ${VM_FLAGS.join(', ')})`);
        return f as VmFlag;
      });
      return { op: 'alloc', id: o.id, type: execmemType(o.type, `${where}.type`), size: int(o.size, `${where}.size`, 1), vmFlags };
    }
    if (o.op === 'free') {
      onlyKeys(o, ['op', 'id'], where);
      if (typeof o.id !== 'string' || !o.id) throw new Bad(`${where}.id: expected a non-empty string`);
      return { op: 'free', id: o.id };
    }
    if (o.op === 'workload') {
      onlyKeys(o, ['op', 'name', 'params'], where);
      if (typeof o.name !== 'string' || !(WORKLOADS as readonly string[]).includes(o.name)) {
        throw new Bad(`${where}.name: expected one of ${WORKLOADS.join(', ')}, got ${JSON.stringify(o.name)}`);
      }
      if (o.params !== undefined && !isObj(o.params)) throw new Bad(`${where}.params: expected an object`);
      return { op: 'workload', name: o.name as WorkloadName, params: (o.params as Obj | undefined) ?? {}, where };
    }
    throw new Bad(`${where}.op: expected "alloc", "free" or "workload", got ${JSON.stringify(o.op)}`);
  });
}

export function parseScenario(value: unknown): Result<Scenario> {
  try {
    if (!isObj(value)) throw new Bad('scenario: expected a JSON object');
    onlyKeys(value, ['arch', 'variant', 'profile', 'seed', 'kaslr', 'lazyFree', 'ranges', 'ops'], '');
    if (!isArchName(value.arch)) throw new Bad(`arch: expected one of ${ARCH_NAMES.join(', ')}, got ${JSON.stringify(value.arch)}`);
    const arch = value.arch;
    if (!(VARIANTS as readonly unknown[]).includes(value.variant)) throw new Bad(`variant: expected one of ${VARIANTS.join(', ')}, got ${JSON.stringify(value.variant)}`);
    const variant = value.variant as Variant;
    const base = profileFor(arch);
    if (!base) throw new Bad(`arch: ${arch} has no profile yet (profiled: ${PROFILED_ARCHES.join(', ')})`);
    if (!variantTable(variant, arch)) {
      const have = tabledPairs().map((p) => `${p.variant}/${p.arch}`).join(', ');
      throw new Bad(`variant: ${variant} is not tabled for ${arch} yet (tabled: ${have})`);
    }
    const profile = profileWith(base, value.profile);
    return ok({
      arch,
      variant,
      profile,
      seed: value.seed === undefined ? 0 : int(value.seed, 'seed'),
      kaslr: value.kaslr === undefined ? profile.kaslr : bool(value.kaslr, 'kaslr'),
      lazyFree: value.lazyFree === undefined ? true : bool(value.lazyFree, 'lazyFree'),
      ranges: rangeOverrides(value.ranges),
      ops: parseOps(value.ops ?? []),
    });
  } catch (e) {
    if (e instanceof Bad) return err(e.message);
    throw e;
  }
}

export function runScenario(s: Scenario): Result<ScenarioOutput> {
  let sim: ExecmemSimulator;
  try {
    sim = new ExecmemSimulator({ profile: s.profile, table: variantTable(s.variant, s.arch)!, seed: s.seed, kaslr: s.kaslr, lazyFree: s.lazyFree, rangeOverrides: s.ranges });
  } catch (e) {
    return err(e instanceof Error ? e.message : String(e));
  }
  // Workloads draw from their own stream of the seed, apart from the KASLR offset's.
  const workloads = new WorkloadState(new Rng(s.seed ^ 0x5eed), s.profile.pageSize);
  const failedIds = new Set<string>();
  for (const [i, op] of s.ops.entries()) {
    try {
      if (op.op === 'workload') {
        for (const g of workloads.generate(op.name, op.params, op.where)) {
          if (g.op === 'alloc') {
            if (sim.alloc(g.id, g.type, g.size, g.vmFlags).failed) failedIds.add(g.id);
          } else if (failedIds.has(g.id)) {
            // A workload frees what it loaded; what failed to load has nothing to free.
            failedIds.delete(g.id);
          } else sim.free(g.id);
        }
      } else if (op.op === 'alloc') sim.alloc(op.id, op.type, op.size, op.vmFlags);
      else sim.free(op.id);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return err(message.startsWith('ops[') ? message : `ops[${i}]: ${message}`);
    }
  }
  return ok({
    allocations: sim.allocations.map((a) => ({
      id: a.id,
      type: a.type,
      start: a.start === null ? null : hex(a.start),
      end: a.end === null ? null : hex(a.end),
      size: a.size,
      range: a.range,
      failed: a.failed,
    })),
    metrics: sim.metrics(),
    findings: sim.findings,
  });
}
