import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ExecmemSimulator } from '../../../src/core/sim/execmem';
import { type ArchProfile, PROFILED_ARCHES, profileFor, resolveSymbols } from '../../../src/core/sim/profiles';
import { parseScenario, runScenario } from '../../../src/core/sim/scenario';
import { tabledPairs, VARIANTS, type VariantTable, variantTable as variantTableOf } from '../../../src/core/sim/variants';
import { ARCH_NAMES } from '../../../src/core/arch/arches';

function run(scenario: unknown) {
  const parsed = parseScenario(scenario);
  if (!parsed.ok) assert.fail(parsed.error);
  const out = runScenario(parsed.value);
  if (!out.ok) assert.fail(out.error);
  return out.value;
}

const alloc = (id: string, size: number, type = 'EXECMEM_MODULE_TEXT', vmFlags?: string[]) => ({ op: 'alloc', id, type, size, ...(vmFlags ? { vmFlags } : {}) });

describe('execmem simulator: x86', () => {
  test('golden: KASLR off, the first 3-page module text lands at MODULES_VADDR, the next 4 pages later (guard page)', () => {
    for (const variant of ['module_alloc', 'execmem']) {
      const out = run({ arch: 'x86', variant, kaslr: false, ops: [alloc('a', 3 * 4096), alloc('b', 4096)] });
      // MODULES_VADDR = __START_KERNEL_map + KERNEL_IMAGE_SIZE = 0xffffffff80000000 + 1 GiB.
      assert.deepEqual(out.allocations.map((a) => [a.start, a.end, a.range]), [
        ['0xffffffffc0000000', '0xffffffffc0003000', 'primary'],
        ['0xffffffffc0004000', '0xffffffffc0005000', 'primary'],
      ], variant);
    }
  });

  test('KASLR: the module base moves by 1..1024 pages, the same for the same seed', () => {
    const starts = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const a = run({ arch: 'x86', variant: 'execmem', kaslr: true, seed, ops: [alloc('a', 1)] }).allocations[0]!;
      const b = run({ arch: 'x86', variant: 'module_alloc', kaslr: true, seed, ops: [alloc('a', 1)] }).allocations[0]!;
      assert.equal(a.start, b.start, 'both designs draw the offset the same way');
      const offset = (BigInt(a.start!) - 0xffffffffc0000000n) / 4096n;
      assert.ok(offset >= 1n && offset <= 1024n, `offset ${offset} pages`);
      starts.add(a.start!);
    }
    assert.ok(starts.size > 10, 'different seeds, different offsets');
  });

  test('execmem_init_missing: every type shares the module range; MODULE_DATA is PAGE_KERNEL', () => {
    const parsed = parseScenario({ arch: 'x86', variant: 'execmem' });
    assert.ok(parsed.ok);
    const out = run({ arch: 'x86', variant: 'execmem', ops: [alloc('k', 10, 'EXECMEM_KPROBES'), alloc('b', 10, 'EXECMEM_BPF'), alloc('d', 10, 'EXECMEM_MODULE_DATA')] });
    // The BPF program lands in a 2 MiB bpf_prog_pack taken from the same range.
    assert.deepEqual(out.allocations.map((a) => [a.start, a.range]), [
      ['0xffffffffc0000000', 'primary'],
      ['0xffffffffc0002000', 'pack'],
      ['0xffffffffc0203000', 'primary'],
    ]);
    assert.equal(out.metrics.ranges.length, 1);
    assert.match(out.metrics.ranges[0]!.name, /EXECMEM_DEFAULT, EXECMEM_KPROBES, EXECMEM_FTRACE, EXECMEM_BPF, EXECMEM_MODULE_DATA/);
  });

  test('execmem_validate: an unset EXECMEM_DEFAULT is reported, and allocations fail', () => {
    const out = run({ arch: 'x86', variant: 'execmem', ranges: { EXECMEM_DEFAULT: { start: 0, end: 0 } }, ops: [alloc('a', 4096)] });
    assert.ok(out.findings.some((f) => f.severity === 'error' && /execmem_validate\(\) rejects/.test(f.message)));
    assert.equal(out.allocations[0]!.failed, true);
    assert.equal(out.metrics.failures, 1);
  });

  test('fallback: when the primary range is full the fallback range is used, and counted', () => {
    const out = run({
      arch: 'x86',
      variant: 'execmem',
      ranges: { EXECMEM_DEFAULT: { start: '0xffffffffc0000000', end: '0xffffffffc0004000', fallback_start: '0xffffc90000000000', fallback_end: '0xffffc90000100000' } },
      ops: [alloc('a', 8192), alloc('b', 8192), alloc('c', 8192)],
    });
    assert.deepEqual(out.allocations.map((a) => [a.start, a.range, a.failed]), [
      ['0xffffffffc0000000', 'primary', false],
      ['0xffffc90000000000', 'fallback', false],
      ['0xffffc90000003000', 'fallback', false],
    ]);
    assert.equal(out.metrics.fallbacks, 2);
  });

  test('VM_ALLOW_HUGE_VMAP: an area of PMD_SIZE or more is PMD-aligned and PMD-rounded', () => {
    const out = run({ arch: 'x86', variant: 'execmem', ops: [alloc('small', 4096), alloc('huge', 3 * 1024 * 1024, 'EXECMEM_MODULE_TEXT', ['VM_ALLOW_HUGE_VMAP']), alloc('after', 4096)] });
    assert.deepEqual(out.allocations.map((a) => [a.start, a.end]), [
      ['0xffffffffc0000000', '0xffffffffc0001000'],
      ['0xffffffffc0200000', '0xffffffffc0600000'],
      ['0xffffffffc0002000', '0xffffffffc0003000'],
    ]);
    assert.equal(out.metrics.itlbEntries2m, 3);
  });

  test('lazy free: a freed area is reused only after a purge; lazyFree:false reuses it at once', () => {
    const ops = [alloc('a', 4096), { op: 'free', id: 'a' }, alloc('b', 4096)];
    assert.equal(run({ arch: 'x86', variant: 'execmem', ops }).allocations[1]!.start, '0xffffffffc0002000');
    assert.equal(run({ arch: 'x86', variant: 'execmem', lazyFree: false, ops }).allocations[1]!.start, '0xffffffffc0000000');
  });

  test('law: the same scenario and seed give the same layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(fc.integer({ min: 1, max: 200_000 }), { maxLength: 40 }), (seed, sizes) => {
        const scenario = { arch: 'x86', variant: 'execmem', kaslr: true, seed, ops: sizes.map((s, i) => alloc(`a${i}`, s)) };
        assert.deepEqual(run(scenario), run(scenario));
      }),
      { numRuns: 30 },
    );
  });
});

