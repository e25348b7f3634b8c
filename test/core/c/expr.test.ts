import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { evaluateText, isKnown, parseExpr, SIZES, Unknown, type Names, type Value } from '../../../src/core/c/expr';
import { evaluateCondition, type CondEnv } from '../../../src/core/archmap/cond';
import { numericValue } from '../../../src/core/archmap/config';
import { evaluate } from '../../../src/core/sim/expr';

const SYMBOLS = new Map<string, bigint>([
  ['MODULES_VADDR', 0xffffffffc0000000n],
  ['MODULES_END', 0xffffffffff000000n],
  ['module_load_offset', 4096n],
  ['ZERO', 0n],
]);
const names: Names = { value: (n) => SYMBOLS.get(n) };
const val = (text: string): bigint | string => {
  const v = evaluateText(text, names);
  return isKnown(v) ? v : `unknown: ${v.why}`;
};
const unknown = (text: string, why: RegExp): void => {
  const v = evaluateText(text, names);
  assert.ok(v instanceof Unknown, `${text} should be unknown, is ${String(v)}`);
  assert.match(v.why, why, text);
};

describe('C expressions: the agreed behaviour', () => {
  test('octal: a leading 0 means octal', () => {
    assert.equal(val('010'), 8n);
    assert.equal(val('0777'), 511n);
    assert.equal(val('0'), 0n);
    assert.equal(val('00'), 0n);
    assert.equal(val('0UL'), 0n);
    assert.equal(val('010UL + 1'), 9n);
    unknown('08', /not an octal number/);
    unknown('0129', /not an octal number/);
  });

  test('hex, and decimal', () => {
    assert.equal(val('0x10'), 16n);
    assert.equal(val('0XfF'), 255n);
    assert.equal(val('0xffffffffa0000000UL'), 0xffffffffa0000000n);
    assert.equal(val('4096'), 4096n);
    unknown('0x', /not a C integer constant/);
    unknown('0xg1', /not a C integer constant/);
  });

  test('suffixes U, L, UL, LU, LL, ULL, LLU in either case; anything else is an error', () => {
    for (const s of ['u', 'U', 'l', 'L', 'ul', 'UL', 'lu', 'LU', 'uL', 'Ul', 'll', 'LL', 'ull', 'ULL', 'llu', 'LLU', 'uLL', 'LLu']) {
      assert.equal(val(`12${s}`), 12n, s);
      assert.equal(val(`0x12${s}`), 18n, s);
      assert.equal(val(`012${s}`), 10n, s);
    }
    for (const s of ['UUL', 'lL', 'Ll', 'LLL', 'ULLU', 'x']) unknown(`12${s}`, /not a C integer constant/);
    unknown('1.5', /floating/);
    unknown('1e3', /floating/);
  });

  test('SZ_* as include/linux/sizes.h (6.12, lines 10-61) defines them, and no others', () => {
    assert.equal(val('SZ_1'), 1n);
    assert.equal(val('SZ_512'), 512n);
    assert.equal(val('SZ_4K'), 0x1000n);
    assert.equal(val('SZ_128M'), 0x08000000n);
    assert.equal(val('SZ_2G'), 0x80000000n);
    assert.equal(val('SZ_4G'), 0x100000000n);
    assert.equal(val('SZ_64T'), 0x400000000000n);
    assert.equal(SIZES.size, 47, '2^0 .. 2^46');
    for (const [name, v] of SIZES) {
      const m = /^SZ_(\d+)([KMGT]?)$/.exec(name)!;
      assert.equal(v, BigInt(m[1]!) << BigInt(10 * ' KMGT'.indexOf(m[2]! || ' ')), name);
    }
    unknown('SZ_3M', /unknown symbol SZ_3M/);
    unknown('SZ_128T', /unknown symbol SZ_128T/);
    assert.equal(val('SZ_128M + SZ_2G - 2 * SZ_1K'), 128n * 2n ** 20n + 2n * 2n ** 30n - 2048n);
  });

  test('shifts bind less tightly than + and -, and a count outside 0..63 is undefined', () => {
    assert.equal(val('1 << 4 + 1'), 32n);
    assert.equal(val('(1 << 4) + 1'), 17n);
    assert.equal(val('-(1UL << 47)'), -(1n << 47n));
    assert.equal(val('256 >> 4'), 16n);
    assert.equal(val('1ULL << 63'), 1n << 63n);
    unknown('1 << 64', /shift by 64/);
    unknown('1 >> -1', /shift by -1/);
    unknown('1 << 100000000000', /shift/);
  });

  test('ternary: right-associative, only the branch taken is evaluated', () => {
    assert.equal(val('1 ? 2 : 3'), 2n);
    assert.equal(val('0 ? 2 : 3'), 3n);
    assert.equal(val('0 ? 1 : 0 ? 2 : 3'), 3n);
    assert.equal(val('1 ? 0 ? 4 : 5 : 6'), 5n);
    assert.equal(val('1 ? 2 : 1 / 0'), 2n);
    assert.equal(val('NOPE ? 7 : 7'), 7n, 'an unknown test with equal branches');
    unknown('NOPE ? 7 : 8', /unknown symbol NOPE/);
  });

  test('unary minus, plus, ~ and !', () => {
    assert.equal(val('-4 + 10 / 2'), 1n);
    assert.equal(val('- -3'), 3n);
    assert.equal(val('+3'), 3n);
    assert.equal(val('-(2 + 3) * 2'), -10n);
    assert.equal(val('~0'), -1n);
    assert.equal(val('~0 & 0xff'), 255n);
    assert.equal(val('~SZ_4K + 1'), -4096n);
    assert.equal(val('!0'), 1n);
    assert.equal(val('!5'), 0n);
    assert.equal(val('!!ZERO'), 0n);
  });

  test('parentheses, precedence and casts', () => {
    assert.equal(val('(1 + 2) * 3'), 9n);
    assert.equal(val('((((1))))'), 1n);
    assert.equal(val('1 + 2 * 3'), 7n);
    assert.equal(val('1 | 6 ^ 3 & 2'), 5n, '1 | (6 ^ (3 & 2))');
    assert.equal(val('1 < 2 == 1'), 1n);
    assert.equal(val('2 > 1 && 3 >= 3 && 2 <= 1 || 4 != 4'), 0n);
    assert.equal(val('(unsigned long)SZ_2G - 1'), 0x7fffffffn);
    assert.equal(val('(unsigned long long)(u64)MODULES_VADDR + module_load_offset'), 0xffffffffc0001000n);
    assert.equal(val('(void *)0'), 0n);
    unknown('(1', /missing "\)"/);
    unknown('1 +', /ends too early/);
    unknown('1 2', /unexpected "2"/);
    unknown('', /ends too early/);
    unknown('a = 1', /unexpected "="/);
  });

  test('division and modulo by zero are unknown values, never Infinity, NaN or a throw', () => {
    unknown('1 / 0', /division by zero/);
    unknown('1 % 0', /remainder of a division by zero/);
    unknown('5 % (3 - 3)', /division by zero/);
    unknown('SZ_4K / ZERO', /division by zero/);
    unknown('(1 / 0) * 0', /division by zero/);
    assert.equal(val('0 && 1 / 0'), 0n, 'C does not evaluate the right of 0 && ...');
    assert.equal(val('1 || 1 % 0'), 1n);
    assert.equal(val('1 / 0 && 0'), 0n, 'three-valued: unknown && 0 is 0');
    assert.equal(val('7 / -2'), -3n, 'C truncates toward zero');
    assert.equal(val('-7 % 2'), -1n);
  });

  test('calls, defined and names go to the resolver', () => {
    const p = parseExpr('IS_ENABLED(CONFIG_A) && f(&x, a->b) || defined X || defined(Y)');
    assert.ok(p.ok);
    const seen: string[] = [];
    const v = evaluateText('IS_ENABLED(CONFIG_A) && f(&x, a->b) || defined X || defined(Y)', {
      value: () => undefined,
      call: (name, args) => (seen.push(`${name}/${args === null ? 'opaque' : args.length}`), name === 'f' ? 0n : 1n),
      defined: (name) => (seen.push(`defined ${name}`), name === 'Y'),
    });
    assert.equal(v, 1n);
    assert.deepEqual(seen, ['IS_ENABLED/1', 'f/opaque', 'defined X', 'defined Y']);
    unknown('kaslr_enabled()', /kaslr_enabled\(\) is not known/);
    unknown('defined(FOO)', /whether FOO is defined is not known/);
  });

  test('nothing a user can type makes it throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789xXuUlL()+-*/%<>=!&|^~?:, SZ_4KMGabc'.split('')), maxLength: 40 }), (text) => {
        const v = evaluateText(text, names);
        assert.ok(isKnown(v) || v instanceof Unknown);
      }),
      { numRuns: 2000 },
    );
    unknown('('.repeat(5000) + '1' + ')'.repeat(5000), /nested too deeply/);
    unknown('-'.repeat(5000) + '1', /nested too deeply/);
  });
});

