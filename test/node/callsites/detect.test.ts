/**
 * Call sites found in the real trees: 6.1 calls module_alloc() where 6.12
 * calls execmem_alloc() with a type; both trees' scans list the same places.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { CallSite } from '../../../src/core/callsites/detect';
import { scanTree, sitesOfText } from '../../../src/node/callsites/scan';
import { kernelTree } from '../../support/kernelSource';

async function sites(version: '6.1' | '6.12', file: string): Promise<CallSite[]> {
  return sitesOfText(file, readFileSync(path.join(kernelTree(version), file), 'utf8'));
}

const at = (list: CallSite[], callee: string, caller: string): CallSite | undefined => list.find((s) => s.callee === callee && s.caller === caller);

describe('call sites in linux-source-6.1 and 6.12', () => {
  test('kernel/kprobes.c: module_alloc(PAGE_SIZE) becomes execmem_alloc(EXECMEM_KPROBES, PAGE_SIZE)', async () => {
    const old = at(await sites('6.1', 'kernel/kprobes.c'), 'module_alloc', 'alloc_insn_page');
    assert.ok(old);
    assert.deepEqual([old.type, old.typeFrom, old.size, old.converted, old.subsystem, old.line], ['EXECMEM_KPROBES', 'caller', 'PAGE_SIZE', false, 'kprobes', 121]);
    const cur = at(await sites('6.12', 'kernel/kprobes.c'), 'execmem_alloc', 'alloc_insn_page');
    assert.ok(cur);
    assert.deepEqual([cur.type, cur.typeFrom, cur.size, cur.converted, cur.subsystem], ['EXECMEM_KPROBES', 'argument', 'PAGE_SIZE', true, 'kprobes']);
  });

  test('kernel/bpf/core.c, kernel/module/main.c and arch/x86/kernel/ftrace.c', async () => {
    const bpf = await sites('6.1', 'kernel/bpf/core.c');
    assert.equal(at(bpf, 'module_alloc', 'bpf_jit_alloc_exec')?.type, 'EXECMEM_BPF');
    assert.equal(at(bpf, 'module_alloc', 'alloc_new_pack')?.size, 'BPF_PROG_PACK_SIZE');
    assert.ok(bpf.every((s) => s.subsystem === 'bpf'));
    const mod = await sites('6.1', 'kernel/module/main.c');
    assert.equal(at(mod, 'module_alloc', 'move_module')?.type, 'EXECMEM_DEFAULT');
    assert.ok(mod.some((s) => s.kind === 'free' && s.callee === 'module_memfree'));
    assert.ok(mod.every((s) => s.subsystem === 'modules'));
    const ft = await sites('6.1', 'arch/x86/kernel/ftrace.c');
    assert.equal(at(ft, 'module_alloc', 'alloc_tramp')?.type, 'EXECMEM_FTRACE');
    assert.ok(ft.some((s) => s.kind === 'override' && s.callee === 'alloc_tramp'));
    const ft12 = await sites('6.12', 'arch/x86/kernel/ftrace.c');
    const e = at(ft12, 'execmem_alloc', 'alloc_tramp');
    assert.deepEqual([e?.type, e?.converted], ['EXECMEM_FTRACE', true]);
  });

  test('a scan of each tree lists the same places; 6.1 is module_alloc era, 6.12 converted', async () => {
    const files = ['kernel/kprobes.c', 'kernel/bpf/core.c', 'kernel/module/main.c', 'arch/x86/kernel/ftrace.c'];
    const [old, cur] = [await scanTree(kernelTree('6.1')), await scanTree(kernelTree('6.12'))];
    for (const f of files) {
      const o = old.sites.filter((s) => s.path === f && s.kind === 'alloc' && s.converted !== null);
      const c = cur.sites.filter((s) => s.path === f && s.kind === 'alloc' && s.converted !== null);
      assert.ok(o.length > 0 && o.every((s) => s.converted === false), `${f} in 6.1`);
      assert.ok(c.length > 0 && c.every((s) => s.converted === true), `${f} in 6.12`);
    }
    // The arch overrides of 6.1 (module_alloc in arch/*/kernel/module.c and friends).
    const overrides = old.sites.filter((s) => s.kind === 'override' && s.callee === 'module_alloc').map((s) => s.path.split('/')[1]);
    for (const arch of ['arm', 'arm64', 'loongarch', 'mips', 'nios2', 'parisc', 'powerpc', 'riscv', 's390', 'sparc', 'x86']) assert.ok(overrides.includes(arch), arch);
    assert.equal(cur.sites.filter((s) => s.kind === 'override' && s.callee === 'module_alloc').length, 0);
    // File order: by path, then line.
    const keys = old.sites.map((s) => `${s.path}\u0000${String(s.line).padStart(6, '0')}`);
    assert.deepEqual(keys, [...keys].sort());
  });
});