describe('execmem simulator: arm64', () => {
  const sym = (name: string) => resolveSymbols(profileFor('arm64')!).get(name)!;
  const h = (v: bigint) => `0x${v.toString(16)}`;

  test('golden (6.12): module text in the 128 MiB direct-branch window, below the kernel image', () => {
    const out = run({ arch: 'arm64', variant: 'execmem', ops: [alloc('m', 3 * 4096)] });
    assert.equal(out.allocations[0]!.start, h(sym('module_direct_base')));
    assert.equal(sym('module_direct_base'), sym('_end') - 128n * 1024n * 1024n);
    assert.ok(out.findings.some((f) => /kernel image .* occupies/.test(f.message)));
  });

  test('golden (6.12): when the direct window is full, module text falls back to the 2 GiB PLT window', () => {
    // The window below the image holds (128 MiB - image) of areas; one more goes to module_plt_base.
    const free = sym('_text') - sym('module_direct_base');
    const big = Number(free) - 4096; // one area filling the window, less its guard page
    const out = run({ arch: 'arm64', variant: 'execmem', ops: [alloc('fill', big), alloc('next', 4096)] });
    assert.deepEqual(out.allocations.map((a) => [a.start, a.range]), [
      [h(sym('module_direct_base')), 'primary'],
      [h(sym('module_plt_base')), 'fallback'],
    ]);
  });

  test('kprobes: in the module window in neither design; in vmalloc space, after the image in 6.12', () => {
    const old = run({ arch: 'arm64', variant: 'module_alloc', ops: [alloc('kp', 4096, 'EXECMEM_KPROBES')] }).allocations[0]!;
    const now = run({ arch: 'arm64', variant: 'execmem', ops: [alloc('kp', 4096, 'EXECMEM_KPROBES')] }).allocations[0]!;
    assert.equal(old.start, h(sym('VMALLOC_START_6_1') + sym('KERNEL_SIZE')));
    assert.equal(now.start, h(sym('_end')));
    assert.ok(BigInt(now.start!) >= sym('VMALLOC_START'));
  });

  test('golden (6.1): module_alloc() places modules from module_alloc_base, below the image', () => {
    const out = run({ arch: 'arm64', variant: 'module_alloc', ops: [alloc('m', 4096), alloc('n', 4096)] });
    const base = sym('module_alloc_base_6_1');
    assert.deepEqual(out.allocations.map((a) => a.start), [h(base), h(base + 8192n)]);
  });
});