/** An expression as generated text with the value C gives it (null: unknown), worked out apart from the parser. */
interface Sample {
  text: string;
  value: bigint | null;
}

const literal: fc.Arbitrary<Sample> = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), fc.constantFrom('dec', 'hex', 'oct'), fc.constantFrom('', 'U', 'UL', 'ULL', 'l', 'llu'))
  .map(([v, base, suffix]) => ({ text: (base === 'hex' ? `0x${v.toString(16)}` : base === 'oct' ? `0${v.toString(8)}` : `${v}`) + suffix, value: v }));
const named: fc.Arbitrary<Sample> = fc.constantFrom(
  ...[...SYMBOLS].map(([name, value]) => ({ text: name, value })),
  ...['SZ_4K', 'SZ_2M', 'SZ_128M', 'SZ_2G', 'SZ_1T'].map((name) => ({ text: name, value: SIZES.get(name)! })),
  { text: 'NOT_A_SYMBOL', value: null },
  { text: 'SZ_3M', value: null },
);

const BIN: Record<string, (a: bigint, b: bigint) => bigint | null> = {
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0n ? null : a / b),
  '%': (a, b) => (b === 0n ? null : a % b),
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '<<': (a, b) => (b < 0n || b > 63n ? null : a << b),
  '>>': (a, b) => (b < 0n || b > 63n ? null : a >> b),
  '<': (a, b) => (a < b ? 1n : 0n),
  '==': (a, b) => (a === b ? 1n : 0n),
  '&': (a, b) => a & b,
  '|': (a, b) => a | b,
  '^': (a, b) => a ^ b,
};

