/**
 * C integer constant expressions as kernel code writes them: range bounds
 * ("MODULES_VADDR + module_load_offset", "SZ_128M"), conditions around them
 * (`IS_ENABLED(CONFIG_X) && kaslr_enabled()`, `#if defined(MODULES_VADDR)`)
 * and header values ("-(1UL << 47)"). One parser and one evaluator serve the
 * simulator's range tables (sim/expr.ts) and the arch map's conditions
 * (archmap/cond.ts); each of those only says how names and calls resolve.
 *
 * A general C library would bring a preprocessor and types we do not want.
 * Values are unbounded integers: casts are read and dropped, and wrapping to
 * unsigned long is the caller's business (profiles.ts wraps symbols).
 *
 * Whatever C leaves undefined or the names do not fix (a division by zero, a
 * shift past 63, an unknown symbol) is an Unknown value with the reason,
 * never a JavaScript exception, Infinity or NaN.
 */
import { err, ok, type Result } from '../result';

export type UnaryOp = '-' | '+' | '~' | '!';
export type BinaryOp = '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!=' | '&' | '^' | '|' | '&&' | '||';

export type Expr =
  | { kind: 'number'; value: bigint }
  | { kind: 'name'; name: string }
  /** `defined NAME` / `defined(NAME)` of #if. */
  | { kind: 'defined'; name: string }
  /** `f(...)`; args is null when they are not expressions this grammar reads (`&x`, `a->b`). */
  | { kind: 'call'; name: string; args: Expr[] | null }
  | { kind: 'unary'; op: UnaryOp; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr };

/**
 * include/linux/sizes.h (linux-source-6.12, lines 10-61): SZ_1 .. SZ_512,
 * SZ_1K .. SZ_512K, SZ_1M .. SZ_512M, SZ_1G .. SZ_512G, SZ_1T .. SZ_64T,
 * every power of two from 2^0 to 2^46 and nothing else (there is no SZ_3M).
 */
export const SIZES: ReadonlyMap<string, bigint> = (() => {
  const units = ['', 'K', 'M', 'G', 'T'];
  const out = new Map<string, bigint>();
  for (let k = 0; k <= 46; k++) out.set(`SZ_${2 ** (k % 10)}${units[Math.floor(k / 10)]}`, 1n << BigInt(k));
  return out;
})();

// pp-numbers as C lexes them (so "1.5" and "08" are one bad token, not two good ones), names, operators.
const TOKEN = /\.?\d(?:[eEpP][+-]|[\w.])*|[A-Za-z_]\w*|&&|\|\||<<|>>|<=|>=|==|!=|\S/g;
const SUFFIX = '(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?';
const HEX = new RegExp(`^0[xX]([0-9a-fA-F]+)${SUFFIX}$`);
const OCTAL = new RegExp(`^0([0-7]*)${SUFFIX}$`);
const DECIMAL = new RegExp(`^([1-9]\\d*)${SUFFIX}$`);
// Type names a cast may spell; a parenthesised word from this list starts a cast, not an operand.
const TYPE_WORD = /^(?:unsigned|signed|long|int|short|char|void|const|volatile|u8|u16|u32|u64|s8|s16|s32|s64|size_t|uintptr_t|phys_addr_t)$/;
// Recursion guard: kernel expressions nest a handful of levels; a runaway input must not overflow the stack.
const MAX_DEPTH = 200;

class ParseError extends Error {}

/** The value of one integer constant token, or why it is not one. */
export function parseNumber(token: string): Result<bigint> {
  const h = HEX.exec(token);
  if (h) return ok(BigInt(`0x${h[1]}`));
  // A leading 0 means octal in C: 010 is 8.
  const o = OCTAL.exec(token);
  if (o) return ok(o[1] ? BigInt(`0o${o[1]}`) : 0n);
  const d = DECIMAL.exec(token);
  if (d) return ok(BigInt(d[1]!));
  if (/^0\d+/.test(token) && !/[.eEpP]/.test(token)) return err(`"${token}" is not an octal number (a leading 0 means octal in C)`);
  if (/[.]|^\d+[eE]/.test(token) && !/^0[xX]/.test(token)) return err(`"${token}" is a floating constant, not an integer`);
  return err(`"${token}" is not a C integer constant`);
}