describe('execmem simulator: a 64 KiB-page BPF region', () => {
  // A test fixture, not an arch profile: 64 KiB pages and a 128 MiB BPF JIT
  // region like arm64's old BPF_JIT_REGION_SIZE (SZ_128M).
  const profile: ArchProfile = {
    arch: 'arm64', name: 'fixture: 64 KiB pages', bits: 64, pageSize: 65536, pmdSize: 512 * 1024 * 1024, kasan: false, kaslr: false, plts: true, cpus: 4,
    symbols: { PAGE_SIZE: { value: '65536', source: 'fixture' }, BPF_BASE: { value: '0xffff800008000000', source: 'fixture' } },
  };
  const table: VariantTable = {
    variant: 'execmem', arch: 'arm64', initMissing: true, notes: [],
    ranges: {
      EXECMEM_DEFAULT: { start: 'BPF_BASE + SZ_1G', end: 'BPF_BASE + SZ_2G', pgprot: 'PAGE_KERNEL', alignment: '1', origin: 'fixture' },
      EXECMEM_BPF: { start: 'BPF_BASE', end: 'BPF_BASE + SZ_128M', pgprot: 'PAGE_KERNEL', alignment: '1', origin: 'fixture' },
    },
  };

  test('golden: it fills after 1,024 one-page programs, not 2,048 (each takes a guard page)', () => {
    const sim = new ExecmemSimulator({ profile, table, seed: 0, kaslr: false, lazyFree: true });
    let placed = 0;
    for (let i = 0; i < 2048; i++) if (!sim.alloc(`p${i}`, 'EXECMEM_BPF', 4096).failed) placed++;
    assert.equal(placed, 1024);
    assert.equal(sim.metrics().failures, 1024);
    const noGuard = new ExecmemSimulator({ profile, table, seed: 0, kaslr: false, lazyFree: true });
    let placedNoGuard = 0;
    for (let i = 0; i < 2049; i++) if (!noGuard.alloc(`p${i}`, 'EXECMEM_BPF', 4096, ['VM_NO_GUARD']).failed) placedNoGuard++;
    assert.equal(placedNoGuard, 2048);
  });
});

