import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildArchMap } from '../../../src/core/archmap/build';
import type { FileFacts, TableWrite } from '../../../src/core/archmap/facts';
import type { OverrideName } from '../../../src/core/archmap/words';
import { ExecmemSimulator } from '../../../src/core/sim/execmem';
import { execmemInit, type RangeAccess } from '../../../src/core/sim/execmemInit';
import { profileFor } from '../../../src/core/sim/profiles';
import { EXECMEM_TYPES, type ExecmemType } from '../../../src/core/sim/types';
import type { RangeSpec } from '../../../src/core/sim/variants';

interface R {
  start: number;
  end: number;
  pgprot: string;
  alignment: number;
  fallback_start: number;
  flags: string[];
}
const access: RangeAccess<R> = {
  isZero: (r, f) => (f === 'pgprot' ? r.pgprot === '' : r[f] === 0),
  copyDefault: (d, _t, pgprot) => ({ ...d, flags: [...d.flags], pgprot }),
};
const DEF: R = { start: 100, end: 200, pgprot: 'PAGE_KERNEL_ROX', alignment: 8, fallback_start: 300, flags: ['EXECMEM_KASAN_SHADOW'] };

describe('execmemInit: execmem_validate() then execmem_init_missing() (mm/execmem.c, 6.12)', () => {
  test('a valid default fills every type whose start is 0, MODULE_DATA with PAGE_KERNEL, fallback and flags too', () => {
    const kprobes: R = { start: 500, end: 600, pgprot: 'PAGE_KERNEL', alignment: 1, fallback_start: 0, flags: [] };
    const bpf: R = { start: 0, end: 999, pgprot: 'PAGE_KERNEL_EXEC', alignment: 64, fallback_start: 0, flags: [] };
    const out = execmemInit<R>({ EXECMEM_DEFAULT: DEF, EXECMEM_KPROBES: kprobes, EXECMEM_BPF: bpf }, access, { initMissing: true });
    assert.deepEqual(out.unset, []);
    assert.deepEqual(out.filled, ['EXECMEM_FTRACE', 'EXECMEM_BPF', 'EXECMEM_MODULE_DATA']);
    assert.equal(out.ranges.EXECMEM_KPROBES, kprobes, 'a type with a start is left as it is');
    // !r->start replaces the whole range, not only the start (mm/execmem.c:91-101).
    assert.deepEqual(out.ranges.EXECMEM_BPF, DEF);
    assert.deepEqual(out.ranges.EXECMEM_FTRACE, DEF);
    assert.deepEqual(out.ranges.EXECMEM_MODULE_DATA, { ...DEF, pgprot: 'PAGE_KERNEL' });
    assert.equal(out.ranges.EXECMEM_DEFAULT, DEF);
  });

  test('each field execmem_validate() needs, missing, rejects the table and nothing is filled', () => {
    for (const f of ['start', 'end', 'pgprot', 'alignment'] as const) {
      const bad = { ...DEF, [f]: f === 'pgprot' ? '' : 0 };
      const out = execmemInit<R>({ EXECMEM_DEFAULT: bad }, access, { initMissing: true });
      assert.deepEqual(out.unset, [f]);
      assert.deepEqual(out.filled, [], f);
      assert.deepEqual(Object.keys(out.ranges), ['EXECMEM_DEFAULT'], f);
    }
    const none = execmemInit<R>({ EXECMEM_KPROBES: DEF }, access, { initMissing: true });
    assert.deepEqual(none.unset, ['start', 'end', 'pgprot', 'alignment'], 'no default: all four, in the order the arch map names them');
    assert.deepEqual(Object.keys(none.ranges), ['EXECMEM_KPROBES']);
  });

  test('designs without execmem_init_missing() are validated and not filled', () => {
    const out = execmemInit<R>({ EXECMEM_DEFAULT: DEF }, access, { initMissing: false });
    assert.deepEqual([out.unset, out.filled, Object.keys(out.ranges)], [[], [], ['EXECMEM_DEFAULT']]);
  });
});

/** One execmem_info table as C text: type → field → value. */
type Table = Partial<Record<ExecmemType, Partial<Record<'start' | 'end' | 'pgprot' | 'alignment', string>>>>;
type Outcome = { unset: string[]; ranges: Partial<Record<ExecmemType, 'own' | 'filled' | 'none'>> };
// The arch map lists a type when the before side has a range of its own: these four have overrides.
const COMPARED: ExecmemType[] = ['EXECMEM_DEFAULT', 'EXECMEM_KPROBES', 'EXECMEM_FTRACE', 'EXECMEM_BPF'];
const GOOD = { start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN' };
const ROX = { start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_ROX', alignment: '1' };

const unsetIn = (message: string | undefined): string[] => [...(message ?? '').matchAll(/\.(start|end|pgprot|alignment)\b/g)].map((m) => m[1]!);

function simulated(table: Table): Outcome {
  const ranges: Partial<Record<ExecmemType, RangeSpec>> = {};
  for (const [t, f] of Object.entries(table)) ranges[t as ExecmemType] = { start: f.start ?? '0', end: f.end ?? '0', pgprot: f.pgprot ?? '0', alignment: f.alignment ?? '0', origin: 'test' };
  const sim = new ExecmemSimulator({ profile: profileFor('x86')!, table: { variant: 'execmem', arch: 'x86', ranges, initMissing: true, notes: [] }, seed: 1, kaslr: false, lazyFree: true });
  const def = sim.ranges.EXECMEM_DEFAULT;
  const out: Outcome = { unset: unsetIn(sim.findings.find((f) => /execmem_validate\(\) rejects/.test(f.message))?.message), ranges: {} };
  for (const t of COMPARED) {
    const r = sim.ranges[t];
    out.ranges[t] = !r ? 'none' : t !== 'EXECMEM_DEFAULT' && def && JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)) === JSON.stringify(def, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)) ? 'filled' : 'own';
  }
  return out;
}