const BINARY_LEVELS: readonly (readonly BinaryOp[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Parses one whole expression; errors name what was wrong and where. */
export function parseExpr(text: string): Result<Expr> {
  const tokens = text.match(TOKEN) ?? [];
  let i = 0;
  let depth = 0;
  const peek = (): string | undefined => tokens[i];
  const eat = (t: string): boolean => (tokens[i] === t ? (i++, true) : false);
  const expect = (t: string): void => {
    if (tokens[i] === undefined) throw new ParseError(t === ')' ? 'missing ")"' : `ends too early, "${t}" expected`);
    if (!eat(t)) throw new ParseError(`unexpected "${tokens[i]}", "${t}" expected`);
  };
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_DEPTH) throw new ParseError('nested too deeply');
    try {
      return f();
    } finally {
      depth--;
    }
  };

  const conditional = (): Expr =>
    nested(() => {
      const test = binary(0);
      if (!eat('?')) return test;
      const then = conditional();
      expect(':');
      return { kind: 'conditional', test, then, otherwise: conditional() };
    });

  const binary = (level: number): Expr => {
    if (level === BINARY_LEVELS.length) return unary();
    const ops = BINARY_LEVELS[level]!;
    let left = binary(level + 1);
    for (;;) {
      const op = peek() as BinaryOp | undefined;
      if (op === undefined || !ops.includes(op)) return left;
      i++;
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
  };

  const unary = (): Expr =>
    nested(() => {
      const t = peek();
      if (t === '-' || t === '+' || t === '~' || t === '!') {
        i++;
        return { kind: 'unary', op: t, arg: unary() };
      }
      if (t === '(' && TYPE_WORD.test(tokens[i + 1] ?? '')) {
        // A cast: the value is kept as it is (see the header).
        i++;
        while (peek() !== undefined && (TYPE_WORD.test(peek()!) || peek() === '*')) i++;
        expect(')');
        return unary();
      }
      return primary();
    });

  const skipBalanced = (): void => {
    // i is just after "("; leaves i just after the matching ")".
    let open = 1;
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t === '(') open++;
      else if (t === ')' && --open === 0) return;
    }
    throw new ParseError('missing ")"');
  };

  const callArgs = (): Expr[] | null => {
    const from = i;
    try {
      if (eat(')')) return [];
      const args = [conditional()];
      while (eat(',')) args.push(conditional());
      expect(')');
      return args;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      // Arguments outside this grammar leave the call's value to the caller's resolver, as unknown.
      i = from;
      skipBalanced();
      return null;
    }
  };

  const primary = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) throw new ParseError('ends too early');
    if (t === '(') {
      const e = conditional();
      expect(')');
      return e;
    }
    if (/^\.?\d/.test(t)) {
      const n = parseNumber(t);
      if (!n.ok) throw new ParseError(n.error);
      return { kind: 'number', value: n.value };
    }
    if (!/^[A-Za-z_]/.test(t)) throw new ParseError(`unexpected "${t}"`);
    if (t === 'defined') {
      const paren = eat('(');
      const name = tokens[i++];
      if (name === undefined || !/^[A-Za-z_]/.test(name)) throw new ParseError('defined needs a macro name');
      if (paren) expect(')');
      return { kind: 'defined', name };
    }
    if (eat('(')) return { kind: 'call', name: t, args: callArgs() };
    return { kind: 'name', name: t };
  };

  try {
    const e = conditional();
    if (i < tokens.length) return err(`unexpected "${tokens[i]}"`);
    return ok(e);
  } catch (e) {
    if (e instanceof ParseError) return err(e.message);
    throw e;
  }
}

/** A value the expression does not fix, with the reason a user can act on. */
export class Unknown {
  constructor(readonly why: string) {}
}

export type Value = bigint | Unknown;

export const isKnown = (v: Value): v is bigint => typeof v === 'bigint';

/** How names resolve: what differs between the simulator's tables and the arch map's conditions. */
export interface Names {
  /** A name's value (after the SZ_* constants), or undefined when unknown. */
  value(name: string): bigint | undefined;
  /** A call's value, or undefined when unknown; without it every call is unknown. */
  call?(name: string, args: readonly Expr[] | null): bigint | undefined;
  /** `defined(NAME)`, or undefined when unknown; without it every `defined` is unknown. */
  defined?(name: string): boolean | undefined;
}