describe('scenario errors name the field', () => {
  const cases: [unknown, RegExp][] = [
    [[], /scenario: expected a JSON object/],
    [{ arch: 'ia64', variant: 'execmem' }, /^arch: expected one of arm, arm64/],
    [{ arch: 'x86', variant: 'jit' }, /^variant: expected one of module_alloc/],
    [{ arch: 'x86', variant: 'execmem', seed: -1 }, /^seed: expected a whole number/],
    [{ arch: 'x86', variant: 'execmem', colour: 1 }, /^colour: unknown field/],
    [{ arch: 'x86', variant: 'execmem', ops: [{ op: 'alloc', id: 'a', type: 'EXECMEM_BPF', size: 0 }] }, /^ops\[0\]\.size: expected a whole number ≥ 1/],
    [{ arch: 'x86', variant: 'execmem', ops: [{ op: 'alloc', id: 'a', type: 'EXECMEM_BPF', size: 1, vmFlags: ['VM_HUGE'] }] }, /^ops\[0\]\.vmFlags\[0\]: unknown flag/],
    [{ arch: 'x86', variant: 'execmem', ops: [{ op: 'nop' }] }, /^ops\[0\]\.op: expected "alloc", "free" or "workload"/],
    [{ arch: 'x86', variant: 'execmem', ranges: { EXECMEM_BPF: { start: 1.5, end: 2 } } }, /^ranges\.EXECMEM_BPF\.start: 1\.5 is not a whole number/],
    [{ arch: 'x86', variant: 'execmem', ranges: { EXECMEM_BPF: { start: '0xzz', end: 2 } } }, /^ranges\.EXECMEM_BPF\.start: expected an address/],
    [{ arch: 'x86', variant: 'execmem', ranges: { EXECMEM_BPF: { start: 1, end: 2, alignment: 3 } } }, /^ranges\.EXECMEM_BPF\.alignment: must be a power of two/],
    [{ arch: 'x86', variant: 'execmem', profile: { pageSize: 3000 } }, /^profile\.pageSize: must be a power of two/],
  ];
  for (const [scenario, message] of cases) {
    test(String(message), () => {
      const r = parseScenario(scenario);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, message);
    });
  }

  test('an arch or design without data is refused by name (while any is left)', () => {
    const unprofiled = ARCH_NAMES.find((a) => !PROFILED_ARCHES.includes(a));
    if (unprofiled) {
      const r = parseScenario({ arch: unprofiled, variant: 'execmem' });
      assert.ok(!r.ok && new RegExp(`^arch: ${unprofiled} has no profile yet \\(profiled: `).test(r.error));
    }
    const tabled = new Set(tabledPairs().map((p) => `${p.variant}/${p.arch}`));
    for (const arch of PROFILED_ARCHES) {
      for (const variant of VARIANTS) {
        if (tabled.has(`${variant}/${arch}`)) continue;
        const r = parseScenario({ arch, variant });
        assert.ok(!r.ok && r.error.startsWith(`variant: ${variant} is not tabled for ${arch} yet`));
      }
    }
  });

  test('running: freeing an unknown id, allocating a live id', () => {
    const a = parseScenario({ arch: 'x86', variant: 'execmem', ops: [{ op: 'free', id: 'nope' }] });
    assert.ok(a.ok);
    assert.deepEqual(runScenario(a.value), { ok: false, error: 'ops[0]: free: no live allocation "nope"' });
    const b = parseScenario({ arch: 'x86', variant: 'execmem', ops: [alloc('x', 1), alloc('x', 1)] });
    assert.ok(b.ok);
    assert.deepEqual(runScenario(b.value), { ok: false, error: 'ops[1]: allocation id "x" is already live' });
  });
});

describe('workloads', () => {
  const all = [
    { op: 'workload', name: 'boot', params: { modules: 80 } },
    { op: 'workload', name: 'churn', params: { rounds: 30 } },
    { op: 'workload', name: 'kprobes', params: { count: 10 } },
    { op: 'workload', name: 'ftrace', params: { count: 4 } },
    { op: 'workload', name: 'bpf', params: { count: 40 } },
  ];

  test('every tabled design × arch boots, churns and runs probes, trampolines and BPF without failures', () => {
    const pairs = tabledPairs();
    // The 11 arches of the series × the 5 API designs.
    assert.equal(pairs.length, 55);
    assert.equal(new Set(pairs.map((p) => p.arch)).size, 11);
    for (const { variant, arch } of pairs) {
      const out = run({ arch, variant, seed: 3, ops: all });
      const m = out.metrics;
      assert.equal(m.failures, 0, `${variant}/${arch}`);
      assert.ok(m.liveAreas > 200, `${variant}/${arch}: ${m.liveAreas} live areas`);
      assert.equal(m.perType.EXECMEM_KPROBES!.areas, 10);
      assert.equal(m.perType.EXECMEM_FTRACE!.areas, 4);
      assert.equal(m.perType.EXECMEM_BPF!.areas, 40);
      assert.ok(m.itlbEntries4k >= m.itlbEntries2m && m.itlbEntries2m > 0);
      // Init sections are freed after load, so no init section stays live.
      assert.ok(!out.allocations.some((a) => /\.init_/.test(a.id) && !a.failed) || m.liveAreas < out.allocations.length);
    }
  });

  test('the same seed gives the same workload; another seed another', () => {
    const a = run({ arch: 'x86', variant: 'execmem', seed: 11, ops: all });
    assert.deepEqual(run({ arch: 'x86', variant: 'execmem', seed: 11, ops: all }), a);
    assert.notDeepEqual(run({ arch: 'x86', variant: 'execmem', seed: 12, ops: all }).allocations.map((x) => x.size), a.allocations.map((x) => x.size));
  });

  test('boot frees each module’s init sections once it is loaded', () => {
    const out = run({ arch: 'x86', variant: 'execmem', seed: 1, ops: [{ op: 'workload', name: 'boot', params: { modules: 30 } }] });
    const inits = out.allocations.filter((a) => /\.init_/.test(a.id));
    assert.ok(inits.length > 10);
    assert.equal(out.metrics.liveAreas, out.allocations.length - inits.length);
  });

  test('workload errors name the field', () => {
    const bad = (ops: unknown[]) => {
      const p = parseScenario({ arch: 'x86', variant: 'execmem', ops });
      if (!p.ok) return p.error;
      const r = runScenario(p.value);
      return r.ok ? '' : r.error;
    };
    assert.match(bad([{ op: 'workload', name: 'reboot' }]), /^ops\[0\]\.name: expected one of boot, churn/);
    assert.match(bad([{ op: 'workload', name: 'boot', params: { modules: -1 } }]), /^ops\[0\]\.params\.modules: expected a whole number/);
    assert.match(bad([{ op: 'workload', name: 'boot', params: 3 }]), /^ops\[0\]\.params: expected an object/);
  });
});

