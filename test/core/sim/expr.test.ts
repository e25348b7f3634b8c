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
      assert.match(def.source, /^(arch|include|mm|kernel)\/\S+:\d+/, `${arch} ${name} cites a file:line`);
    }
    assert.equal(values.get('PAGE_SIZE'), BigInt(p.pageSize));
  }
  const x86 = resolveSymbols(profileFor('x86')!);
  assert.equal(x86.get('MODULES_VADDR'), 0xffffffffc0000000n);
  assert.equal(x86.get('VMALLOC_END'), 0xffffe8ffffffffffn);
});

test('each cited file:line in linux-source-6.12 names the symbol (or what the citation says it derives from)', () => {
  const tree = kernelTree('6.12');
  for (const arch of PROFILED_ARCHES) {
    for (const [name, def] of Object.entries(profileFor(arch)!.symbols)) {
      const m = /^(\S+?):(\d+)/.exec(def.source);
      assert.ok(m, `${arch} ${name}: ${def.source}`);
      const line = readFileSync(join(tree, m[1]!), 'utf8').split('\n')[Number(m[2]) - 1] ?? '';
      const words = [name, ...(/\(([^)]*)\)/.exec(def.source)?.[1]?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
      assert.ok(words.some((w) => line.includes(w)), `${arch} ${name}: ${m[1]}:${m[2]} is "${line.trim()}"`);
    }
  }
});
