/**
 * From extracted facts to the map: for each arch × execmem type, the side
 * the module_alloc-era code gives (before) and the side the table gives
 * (after), a verdict, and the findings a reviewer checks by hand.
 *
 * How sides are read:
 *   - before: the override's first allocation call whose conditions hold is
 *     the range, the next one the fallback; alloc_insn_page / alloc_tramp /
 *     bpf_jit_alloc_exec calling module_alloc() take its range. Types with
 *     no override inherit module_alloc (kernel/kprobes.c, kernel/bpf/core.c
 *     and the module loader of 6.1 all called it); arches with no
 *     module_alloc have the generic one (kernel/module/main.c:1627 in 6.1).
 *   - after: the last write of each field whose conditions hold, a compound
 *     literal assignment zeroing what it does not name; then execmemInit()
 *     (sim/execmemInit.ts): execmem_validate(), and when the table passes,
 *     types without a start filled from EXECMEM_DEFAULT as
 *     execmem_init_missing() does (mm/execmem.c:84 in 6.12; MODULE_DATA
 *     gets PAGE_KERNEL).
 */
import { EXECMEM_TYPES, type ExecmemType, pgprotKind } from '../sim/types';
import { execmemInit, type RangeAccess, type ValidatedField } from '../sim/execmemInit';
import { conditionsHold, evaluateCondition, type Cond, type CondEnv } from './cond';
import { envFor, numericValue, type Era } from './config';
import type { FileFacts, OverrideFact, RangeField, TableFact, TableWrite } from './facts';
import { simulateEntry } from './simulate';
import { stripParens } from './syntax';
import { OVERRIDE_TYPE, type OverrideName } from './words';
import type { ArchEntry, ArchMap, Finding, Side, SideField, TypeEntry } from './types';

export interface BuildOptions {
  /** Conditions environment per arch and era; defaults to the simulator profiles. */
  env?: (arch: string | null, era: Era) => CondEnv;
  /** The kernel the after side is read against: a series applies to the kernel it was posted for ("before"). */
  afterEra?: Era;
  /** Run both sides through the simulator and report where the memory lands (TypeEntry.simulation). */
  simulate?: boolean;
}

/** Arch of a path: the directory after the last "arch/". Files elsewhere are generic (null). */
export function archOfPath(path: string): string | null {
  const parts = path.replace(/\\/g, '/').split('/');
  const k = parts.lastIndexOf('arch');
  return k >= 0 && k < parts.length - 2 ? parts[k + 1]! : null;
}

/** Linux 6.1 kernel/module/main.c:1627, the __weak module_alloc() of arches without an override. */
const GENERIC_MODULE_ALLOC: Omit<Side, 'location'> = {
  origin: 'default',
  start: 'VMALLOC_START',
  end: 'VMALLOC_END',
  fallback_start: null,
  fallback_end: null,
  pgprot: 'PAGE_KERNEL_EXEC',
  alignment: '1',
  kasan_shadow: false,
  vm_flags: ['VM_FLUSH_RESET_PERMS'],
  conditions: [],
};
const GENERIC_MODULE_ALLOC_LOCATION = 'kernel/module/main.c:1627';

interface ArchFacts {
  overrides: { fact: OverrideFact; path: string }[];
  tables: { fact: TableFact; path: string; rank: number }[];
}

function groupByArch(files: readonly FileFacts[]): Map<string, ArchFacts> {
  const out = new Map<string, ArchFacts>();
  files.forEach((f, rank) => {
    const arch = archOfPath(f.path);
    if (!arch) return;
    const a = out.get(arch) ?? { overrides: [], tables: [] };
    for (const o of f.overrides) a.overrides.push({ fact: o, path: f.path });
    for (const t of f.tables) a.tables.push({ fact: t, path: f.path, rank });
    out.set(arch, a);
  });
  return out;
}

const loc = (path: string, line: number): string => `${path}:${line}`;