describe('review fixes', () => {
  test('a huge-page request that does not fit as huge pages is retried with base pages in the same range', () => {
    const out = run({
      arch: 'x86',
      variant: 'execmem',
      ranges: { EXECMEM_DEFAULT: { start: '0xffffffffc0001000', end: '0xffffffffc0400000', fallback_start: '0xffffc90000000000', fallback_end: '0xffffc90100000000' } },
      ops: [alloc('big', 2 * 1024 * 1024, 'EXECMEM_MODULE_TEXT', ['VM_ALLOW_HUGE_VMAP'])],
    });
    // [c0001000, c0400000) holds no 2 MiB-aligned 2 MiB + guard, but 513 base pages fit.
    assert.deepEqual(out.allocations.map((a) => [a.start, a.range]), [['0xffffffffc0001000', 'primary']]);
    assert.equal(out.metrics.fallbacks, 0);
  });

  test('a workload that runs out of space counts failures instead of stopping', () => {
    const out = run({
      arch: 'x86',
      variant: 'execmem',
      ranges: { EXECMEM_MODULE_DATA: { start: '0xffffffffc8000000', end: '0xffffffffc8008000' } },
      ops: [{ op: 'workload', name: 'boot', params: { modules: 20 } }, { op: 'workload', name: 'churn', params: { rounds: 10 } }],
    });
    assert.ok(out.metrics.failures > 0);
    assert.ok(out.metrics.liveAreas > 0);
  });

  test('profile page sizes outside 4-64 KiB, and PMD smaller than a page, are refused', () => {
    for (const [profile, message] of [
      [{ pageSize: 1 }, /profile\.pageSize: the kernels modelled use 4 KiB to 64 KiB pages/],
      [{ pageSize: 2 ** 31 }, /profile\.pageSize: the kernels modelled/],
      [{ pmdSize: 2048 }, /profile\.pmdSize: must be at least the page size/],
    ] as const) {
      const r = parseScenario({ arch: 'x86', variant: 'execmem', profile });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, message);
    }
  });
});

