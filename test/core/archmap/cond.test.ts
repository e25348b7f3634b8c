import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditionsHold, evaluateCondition, negate, UNKNOWN_ENV, type CondEnv } from '../../../src/core/archmap/cond';
import { envFor, numericValue } from '../../../src/core/archmap/config';
import { dropZeroTerms, preprocessorConditions, stripParens } from '../../../src/core/archmap/extract';

const env: CondEnv = {
  config: (n) => ({ CONFIG_A: true, CONFIG_B: false } as Record<string, boolean>)[n],
  value: (n) => ({ X: 10n, Y: 20n } as Record<string, bigint>)[n],
  defined: (n) => (n === 'X' ? true : n === 'NOPE' ? false : undefined),
  call: (n) => (n === 'kaslr_enabled' ? false : undefined),
};

describe('conditions', () => {
  test('three-valued evaluation with C short-circuits', () => {
    assert.equal(evaluateCondition('IS_ENABLED(CONFIG_A) && !IS_ENABLED(CONFIG_B)', env), true);
    assert.equal(evaluateCondition('IS_ENABLED(CONFIG_B) && unknown_thing', env), false);
    assert.equal(evaluateCondition('IS_ENABLED(CONFIG_A) || unknown_thing', env), true);
    assert.equal(evaluateCondition('IS_ENABLED(CONFIG_A) && unknown_thing', env), null);
    assert.equal(evaluateCondition('X < Y && Y - X == 10', env), true);
    assert.equal(evaluateCondition('defined(X) && !defined(NOPE)', env), true);
    assert.equal(evaluateCondition('kaslr_enabled()', env), false);
    assert.equal(evaluateCondition('PAGE_ALIGN(size) > MODULES_LEN', env), null);
    assert.equal(evaluateCondition('!p && IS_ENABLED(CONFIG_A)', env, new Set(['p'])), true);
  });

  test('unknown: an if branch is assumed taken, its else not, code after an early return reached', () => {
    const c = 'something_unknown()';
    assert.equal(conditionsHold([{ text: c, assume: true }], UNKNOWN_ENV), true);
    assert.equal(conditionsHold([{ text: negate(c), assume: false }], UNKNOWN_ENV), false);
    assert.equal(conditionsHold([{ text: negate(c), assume: true }], UNKNOWN_ENV), true);
    assert.equal(negate(negate('a || b')), 'a || b');
    assert.equal(negate('!(a) && !(b)'), '!(!(a) && !(b))');
  });

  test('preprocessor conditions per line, #elif and #else negate what came before', () => {
    const src = ['#ifdef A', 'a', '#elif B', 'b', '#else', 'c', '#endif', 'd', '#if X > \\', '  1', 'e', '#endif'].join('\n');
    const pp = preprocessorConditions(src);
    assert.deepEqual(pp[2]!.map((c) => c.text), ['defined(A)']);
    assert.deepEqual(pp[4]!.map((c) => c.text), ['!(defined(A))', 'B']);
    assert.deepEqual(pp[6]!.map((c) => [c.text, c.assume]), [['!(defined(A))', false], ['!(B)', false]]);
    assert.deepEqual(pp[8], []);
    assert.deepEqual(pp[11]!.map((c) => c.text), ['X > 1']);
  });

  test('text clean-ups keep meaning', () => {
    assert.equal(stripParens('((A + B))'), 'A + B');
    assert.equal(stripParens('(A) + (B)'), '(A) + (B)');
    assert.equal(stripParens('(unsigned long)_etext - SZ_32M'), '(unsigned long)_etext - SZ_32M');
    assert.equal(dropZeroTerms('MODULES_VADDR + 0'), 'MODULES_VADDR');
    assert.equal(dropZeroTerms('MODULES_VADDR + 0x1000'), 'MODULES_VADDR + 0x1000');
  });

  test('numeric values under a profile: arm64 module_direct_base window is 128 MiB', () => {
    const e = envFor('arm64', 'after');
    const a = numericValue('module_direct_base', e);
    const b = numericValue('module_direct_base + SZ_128M', e);
    assert.ok(a !== null && b !== null);
    assert.equal(b - a, 128n << 20n);
    assert.equal(numericValue('get_random_u32()', e), null);
  });
});

describe('numeric values of range expressions', () => {
  const env = envFor('x86', 'after');
  test('shifts in parentheses, suffixed and octal literals, casts', () => {
    assert.equal(numericValue('(1 << 20)', env), 1n << 20n);
    assert.equal(numericValue('((1 << 20) + 4096)', env), (1n << 20n) + 4096n);
    assert.equal(numericValue('0xffffffffa0000000UL', env), 0xffffffffa0000000n);
    assert.equal(numericValue('010', env), 8n);
    assert.equal(numericValue('(unsigned long)SZ_2G - 1', env), (2n << 30n) - 1n);
    assert.equal(numericValue('(1 << 20', env), null);
    assert.equal(numericValue('MODULES_VADDR + (1 << 12)', env), numericValue('MODULES_VADDR', env)! + 4096n);
  });
  test('"+ 0" is dropped only as a last term', () => {
    assert.equal(dropZeroTerms('A + 0 * B'), 'A + 0 * B');
    assert.equal(dropZeroTerms('(A + 0)'), '(A)');
    assert.equal(dropZeroTerms('0 + A * B'), '0 + A * B');
  });
});