/** Sides from the module_alloc-era overrides of one arch. */
function legacySides(facts: ArchFacts, env: CondEnv): Partial<Record<ExecmemType, Side>> {
  const chosen = new Map<OverrideName, { fact: OverrideFact; path: string }>();
  for (const o of facts.overrides) {
    if (chosen.has(o.fact.name)) continue; // the first (earliest patch, or first #ifdef branch that holds) wins
    if (!conditionsHold(o.fact.conds, env)) continue;
    chosen.set(o.fact.name, o);
  }
  const sideOf = (o: { fact: OverrideFact; path: string }, moduleAlloc: Side | null): Side | null => {
    const zeroes = new Set(o.fact.resultVars);
    const live = o.fact.attempts.filter((a) => conditionsHold(a.conds, env, zeroes));
    const primary = live[0];
    if (!primary) return null;
    if (primary.kind === 'module_alloc') {
      const base = moduleAlloc ?? { ...GENERIC_MODULE_ALLOC, location: GENERIC_MODULE_ALLOC_LOCATION };
      const side: Side = { ...base, origin: o.fact.name, location: loc(o.path, primary.line), conditions: dedupe([...texts(o.fact.conds), ...texts(primary.conds), ...base.conditions]) };
      DELEGATES.add(side);
      return side;
    }
    const fallback = live.slice(1).find((a) => a.kind !== 'module_alloc' && (a.start !== primary.start || a.end !== primary.end));
    return {
      origin: primary.kind === 'kmalloc' ? 'kmalloc' : o.fact.name,
      location: loc(o.path, primary.line),
      start: primary.start,
      end: primary.end,
      fallback_start: fallback?.start ?? null,
      fallback_end: fallback?.end ?? null,
      pgprot: primary.pgprot,
      alignment: primary.alignment,
      kasan_shadow: o.fact.kasanShadow,
      vm_flags: primary.vmFlags,
      conditions: dedupe(texts([...o.fact.conds, ...primary.conds, ...(fallback?.conds ?? [])])),
    };
  };
  const out: Partial<Record<ExecmemType, Side>> = {};
  const ma = chosen.get('module_alloc');
  const moduleAlloc = ma ? sideOf(ma, null) : null;
  if (facts.overrides.length === 0) return out;
  const base = moduleAlloc ?? { ...GENERIC_MODULE_ALLOC, location: GENERIC_MODULE_ALLOC_LOCATION };
  out.EXECMEM_DEFAULT = base;
  for (const name of ['alloc_insn_page', 'bpf_jit_alloc_exec', 'alloc_tramp'] as const) {
    const o = chosen.get(name);
    const s = o ? sideOf(o, moduleAlloc) : null;
    if (s) out[OVERRIDE_TYPE[name]] = s;
  }
  // Generic alloc_insn_page() (kernel/kprobes.c), bpf_jit_alloc_exec() (kernel/bpf/core.c) and the
  // module loader's data sections called module_alloc() in 6.1; ftrace trampolines exist only where
  // an arch defines alloc_tramp().
  for (const t of ['EXECMEM_KPROBES', 'EXECMEM_BPF', 'EXECMEM_MODULE_DATA'] as const) {
    out[t] ??= { ...base, origin: 'inherited' };
  }
  return out;
}

interface FieldValue {
  value: string;
  line: number;
  path: string;
  conds: Cond[];
}

/** Sides from the tables (jit_alloc_params, execmem_params, execmem_info) of one arch. */
interface TableSides {
  sides: Partial<Record<ExecmemType, Side>>;
  defaultMissing: ValidatedField[];
  where: string;
  shape: string;
}

