import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluate } from '../../../src/core/sim/expr';
import { PROFILED_ARCHES, profileFor, resolveSymbols } from '../../../src/core/sim/profiles';
import { kernelTree } from '../../support/kernelSource';

test('range expressions: numbers, symbols, SZ_ constants, precedence, parentheses', () => {
  const s = new Map([['MODULES_VADDR', 0xffffffffc0000000n], ['off', 4096n]]);
  assert.equal(evaluate('MODULES_VADDR + off', s), 0xffffffffc0001000n);
  assert.equal(evaluate('SZ_128M + SZ_2G - 2 * SZ_1K', s), 128n * 2n ** 20n + 2n * 2n ** 30n - 2048n);
  assert.equal(evaluate('(1 + 2) * 3', s), 9n);
  assert.equal(evaluate('-4 + 10 / 2', s), 1n);
  assert.throws(() => evaluate('NOPE + 1', s), /unknown symbol NOPE/);
  assert.throws(() => evaluate('1 +', s), /ends too early/);
  assert.throws(() => evaluate('(1', s), /missing "\)"/);
  assert.throws(() => evaluate('1 2', s), /unexpected "2"/);
});

test('every profile symbol evaluates and cites where the kernel defines it', () => {
  for (const arch of PROFILED_ARCHES) {
    const p = profileFor(arch)!;
    const values = resolveSymbols(p);
    for (const [name, def] of Object.entries(p.symbols)) {
      assert.ok(values.has(name), `${arch} ${name}`);
      assert.match(def.source, /^((linux-source-6\.1: )?(arch|include|mm|kernel)\/\S+:\d+|parameter: \S)/, `${arch} ${name} cites a file:line or says it is a parameter`);
    }
    assert.equal(values.get('PAGE_SIZE'), BigInt(p.pageSize));
  }
  const x86 = resolveSymbols(profileFor('x86')!);
  assert.equal(x86.get('MODULES_VADDR'), 0xffffffffc0000000n);
  assert.equal(x86.get('VMALLOC_END'), 0xffffe8ffffffffffn);
  const arm64 = resolveSymbols(profileFor('arm64')!);
  assert.equal(arm64.get('MODULES_VADDR'), 0xffff800000000000n);
  assert.equal(arm64.get('VMALLOC_START'), 0xffff800080000000n);
  assert.equal(arm64.get('VMALLOC_END'), 0xfffffdffbf800000n);
  assert.equal(arm64.get('VMALLOC_END_6_1'), 0xfffffbfff0000000n);
  assert.equal(evaluate('1 << 4 + 1', new Map()), 32n, 'shift binds less tightly than +, as in C');
});

test('each cited file:line names the symbol (or what the citation says it derives from), in the tree it names', () => {
  const trees = { '6.12': kernelTree('6.12'), '6.1': kernelTree('6.1') };
  for (const arch of PROFILED_ARCHES) {
    for (const [name, def] of Object.entries(profileFor(arch)!.symbols)) {
      if (def.source.startsWith('parameter: ')) continue;
      const m = /^(?:linux-source-(6\.1): )?(\S+?):(\d+)/.exec(def.source);
      assert.ok(m, `${arch} ${name}: ${def.source}`);
      const tree = trees[(m[1] ?? '6.12') as '6.1' | '6.12'];
      const line = readFileSync(join(tree, m[2]!), 'utf8').split('\n')[Number(m[3]) - 1] ?? '';
      const words = [name, ...(/\(([^)]*)\)/.exec(def.source)?.[1]?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
      assert.ok(words.some((w) => line.includes(w)), `${arch} ${name}: ${m[2]}:${m[3]} is "${line.trim()}"`);
    }
  }
});