describe('ROX cache (execmem-rox, x86)', () => {
  test('golden: text chunks of the requested size from one PMD-aligned 2 MiB ROX area; data outside it', () => {
    const out = run({ arch: 'x86', variant: 'execmem-rox', ops: [alloc('t1', 12288), alloc('t2', 100), alloc('d', 4096, 'EXECMEM_MODULE_DATA'), alloc('t3', 5000)] });
    assert.deepEqual(out.allocations.map((a) => [a.start, a.end, a.range]), [
      ['0xffffffffc0000000', '0xffffffffc0003000', 'cache'],
      ['0xffffffffc0003000', '0xffffffffc0003064', 'cache'],
      // The cache area took 2 MiB and its guard page; data is vmalloc()ed after it.
      ['0xffffffffc0201000', '0xffffffffc0202000', 'primary'],
      ['0xffffffffc0003064', '0xffffffffc00043ec', 'cache'],
    ]);
    assert.equal(out.metrics.roxCacheAreas, 1);
    // The three chunks touch 5 pages of the huge page; one 2 MiB iTLB entry maps them all.
    assert.equal(out.metrics.itlbEntries4k, 5);
    assert.equal(out.metrics.itlbEntries2m, 1);
  });

  test('freed chunks coalesce, are reused first-fit, and a fully free huge area goes back to vmalloc', () => {
    const out = run({
      arch: 'x86',
      variant: 'execmem-rox',
      ops: [alloc('a', 1000), alloc('b', 1000), { op: 'free', id: 'a' }, alloc('c', 500), { op: 'free', id: 'b' }, { op: 'free', id: 'c' }],
    });
    assert.equal(out.allocations[2]!.start, '0xffffffffc0000000', 'the hole left by a is reused first');
    assert.equal(out.metrics.roxCacheAreas, 0);
    assert.equal(out.metrics.liveAreas, 0);
  });

  test('a text allocation larger than a huge page takes a PMD-rounded area of its own', () => {
    const out = run({ arch: 'x86', variant: 'execmem-rox', ops: [alloc('small', 64), alloc('big', 3 * 1024 * 1024)] });
    assert.deepEqual(out.allocations.map((a) => a.start), ['0xffffffffc0000000', '0xffffffffc0400000']);
    assert.equal(out.metrics.roxCacheAreas, 2);
  });
});

describe('bpf_prog_pack', () => {
  test('programs share a 2 MiB pack in 64-byte chunks; an empty pack is freed', () => {
    const ops = [...Array.from({ length: 100 }, (_, i) => alloc(`p${i}`, 100, 'EXECMEM_BPF')), ...Array.from({ length: 100 }, (_, i) => ({ op: 'free', id: `p${i}` }))];
    const out = run({ arch: 'x86', variant: 'execmem', ops: ops.slice(0, 100) });
    assert.equal(out.metrics.bpfPacks, 1);
    const starts = out.allocations.map((a) => BigInt(a.start!));
    for (let i = 1; i < starts.length; i++) assert.equal(starts[i]! - starts[i - 1]!, 128n, 'two 64-byte chunks each');
    assert.equal(run({ arch: 'x86', variant: 'execmem', ops }).metrics.bpfPacks, 0);
  });

  test('a freed chunk run is reused first-fit; a program bigger than a pack gets pages of its own', () => {
    const out = run({
      arch: 'x86',
      variant: 'execmem',
      ops: [alloc('a', 64, 'EXECMEM_BPF'), alloc('b', 64, 'EXECMEM_BPF'), { op: 'free', id: 'a' }, alloc('c', 64, 'EXECMEM_BPF'), alloc('huge', 3 * 1024 * 1024, 'EXECMEM_BPF')],
    });
    assert.equal(out.allocations[2]!.start, out.allocations[0]!.start);
    assert.equal(out.allocations[3]!.range, 'primary');
    assert.equal(out.metrics.bpfPacks, 1);
  });

  test('arm64 in 6.1 has no packs: each program is its own vmalloc area', () => {
    const out = run({ arch: 'arm64', variant: 'module_alloc', ops: [alloc('a', 64, 'EXECMEM_BPF'), alloc('b', 64, 'EXECMEM_BPF')] });
    assert.equal(out.metrics.bpfPacks, 0);
    assert.equal(BigInt(out.allocations[1]!.start!) - BigInt(out.allocations[0]!.start!), 8192n);
  });
});