function tableSides(facts: ArchFacts, env: CondEnv): TableSides | null {
  if (facts.tables.length === 0) return null;
  // Order across files: patches later in the series (higher rank) write later.
  const events: { w: TableWrite | null; reset: boolean; order: number; rank: number; path: string; shape: string }[] = [];
  for (const t of facts.tables) {
    for (const w of t.fact.writes) events.push({ w, reset: false, order: w.order, rank: t.rank, path: t.path, shape: t.fact.shape });
    for (const r of t.fact.resets) {
      // A reassignment under a condition that does not hold (#ifdef CONFIG_XIP_KERNEL) leaves the table alone.
      if (conditionsHold(r.conds, env)) events.push({ w: null, reset: true, order: r.order - 0.5, rank: t.rank, path: t.path, shape: t.fact.shape });
    }
  }
  events.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const fields = new Map<ExecmemType, Map<RangeField, FieldValue>>();
  let shape = facts.tables[facts.tables.length - 1]!.fact.shape;
  // Findings about the table point at its first write in the newest file that writes it.
  const lastRank = events.length ? events[events.length - 1]!.rank : 0;
  const first = events.find((e) => e.rank === lastRank && e.w);
  const where = first?.w ? loc(first.path, first.w.line) : loc(facts.tables[0]!.path, facts.tables[0]!.fact.line);
  for (const e of events) {
    if (e.reset) {
      fields.clear();
      continue;
    }
    const w = e.w!;
    if (!conditionsHold(w.conds, env)) continue;
    shape = e.shape as typeof shape;
    for (const t of w.types) {
      const m = fields.get(t) ?? new Map<RangeField, FieldValue>();
      m.set(w.field, { value: w.value, line: w.line, path: e.path, conds: w.conds });
      fields.set(t, m);
    }
  }
  const vmFlags = (kasan: boolean): string[] => (kasan ? ['VM_FLUSH_RESET_PERMS', 'VM_DEFER_KMEMLEAK'] : ['VM_FLUSH_RESET_PERMS']);
  const sideFrom = (m: Map<RangeField, FieldValue>, origin: Side['origin']): Side => {
    const get = (f: RangeField): string | null => m.get(f)?.value ?? null;
    const fb = (f: RangeField): string | null => {
      const v = get(f);
      return v === null || v === '0' ? null : v;
    };
    const kasan = /KASAN/.test(get('flags') ?? '');
    const anchor = m.get('start') ?? m.values().next().value;
    return {
      origin,
      location: anchor ? loc(anchor.path, anchor.line) : where,
      start: get('start') ?? '0',
      end: get('end') ?? '0',
      fallback_start: fb('fallback_start'),
      fallback_end: fb('fallback_end'),
      pgprot: get('pgprot') ?? '0',
      alignment: get('alignment') ?? '0',
      kasan_shadow: kasan,
      vm_flags: vmFlags(kasan),
      conditions: dedupe([...m.values()].flatMap((v) => texts(v.conds))),
    };
  };
  // The table as the kernel holds it: every type any write reached, unwritten fields 0.
  const written: Partial<Record<ExecmemType, Side>> = {};
  for (const [t, m] of fields) written[t] = sideFrom(m, shape);
  const init = execmemInit(written, textRanges(env), { initMissing: true });
  const sides: Partial<Record<ExecmemType, Side>> = {};
  for (const t of EXECMEM_TYPES) {
    // A range with no start written says nothing to compare unless execmem_init_missing() filled it.
    if (init.filled.includes(t) || fields.get(t)?.has('start')) sides[t] = init.ranges[t]!;
  }
  const defaultMissing = init.unset;
  return { sides, defaultMissing, where, shape };
}

/** What 0 is for a side of C text: a field never written, or one whose value is 0 under the profile. */
function textRanges(env: CondEnv): RangeAccess<Side> {
  return {
    isZero: (side, field) => side[field] === '0' || numericValue(side[field], env) === 0n,
    copyDefault: (def, _type, pgprot) => ({ ...def, origin: 'inherited', pgprot }),
  };
}

const norm = (s: string | null): string | null => (s === null ? null : stripParens(s.replace(/\(\s*unsigned long\s*\)/g, '')).replace(/\s+/g, ''));

/** Override sides that only call module_alloc(): the same range as inheriting it. */
const DELEGATES = new WeakSet<Side>();

const EXPLICIT = (s: Side): boolean => s.origin !== 'inherited' && s.origin !== 'default';
const OWN_RANGE = (s: Side): boolean => EXPLICIT(s) && !DELEGATES.has(s);

/**
 * The fields that differ. Addresses written differently but equal under the
 * arch profile of each side's kernel (6.1's MODULE_START and 6.12's
 * MODULES_VADDR on mips, say) count as the same.
 */
function compareSides(before: Side | null, after: Side | null, envBefore?: CondEnv, envAfter?: CondEnv): Pick<TypeEntry, 'verdict' | 'changed'> {
  if (!before || !after) return { verdict: 'unknown', changed: [] };
  const changed: SideField[] = [];
  if (OWN_RANGE(before) !== OWN_RANGE(after)) changed.push('origin');
  const sameValue = (a: string | null, b: string | null): boolean => {
    if (a === null || b === null || !envBefore || !envAfter) return false;
    const x = numericValue(a, envBefore);
    return x !== null && x === numericValue(b, envAfter);
  };
  for (const f of ['start', 'end', 'fallback_start', 'fallback_end', 'pgprot', 'alignment'] as const) {
    if (norm(before[f]) === norm(after[f])) continue;
    if (f !== 'pgprot' && sameValue(before[f], after[f])) continue;
    changed.push(f);
  }
  if (before.kasan_shadow !== after.kasan_shadow) changed.push('kasan_shadow');
  if ([...before.vm_flags].sort().join('|') !== [...after.vm_flags].sort().join('|')) changed.push('vm_flags');
  const unknown = [before, after].some((s) => [s.start, s.end, s.pgprot, s.alignment].some((v) => v === '?'));
  if (unknown) return { verdict: 'unknown', changed };
  return { verdict: changed.length === 0 ? 'same' : 'changed', changed };
}