function mapped(table: Table): Outcome {
  const attempt = (line: number) => ({ kind: 'vmalloc_range' as const, line, conds: [], ...ROX, vmFlags: [] });
  const override = (name: OverrideName, line: number) => ({ name, line, conds: [], attempts: [attempt(line)], kasanShadow: false, resultVars: [] });
  const before: FileFacts = {
    path: 'arch/x86/kernel/module.c',
    overrides: [override('module_alloc', 10), override('alloc_insn_page', 20), override('alloc_tramp', 30), override('bpf_jit_alloc_exec', 40)],
    tables: [],
    aliases: {},
  };
  const writes: TableWrite[] = [];
  for (const [t, f] of Object.entries(table)) {
    for (const [field, value] of Object.entries(f)) writes.push({ types: [t as ExecmemType], field: field as TableWrite['field'], value, line: 100 + writes.length, conds: [], order: writes.length });
  }
  const after: FileFacts = { path: 'arch/x86/mm/init.c', overrides: [], tables: [{ shape: 'execmem_info', variable: 'execmem_info', line: 99, writes, resets: [], duplicates: [] }], aliases: {} };
  const map = buildArchMap([before], [after]);
  const out: Outcome = { unset: unsetIn(map.findings.find((f) => /execmem_validate\(\)/.test(f.message))?.message), ranges: {} };
  for (const t of COMPARED) {
    const side = map.arches.x86?.types[t]?.after ?? null;
    out.ranges[t] = !side ? 'none' : side.origin === 'inherited' ? 'filled' : 'own';
  }
  return out;
}

describe('the simulator and the arch map run the same execmem init step', () => {
  const cases: { name: string; table: Table; expect: Outcome }[] = [
    {
      name: 'a valid default is copied to the types without a start',
      table: { EXECMEM_DEFAULT: GOOD, EXECMEM_KPROBES: ROX },
      expect: { unset: [], ranges: { EXECMEM_DEFAULT: 'own', EXECMEM_KPROBES: 'own', EXECMEM_FTRACE: 'filled', EXECMEM_BPF: 'filled' } },
    },
    {
      name: 'a start written as 0UL is unset, and filled',
      table: { EXECMEM_DEFAULT: GOOD, EXECMEM_KPROBES: { ...ROX, start: '0UL' } },
      expect: { unset: [], ranges: { EXECMEM_DEFAULT: 'own', EXECMEM_KPROBES: 'filled', EXECMEM_FTRACE: 'filled', EXECMEM_BPF: 'filled' } },
    },
    {
      name: 'a default without alignment is rejected and nothing inherits it',
      table: { EXECMEM_DEFAULT: { ...GOOD, alignment: '0' }, EXECMEM_KPROBES: ROX },
      expect: { unset: ['alignment'], ranges: { EXECMEM_DEFAULT: 'own', EXECMEM_KPROBES: 'own', EXECMEM_FTRACE: 'none', EXECMEM_BPF: 'none' } },
    },
    {
      name: 'a default start of 0 written another way (0x0) is rejected too',
      table: { EXECMEM_DEFAULT: { ...GOOD, start: '0x0' } },
      expect: { unset: ['start'], ranges: { EXECMEM_DEFAULT: 'own', EXECMEM_KPROBES: 'none', EXECMEM_FTRACE: 'none', EXECMEM_BPF: 'none' } },
    },
    {
      name: 'no default at all: all four fields unset',
      table: { EXECMEM_KPROBES: ROX },
      expect: { unset: ['start', 'end', 'pgprot', 'alignment'], ranges: { EXECMEM_DEFAULT: 'none', EXECMEM_KPROBES: 'own', EXECMEM_FTRACE: 'none', EXECMEM_BPF: 'none' } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(simulated(c.table), c.expect, 'simulator');
      assert.deepEqual(mapped(c.table), c.expect, 'arch map');
    });
  }

  test('every type the kernel fills, MODULE_DATA included, gets a range in the simulator', () => {
    const sim = new ExecmemSimulator({
      profile: profileFor('x86')!,
      table: { variant: 'execmem', arch: 'x86', ranges: { EXECMEM_DEFAULT: { ...GOOD, origin: 'test' } }, initMissing: true, notes: [] },
      seed: 1,
      kaslr: false,
      lazyFree: true,
    });
    for (const t of EXECMEM_TYPES) assert.ok(sim.ranges[t], t);
    assert.equal(sim.ranges.EXECMEM_MODULE_DATA.pgprot, 'PAGE_KERNEL');
    assert.equal(sim.alloc('d', 'EXECMEM_MODULE_DATA', 4096).failed, false);
  });
});