describe('the five designs', () => {
  test('x86 has all five; arm64 gets execmem-rox as its execmem table (no ROX cache outside x86_64)', () => {
    const pairs = tabledPairs();
    for (const v of ['module_alloc', 'jitalloc-v1', 'execmem-split', 'execmem', 'execmem-rox']) {
      assert.ok(pairs.some((p) => p.arch === 'x86' && p.variant === v), `x86 ${v}`);
      assert.ok(pairs.some((p) => p.arch === 'arm64' && p.variant === v), `arm64 ${v}`);
    }
    const rox = run({ arch: 'arm64', variant: 'execmem-rox', ops: [alloc('m', 4096)] });
    const plain = run({ arch: 'arm64', variant: 'execmem', ops: [alloc('m', 4096)] });
    assert.deepEqual(rox.allocations, plain.allocations);
  });

  test('the 2023-06-08 proposal sets .fallback_start twice and never .fallback_end: a finding on arm64', () => {
    const out = run({ arch: 'arm64', variant: 'execmem-split', ops: [] });
    assert.ok(out.findings.some((f) => f.type === 'EXECMEM_DEFAULT' && /fallback \[0x[0-9a-f]+, 0x0\) is empty or inverted/.test(f.message)));
  });

  test('kprobes: in the module range on x86 in every design; in vmalloc space on arm64 in every design', () => {
    for (const variant of ['module_alloc', 'jitalloc-v1', 'execmem-split', 'execmem', 'execmem-rox']) {
      const x = run({ arch: 'x86', variant, ops: [alloc('kp', 4096, 'EXECMEM_KPROBES')] }).allocations[0]!;
      assert.ok(BigInt(x.start!) >= 0xffffffffc0000000n && BigInt(x.start!) < 0xffffffffff000000n, `x86 ${variant}`);
      const a = run({ arch: 'arm64', variant, ops: [alloc('kp', 4096, 'EXECMEM_KPROBES')] }).allocations[0]!;
      const armSym = resolveSymbols(profileFor('arm64')!);
      const vmallocStart = variant === 'execmem' || variant === 'execmem-rox' ? armSym.get('VMALLOC_START')! : armSym.get('VMALLOC_START_6_1')!;
      assert.ok(BigInt(a.start!) >= vmallocStart, `arm64 ${variant}: ${a.start}`);
    }
  });
});

describe('execmem simulator: arm64 KASLR', () => {
  const sym = resolveSymbols(profileFor('arm64')!);
  const text = sym.get('_text')!;
  const end = sym.get('_end')!;
  test('6.12: the 128 MiB direct window is a random page-aligned box around the image, and modules land in it', () => {
    const starts = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const s = new ExecmemSimulator({ profile: profileFor('arm64')!, table: variantOf('execmem'), seed, kaslr: true, lazyFree: false });
      const direct = s.symbols.get('module_direct_base')!;
      const plt = s.symbols.get('module_plt_base')!;
      assert.equal(direct % 4096n, 0n);
      assert.ok(direct <= text && direct + (128n << 20n) >= end, `seed ${seed}: the window covers the image`);
      assert.ok(plt <= direct && plt + (2n << 30n) >= direct + (128n << 20n), `seed ${seed}: the PLT window covers the direct one`);
      const a = s.alloc('m', 'EXECMEM_DEFAULT', 3 * 4096);
      assert.ok(!a.failed && a.start! >= direct && a.end! <= direct + (128n << 20n));
      assert.equal(s.findings.filter((f) => /KASLR placement is not modelled/.test(f.message)).length, 0);
      starts.add(String(direct));
    }
    assert.ok(starts.size > 30, 'the window moves with the seed');
  });

  test('6.1: module_alloc_base moves within [_etext - MODULES_VSIZE, _stext), page aligned', () => {
    const etext = sym.get('_etext_6_1')!;
    const stext = sym.get('KIMAGE_VADDR_6_1')!;
    for (let seed = 1; seed <= 40; seed++) {
      const s = new ExecmemSimulator({ profile: profileFor('arm64')!, table: variantOf('module_alloc'), seed, kaslr: true, lazyFree: false });
      const base = s.symbols.get('module_alloc_base_6_1')!;
      assert.equal(base % 4096n, 0n);
      assert.ok(base >= etext - (128n << 20n) && base < stext, `seed ${seed}`);
      // The same seed, the same base.
      const again = new ExecmemSimulator({ profile: profileFor('arm64')!, table: variantOf('module_alloc'), seed, kaslr: true, lazyFree: false });
      assert.equal(again.symbols.get('module_alloc_base_6_1'), base);
    }
  });
});

function variantOf(v: (typeof VARIANTS)[number]): VariantTable {
  const t = variantTableOf(v, 'arm64');
  if (!t) throw new Error(`no ${v} table for arm64`);
  return t;
}