const bool = (b: boolean): bigint => (b ? 1n : 0n);

// C's width limit: shifting a 64-bit unsigned long long by 64 or more, or by a negative count, is undefined.
const MAX_SHIFT = 64n;

function arithmetic(op: BinaryOp, a: bigint, b: bigint): Value {
  switch (op) {
    case '*':
      return a * b;
    // BigInt division truncates toward zero, as C's does.
    case '/':
      return b === 0n ? new Unknown('division by zero') : a / b;
    case '%':
      return b === 0n ? new Unknown('remainder of a division by zero') : a % b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '<<':
    case '>>':
      if (b < 0n || b >= MAX_SHIFT) return new Unknown(`shift by ${b} is undefined in C`);
      return op === '<<' ? a << b : a >> b;
    case '<':
      return bool(a < b);
    case '>':
      return bool(a > b);
    case '<=':
      return bool(a <= b);
    case '>=':
      return bool(a >= b);
    case '==':
      return bool(a === b);
    case '!=':
      return bool(a !== b);
    case '&':
      return a & b;
    case '^':
      return a ^ b;
    case '|':
      return a | b;
    case '&&':
    case '||':
      return bool(op === '&&' ? a !== 0n && b !== 0n : a !== 0n || b !== 0n);
  }
}

/**
 * The value of a parsed expression. Unknowns spread, except where C would
 * not look: `0 && x` is 0 and `1 || x` is 1 whichever side is unknown, and
 * `c ? a : b` with c unknown is a when a and b are equal. An operand C does
 * not evaluate (the right of `0 && ...`, the branch not taken) cannot make
 * the result unknown, as it cannot trap in C.
 */
export function evaluateExpr(e: Expr, names: Names): Value {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'name': {
      const v = SIZES.get(e.name) ?? names.value(e.name);
      return v ?? new Unknown(`unknown symbol ${e.name}`);
    }
    case 'defined': {
      const d = names.defined?.(e.name);
      return d === undefined ? new Unknown(`whether ${e.name} is defined is not known`) : bool(d);
    }
    case 'call': {
      const v = names.call?.(e.name, e.args);
      return v ?? new Unknown(`${e.name}() is not known`);
    }
    case 'unary': {
      const v = evaluateExpr(e.arg, names);
      if (!isKnown(v)) return v;
      return e.op === '-' ? -v : e.op === '+' ? v : e.op === '~' ? ~v : bool(v === 0n);
    }
    case 'binary': {
      const a = evaluateExpr(e.left, names);
      if (e.op === '&&' || e.op === '||') {
        // The value that decides the result alone: 0 for &&, anything else for ||.
        const decides = (v: Value): boolean => isKnown(v) && (e.op === '&&' ? v === 0n : v !== 0n);
        if (decides(a)) return bool(e.op === '||');
        const b = evaluateExpr(e.right, names);
        if (decides(b)) return bool(e.op === '||');
        if (!isKnown(a)) return a;
        if (!isKnown(b)) return b;
        return arithmetic(e.op, a, b);
      }
      if (!isKnown(a)) return a;
      const b = evaluateExpr(e.right, names);
      return isKnown(b) ? arithmetic(e.op, a, b) : b;
    }
    case 'conditional': {
      const c = evaluateExpr(e.test, names);
      if (isKnown(c)) return evaluateExpr(c !== 0n ? e.then : e.otherwise, names);
      const a = evaluateExpr(e.then, names);
      const b = evaluateExpr(e.otherwise, names);
      return isKnown(a) && isKnown(b) && a === b ? a : c;
    }
  }
}

// Conditions and range texts repeat (the same #ifdef on many lines): parse each text once.
const PARSED = new Map<string, Result<Expr>>();
const PARSED_MAX = 4096;

/** Parses (once per text) and evaluates; a parse error is an Unknown naming it. */
export function evaluateText(text: string, names: Names): Value {
  let p = PARSED.get(text);
  if (!p) {
    p = parseExpr(text);
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(text, p);
  }
  return p.ok ? evaluateExpr(p.value, names) : new Unknown(p.error);
}
