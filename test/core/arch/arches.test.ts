import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ARCH_NAMES, ARCHES, DEFAULT_ARCH, isArchName } from '../../../src/core/arch/arches';
import { kernelTree } from '../../support/kernelSource';

describe('arches', () => {
  test('the eleven architectures of the series, each once', () => {
    assert.equal(ARCH_NAMES.length, 11);
    assert.equal(new Set(ARCH_NAMES).size, 11);
    assert.deepEqual(ARCHES.map((a) => a.name), [...ARCH_NAMES]);
    assert.ok(isArchName(DEFAULT_ARCH));
  });

  test('isArchName accepts exactly the names', () => {
    for (const a of ARCH_NAMES) assert.ok(isArchName(a));
    for (const v of ['', 'X86', 'x86_64', 'ia64', 'arm ', null, 3, {}, ['x86']]) assert.equal(isArchName(v), false, String(v));
  });

  // The file table is a fact about the kernel: check it against the real sources.
  test('each execmem_arch_setup() lives where the table says, in linux-source-6.12', () => {
    const tree = kernelTree('6.12');
    for (const arch of ARCHES) {
      const text = readFileSync(path.join(tree, arch.execmemSetupFile), 'utf8');
      assert.match(text, /\bexecmem_arch_setup\s*\(/, `${arch.name}: ${arch.execmemSetupFile}`);
    }
  });

  test('each module_alloc() override lives where the table says, in linux-source-6.1', () => {
    const tree = kernelTree('6.1');
    for (const arch of ARCHES) {
      const text = readFileSync(path.join(tree, arch.moduleAllocFile), 'utf8');
      assert.match(text, /\bvoid\s*\*\s*module_alloc\s*\(/, `${arch.name}: ${arch.moduleAllocFile}`);
    }
  });
});