/** How much a pgprot lets through: 2 = writable and executable, 1 = one of them, 0 = read-only exec. */
function pgprotRisk(p: string, env?: CondEnv): number {
  // "strict_module_rwx_enabled() ? PAGE_KERNEL : PAGE_KERNEL_EXEC": the branch the configuration takes.
  const t = /^(.+?)\?(.+):(.+)$/.exec(p);
  if (t && env) {
    const c = evaluateCondition(t[1]!, env);
    if (c !== null) return pgprotRisk(c ? t[2]! : t[3]!);
  }
  const kind = pgprotKind(p);
  return kind === 'rwx' ? 2 : kind === 'rox' ? 0 : 1;
}

export function buildArchMap(beforeFiles: readonly FileFacts[] | null, afterFiles: readonly FileFacts[] | null, opts: BuildOptions = {}): ArchMap {
  const baseEnv = opts.env ?? envFor;
  const env = (arch: string | null, era: Era): CondEnv => baseEnv(arch, era === 'after' ? (opts.afterEra ?? 'after') : era);
  const findings: Finding[] = [];
  const before = groupByArch(beforeFiles ?? []);
  const after = groupByArch(afterFiles ?? []);
  const arches: Record<string, ArchEntry> = {};
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();

  const seenDup = new Set<string>();
  for (const file of new Set([...(beforeFiles ?? []), ...(afterFiles ?? [])])) {
    for (const t of file.tables) {
      for (const d of t.duplicates) {
        const where = loc(file.path, d.lines[d.lines.length - 1]!);
        if (seenDup.has(where + d.path)) continue;
        seenDup.add(where + d.path);
        const arch = archOfPath(file.path);
        const type = d.types.length === 1 ? d.types[0]! : null;
        if (!d.partnerWritten && d.partnerPath) {
          findings.push({
            arch,
            type,
            severity: 'error',
            message: `${d.path} is written ${d.values.length} times (${d.values.join(', then ')}) and ${d.partnerPath} never: the last value wins, so the range is [${d.values[d.values.length - 1]}, 0) — empty. ${d.partnerPath} was probably meant.`,
            location: where,
          });
        } else {
          findings.push({ arch, type, severity: 'warning', message: `${d.path} is written ${d.values.length} times (${d.values.join(', then ')}); only the last takes effect.`, location: where });
        }
      }
    }
  }
  // A snippet outside arch/ (say, a proposal quoted in mail) still gets its table checked.
  for (const file of new Set([...(afterFiles ?? [])])) {
    // The allocator's own files (mm/, kernel/, include/) hold its state, not an arch's table.
    if (archOfPath(file.path) !== null || /^(?:mm|kernel|include)\//.test(file.path)) continue;
    const facts: ArchFacts = { overrides: [], tables: file.tables.map((fact) => ({ fact, path: file.path, rank: 0 })) };
    const t = tableSides(facts, env(null, 'after'));
    if (t) checkTable(null, t, findings);
  }

  for (const arch of names) {
    const b = before.get(arch);
    const a = after.get(arch);
    // One input gives the sides it has; of two, each side takes what its input holds.
    const single = beforeFiles === afterFiles;
    const beforeSides = b ? (b.overrides.length > 0 ? legacySides(b, env(arch, 'before')) : single ? {} : (tableSides(b, env(arch, 'before'))?.sides ?? {})) : {};
    const afterTable = a ? tableSides(a, env(arch, 'after')) : null;
    const afterSides = afterTable ? afterTable.sides : a && a.overrides.length > 0 && !single ? legacySides(a, env(arch, 'after')) : {};
    if (afterTable) checkTable(arch, afterTable, findings);

    const types: ArchEntry['types'] = {};
    for (const t of EXECMEM_TYPES) {
      const bs = beforeSides[t] ?? null;
      const as = afterSides[t] ?? null;
      if (!bs && !as) continue;
      const explicit = (bs && EXPLICIT(bs)) || (as && EXPLICIT(as));
      if (t !== 'EXECMEM_DEFAULT' && !explicit) continue;
      const entry: TypeEntry = { before: bs, after: as, ...compareSides(bs, as, env(arch, 'before'), env(arch, 'after')) };
      if (opts.simulate) {
        const sim = simulateEntry(arch, t, bs, as);
        if (sim) entry.simulation = sim;
      }
      types[t] = entry;
      sideFindings(arch, t, entry, env(arch, 'before'), env(arch, 'after'), findings);
    }
    if (Object.keys(types).length > 0) arches[arch] = { types };
  }
  return { arches, findings };
}

/** Where each design rejects a table without a default range. */
const VALIDATOR: Record<string, string> = {
  execmem_info: 'execmem_validate() (mm/execmem.c)',
  execmem_params: 'execmem_validate_params() (mm/execmem.c of the series)',
  jit_alloc_params: 'jit_alloc_validate_params() (mm/jitalloc.c of the series)',
};

function checkTable(arch: string | null, t: TableSides, findings: Finding[]): void {
  if (t.defaultMissing.length > 0) {
    findings.push({
      arch,
      type: 'EXECMEM_DEFAULT',
      severity: 'error',
      message: `EXECMEM_DEFAULT leaves ${t.defaultMissing.map((f) => `.${f}`).join(', ')} unset: ${VALIDATOR[t.shape]} rejects the table and module loading fails.`,
      location: t.where,
    });
  }
}

function sideFindings(arch: string, type: ExecmemType, e: TypeEntry, envBefore: CondEnv, envAfter: CondEnv, out: Finding[]): void {
  for (const [side, env] of [
    [e.before, envBefore],
    [e.after, envAfter],
  ] as const) {
    if (!side || side.origin === 'inherited') continue;
    if ((side.fallback_start === null) !== (side.fallback_end === null)) {
      out.push({
        arch,
        type,
        severity: 'error',
        message: `fallback range is half set (fallback_start ${side.fallback_start ?? 'unset'}, fallback_end ${side.fallback_end ?? 'unset'}): an allocation that falls back gets an empty range.`,
        location: side.location,
      });
    }
    for (const [s, en, what] of [
      [side.start, side.end, 'range'],
      [side.fallback_start, side.fallback_end, 'fallback range'],
    ] as const) {
      if (s === null || en === null) continue;
      const a = numericValue(s, env);
      const z = numericValue(en, env);
      if ((a !== null && z !== null && a >= z) || norm(s) === norm(en)) {
        out.push({ arch, type, severity: 'error', message: `${what} [${s}, ${en}) is empty or inverted under the ${arch} profile.`, location: side.location });
      }
    }
  }
  const { before, after } = e;
  if (!before || !after) return;
  const riskBefore = pgprotRisk(before.pgprot, envBefore);
  const riskAfter = pgprotRisk(after.pgprot, envAfter);
  if (riskAfter > riskBefore && riskAfter === 2) {
    out.push({ arch, type, severity: 'warning', message: `pgprot weakened to writable+executable: ${before.pgprot} → ${after.pgprot}.`, location: after.location });
  } else if (riskAfter === 2 && after.origin !== 'inherited' && before.origin !== 'inherited') {
    out.push({ arch, type, severity: 'info', message: `memory stays writable and executable (${after.pgprot}), as before.`, location: after.location });
  }
  if (norm(before.alignment) !== '1' && norm(after.alignment) === '1') {
    out.push({ arch, type, severity: 'warning', message: `alignment lost: ${before.alignment} → 1.`, location: after.location });
  }
  if (before.kasan_shadow && !after.kasan_shadow) {
    out.push({ arch, type, severity: 'warning', message: 'KASAN module shadow no longer allocated (before: kasan_alloc_module_shadow(); after: no EXECMEM_KASAN_SHADOW).', location: after.location });
  }
  // PC-relative reach: code that was placed near the kernel must stay there.
  const nearKernel = (s: Side): boolean => /MODULE|module_|_etext|BPF_JIT_REGION/.test(`${s.start} ${s.end}`);
  const inVmalloc = (s: Side): boolean => /VMALLOC_START/.test(s.start) && /VMALLOC_END/.test(s.end);
  const sameText = norm(before.start) === norm(after.start) && norm(before.end) === norm(after.end);
  let moved = !sameText && nearKernel(before) && !nearKernel(after) && inVmalloc(after);
  const bs = numericValue(before.start, envBefore);
  const be = numericValue(before.fallback_end ?? before.end, envBefore);
  const as = numericValue(after.start, envAfter);
  const ae = numericValue(after.end, envAfter);
  const numeric = bs !== null && be !== null && as !== null && ae !== null;
  if (numeric && nearKernel(before) && !sameText) moved = as < (bs < be ? bs : be) || ae > (bs < be ? be : bs);
  if (moved) {
    const hexes = numeric ? ` — [0x${bs.toString(16)}, 0x${be.toString(16)}) → [0x${as.toString(16)}, 0x${ae.toString(16)}) under the ${arch} profile` : '';
    out.push({
      arch,
      type,
      severity: 'warning',
      message: `no longer inside the window it had near the kernel (${before.start} .. ${before.fallback_end ?? before.end} → ${after.start} .. ${after.end}${hexes}): check that nothing relies on PC-relative reach.`,
      location: after.location,
    });
  }
}

const texts = (cs: readonly Cond[]): string[] => cs.map((c) => c.text);

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