const sample: fc.Arbitrary<Sample> = fc.letrec<{ e: Sample }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    named,
    fc.tuple(fc.constantFrom('-', '~', '!'), tie('e')).map(([op, a]) => ({
      text: `${op}(${a.text})`,
      value: a.value === null ? null : op === '-' ? -a.value : op === '~' ? ~a.value : a.value === 0n ? 1n : 0n,
    })),
    fc.tuple(fc.constantFrom(...Object.keys(BIN)), tie('e'), tie('e')).map(([op, a, b]) => ({
      text: `(${a.text}) ${op} (${b.text})`,
      value: a.value === null || b.value === null ? null : BIN[op]!(a.value, b.value),
    })),
    fc.tuple(fc.constantFrom('&&', '||'), tie('e'), tie('e')).map(([op, a, b]) => {
      const decides = (v: bigint | null): boolean => v !== null && (op === '&&' ? v === 0n : v !== 0n);
      const value = decides(a.value) || decides(b.value) ? (op === '||' ? 1n : 0n) : a.value === null || b.value === null ? null : op === '&&' ? 1n : 0n;
      return { text: `(${a.text}) ${op} (${b.text})`, value };
    }),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => ({
      text: `(${c.text}) ? (${a.text}) : (${b.text})`,
      value: c.value === null ? (a.value !== null && a.value === b.value ? a.value : null) : c.value !== 0n ? a.value : b.value,
    })),
  ),
})).e;

describe('C expressions: generated', () => {
  test('every generated expression has the value C gives it, or is unknown when C leaves it undefined', () => {
    fc.assert(
      fc.property(sample, (s) => {
        const v = evaluateText(s.text, names);
        assert.equal(isKnown(v) ? v : null, s.value, s.text);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the simulator and the arch map evaluate alike', () => {
  const env: CondEnv = { config: () => undefined, value: (n) => SYMBOLS.get(n), defined: () => undefined, call: () => undefined };
  const sim = (text: string): bigint | null => {
    try {
      return evaluate(text, SYMBOLS);
    } catch {
      return null;
    }
  };
  const agree = (text: string): void => {
    const v: Value | null = sim(text);
    assert.equal(numericValue(text, env), v, `numericValue ${text}`);
    assert.equal(evaluateCondition(text, env), v === null ? null : v !== 0n, `condition ${text}`);
  };

  test('on the cases they disagreed on (octal, SZ_*, division by zero) and the rest of the grammar', () => {
    for (const text of ['010', '08', 'SZ_4K', 'SZ_128M == 0x8000000', 'SZ_2G', 'SZ_3M', '1 / 0', '1 % 0', '0 && 1 / 0', '1 ? 2 : 1 / 0', '0x10UL', '1ULL << 40', '~0', '-1', '(unsigned long)SZ_2G - 1', 'MODULES_VADDR + module_load_offset < MODULES_END', 'NOPE', '1 +']) {
      agree(text);
    }
    assert.equal(sim('010'), 8n);
    assert.equal(evaluateCondition('010 == 8', env), true);
    assert.equal(evaluateCondition('SZ_4K == 4096', env), true);
    assert.equal(evaluateCondition('1 / 0', env), null);
    assert.equal(evaluateCondition('1 % 0 == 0', env), null);
    assert.equal(sim('1 / 0'), null);
  });

  test('on generated expressions', () => {
    fc.assert(
      fc.property(sample, (s) => agree(s.text)),
      { numRuns: 1500 },
    );
  });
});
