/**
 * The arch map on Debian's linux-source-6.1 (before) and linux-source-6.12
 * (after): every arch's key fields as the sources say them (the expected
 * values were read off the C by hand, file and line given).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildArchMap } from '../../../src/core/archmap/build';
import type { ArchMap, ExecmemType, Side } from '../../../src/core/archmap/types';
import { factsOfTree } from '../../../src/node/archmap/inputs';
import { kernelTree } from '../../support/kernelSource';

type Expect = Partial<Pick<Side, 'origin' | 'start' | 'end' | 'pgprot' | 'alignment' | 'fallback_start' | 'fallback_end' | 'kasan_shadow'>> & { at?: string };

/** arch → type → [before, after]. */
const EXPECTED: Record<string, Partial<Record<ExecmemType, [Expect, Expect]>>> = {
  arm: {
    // 6.1 arch/arm/kernel/module.c:46; 6.12 arch/arm/mm/init.c:516-525
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/arm/kernel/module.c:46', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_EXEC', alignment: '1' },
      { origin: 'execmem_info', at: 'arch/arm/mm/init.c:519', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_EXEC', alignment: '1' },
    ],
  },
  arm64: {
    // 6.1 arch/arm64/kernel/module.c:25-60 (KASAN off: end = module_alloc_base + MODULES_VSIZE; PLT fallback to +2G)
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/arm64/kernel/module.c:38', start: 'module_alloc_base', end: 'module_alloc_base + MODULES_VSIZE', fallback_start: 'module_alloc_base', fallback_end: 'module_alloc_base + SZ_2G', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', kasan_shadow: true },
      // 6.12 arch/arm64/mm/init.c:538-559 (module_direct_base set: direct window, PLT window as fallback)
      { origin: 'execmem_info', at: 'arch/arm64/mm/init.c:554', start: 'module_direct_base', end: 'module_direct_base + SZ_128M', fallback_start: 'module_plt_base', fallback_end: 'module_plt_base + SZ_2G', pgprot: 'PAGE_KERNEL', alignment: '1', kasan_shadow: false },
    ],
    EXECMEM_KPROBES: [
      { origin: 'alloc_insn_page', at: 'arch/arm64/kernel/probes/kprobes.c:134', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_ROX', alignment: '1' },
      { origin: 'execmem_info', at: 'arch/arm64/mm/init.c:562', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_ROX', alignment: '1' },
    ],
    EXECMEM_BPF: [
      { origin: 'bpf_jit_alloc_exec', at: 'arch/arm64/net/bpf_jit_comp.c:1683', start: 'VMALLOC_START', end: 'VMALLOC_END' },
      { origin: 'execmem_info', at: 'arch/arm64/mm/init.c:568', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL' },
    ],
  },
  loongarch: {
    // 6.12 arch/loongarch/mm/init.c: MODULES_TEXT_START/END are file-local #defines (lines 250-253)
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/loongarch/kernel/module.c:456', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: '1' },
      { origin: 'execmem_info', at: 'arch/loongarch/mm/init.c:262', start: 'MODULES_VADDR', end: 'MODULES_VADDR + SZ_256M', pgprot: 'PAGE_KERNEL' },
    ],
    EXECMEM_MODULE_DATA: [
      { origin: 'inherited', start: 'MODULES_VADDR', end: 'MODULES_END' },
      { origin: 'execmem_info', at: 'arch/loongarch/mm/init.c:268', start: 'MODULES_VADDR + SZ_256M', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
    ],
  },
  mips: {
    // 6.1 arch/mips/kernel/module.c:36-41 (#ifdef MODULE_START, 64-bit); 6.12 arch/mips/mm/init.c:593-597
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/mips/kernel/module.c:38', start: 'MODULE_START', end: 'MODULE_END', pgprot: 'PAGE_KERNEL' },
      { origin: 'execmem_info', at: 'arch/mips/mm/init.c:594', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
    ],
  },
  nios2: {
    // 6.1 arch/nios2/kernel/module.c:34 kmalloc(); 6.12 arch/nios2/mm/init.c:159-163
    EXECMEM_DEFAULT: [
      { origin: 'kmalloc', at: 'arch/nios2/kernel/module.c:34' },
      { origin: 'execmem_info', at: 'arch/nios2/mm/init.c:160', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_EXEC' },
    ],
  },
  parisc: {
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/parisc/kernel/module.c:200', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_RWX' },
      { origin: 'execmem_info', at: 'arch/parisc/mm/init.c:1011', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_RWX' },
    ],
  },
  powerpc: {
    // ppc64 has no MODULES_VADDR: the #else branches (6.1 module.c:125, 6.12 mem.c:456-457)
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/powerpc/kernel/module.c:125', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'strict_module_rwx_enabled() ? PAGE_KERNEL : PAGE_KERNEL_EXEC' },
      { origin: 'execmem_info', at: 'arch/powerpc/mm/mem.c:465', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'strict_module_rwx_enabled() ? PAGE_KERNEL : PAGE_KERNEL_EXEC' },
    ],
    EXECMEM_KPROBES: [
      { origin: 'alloc_insn_page', at: 'arch/powerpc/kernel/kprobes.c:133', start: 'VMALLOC_START', end: 'VMALLOC_END' },
      { origin: 'execmem_info', at: 'arch/powerpc/mm/mem.c:473', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'strict_module_rwx_enabled() ? PAGE_KERNEL_ROX : PAGE_KERNEL_EXEC' },
    ],
  },
  riscv: {
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/riscv/kernel/module.c:425', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
      { origin: 'execmem_info', at: 'arch/riscv/mm/init.c:1562', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
    ],
    EXECMEM_KPROBES: [
      { origin: 'alloc_insn_page', at: 'arch/riscv/kernel/probes/kprobes.c:114', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_READ_EXEC' },
      { origin: 'execmem_info', at: 'arch/riscv/mm/init.c:1568', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL_READ_EXEC' },
    ],
    EXECMEM_BPF: [
      { origin: 'bpf_jit_alloc_exec', at: 'arch/riscv/net/bpf_jit_core.c:197', start: 'BPF_JIT_REGION_START', end: 'BPF_JIT_REGION_END', alignment: 'PAGE_SIZE' },
      { origin: 'execmem_info', at: 'arch/riscv/mm/init.c:1574', start: 'BPF_JIT_REGION_START', end: 'BPF_JIT_REGION_END', alignment: 'PAGE_SIZE' },
    ],
  },
  s390: {
    // 6.1 arch/s390/kernel/module.c:45 (PAGE_KERNEL_EXEC, KASAN shadow); 6.12 arch/s390/mm/init.c:317-326 (KASLR off: offset 0)
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/s390/kernel/module.c:45', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL_EXEC', alignment: 'MODULE_ALIGN', kasan_shadow: true },
      { origin: 'execmem_info', at: 'arch/s390/mm/init.c:321', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', kasan_shadow: true },
    ],
    EXECMEM_KPROBES: [
      { origin: 'alloc_insn_page', at: 'arch/s390/kernel/kprobes.c:42', start: 'MODULES_VADDR', end: 'MODULES_END' },
      { origin: 'inherited', start: 'MODULES_VADDR', end: 'MODULES_END' },
    ],
  },
  sparc: {
    // 6.1 arch/sparc/kernel/module.c: module_alloc() → module_map() (#ifdef CONFIG_SPARC64, line 32)
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/sparc/kernel/module.c:47', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
      { origin: 'execmem_info', at: 'arch/sparc/mm/execmem.c:12', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL' },
    ],
  },
  x86: {
    // 6.1 arch/x86/kernel/module.c:76 (get_module_load_offset() is 0 without RANDOMIZE_BASE); 6.12 arch/x86/mm/init.c:1077-1082
    EXECMEM_DEFAULT: [
      { origin: 'module_alloc', at: 'arch/x86/kernel/module.c:76', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', kasan_shadow: true },
      { origin: 'execmem_info', at: 'arch/x86/mm/init.c:1079', start: 'MODULES_VADDR', end: 'MODULES_END', pgprot: 'PAGE_KERNEL', alignment: 'MODULE_ALIGN', kasan_shadow: true },
    ],
    EXECMEM_KPROBES: [{ origin: 'alloc_insn_page', at: 'arch/x86/kernel/kprobes/core.c:426', start: 'MODULES_VADDR' }, { origin: 'inherited', start: 'MODULES_VADDR' }],
    EXECMEM_FTRACE: [{ origin: 'alloc_tramp', at: 'arch/x86/kernel/ftrace.c:264', start: 'MODULES_VADDR' }, { origin: 'inherited', start: 'MODULES_VADDR' }],
  },
};

function check(side: Side | null, want: Expect, what: string): void {
  assert.ok(side, `${what}: side missing`);
  const { at, ...fields } = want;
  if (at) assert.equal(side.location, at, `${what}: location`);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(side[k as keyof Side], v, `${what}: ${k}`);
}

describe('arch map: linux-source-6.1 → linux-source-6.12', () => {
  let map: ArchMap;
  before(async () => {
    const [old, cur] = [await factsOfTree(kernelTree('6.1')), await factsOfTree(kernelTree('6.12'))];
    map = buildArchMap(old.files, cur.files);
  });

  test('all eleven arches have both sides of EXECMEM_DEFAULT', () => {
    assert.deepEqual(Object.keys(map.arches).sort(), Object.keys(EXPECTED).sort());
    for (const [arch, e] of Object.entries(map.arches)) {
      assert.ok(e.types.EXECMEM_DEFAULT?.before, `${arch}: before`);
      assert.ok(e.types.EXECMEM_DEFAULT?.after, `${arch}: after`);
    }
  });

  for (const [arch, types] of Object.entries(EXPECTED)) {
    test(`${arch}: key fields as the sources say`, () => {
      const got = map.arches[arch]!.types;
      for (const [type, [b, a]] of Object.entries(types) as [ExecmemType, [Expect, Expect]][]) {
        check(got[type]?.before ?? null, b, `${arch} ${type} before`);
        check(got[type]?.after ?? null, a, `${arch} ${type} after`);
      }
    });
  }

  test('kprobes and BPF appear exactly where an arch overrides them', () => {
    const withType = (t: ExecmemType): string[] => Object.keys(map.arches).filter((a) => map.arches[a]!.types[t]).sort();
    // alloc_insn_page overrides in 6.1: arm64, powerpc, riscv, s390, x86 (grep of arch/*/kernel)
    assert.deepEqual(withType('EXECMEM_KPROBES'), ['arm64', 'powerpc', 'riscv', 's390', 'x86']);
    // bpf_jit_alloc_exec overrides in 6.1: arm64, riscv (sparc32's is not built on sparc64)
    assert.deepEqual(withType('EXECMEM_BPF'), ['arm64', 'riscv']);
  });

  test('verdicts: x86 text is unchanged, arm64 modules moved and lost their KASAN shadow', () => {
    assert.equal(map.arches.x86!.types.EXECMEM_DEFAULT!.verdict, 'same');
    const arm64 = map.arches.arm64!.types.EXECMEM_DEFAULT!;
    assert.equal(arm64.verdict, 'changed');
    for (const f of ['start', 'end', 'alignment', 'kasan_shadow'] as const) assert.ok(arm64.changed.includes(f), f);
    assert.ok(map.findings.some((f) => f.arch === 'arm64' && f.type === 'EXECMEM_DEFAULT' && /KASAN/.test(f.message)));
    // Renamed but the same address under each kernel's profile: mips MODULE_START → MODULES_VADDR.
    assert.deepEqual(map.arches.mips!.types.EXECMEM_DEFAULT!.changed, ['vm_flags']);
    assert.deepEqual(map.arches.loongarch!.types.EXECMEM_DEFAULT!.changed, ['vm_flags']);
    // powerpc kprobes became ROX in their own range (6.12 mem.c:472).
    assert.deepEqual(map.arches.powerpc!.types.EXECMEM_KPROBES!.changed, ['origin', 'pgprot']);
  });

  test('one tree alone fills only the side it has', async () => {
    const files = (await factsOfTree(kernelTree('6.1'))).files;
    const only = buildArchMap(files, files);
    assert.equal(Object.keys(only.arches).length, 11);
    for (const e of Object.values(only.arches)) {
      assert.ok(e.types.EXECMEM_DEFAULT!.before);
      assert.equal(e.types.EXECMEM_DEFAULT!.after, null);
      assert.equal(e.types.EXECMEM_DEFAULT!.verdict, 'unknown');
    }
  });
});

describe('arch map with the simulator', () => {
  test('both sides run on one workload: x86 text stays, arm64 modules move to the 128 MiB direct window', async () => {
    const map = buildArchMap((await factsOfTree(kernelTree('6.1'))).files, (await factsOfTree(kernelTree('6.12'))).files, { simulate: true });
    const x86 = map.arches.x86!.types.EXECMEM_DEFAULT!.simulation!;
    assert.match(x86.summary, /lands in the same place/);
    assert.equal(x86.before!.failed, 0);
    const arm64 = map.arches.arm64!.types.EXECMEM_DEFAULT!.simulation!;
    assert.match(arm64.summary, /^moves: /);
    assert.equal(arm64.before!.allocations, 24);
    assert.equal(arm64.after!.allocations, 24);
    // The after span starts at module_direct_base under the arm64 profile (_end - SZ_128M).
    assert.match(arm64.after!.span, /^\[0xffff80007a800000, /);
    // nios2's kmalloc side lies in the linear map; its execmem range does not.
    assert.match(map.arches.nios2!.types.EXECMEM_DEFAULT!.simulation!.summary, /moves/);
  });
});
