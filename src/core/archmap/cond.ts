/**
 * Conditions found around the code the arch map reads (`if (...)`, `#ifdef`,
 * `IS_ENABLED(CONFIG_...)`), evaluated with three values: true, false, or
 * null when the configuration does not say. The grammar is the part of C's
 * constant expressions those conditions use; a general C expression library
 * would bring a preprocessor we do not want, so it is written here.
 */

/** What a condition may ask: a Kconfig option, a symbol's value, a runtime predicate. */
export interface CondEnv {
  /** CONFIG_FOO → true/false, or undefined when unknown. */
  config(name: string): boolean | undefined;
  /** A macro or variable with a known numeric value (MODULES_VADDR, module_direct_base). */
  value(name: string): bigint | undefined;
  /** Whether a macro is defined (#ifdef MODULES_VADDR), or undefined when unknown. */
  defined(name: string): boolean | undefined;
  /** A call with no arguments whose result the configuration fixes (kaslr_enabled()). */
  call(name: string): boolean | undefined;
}

export const UNKNOWN_ENV: CondEnv = {
  config: () => undefined,
  value: () => undefined,
  defined: () => undefined,
  call: () => undefined,
};

type V = bigint | null;

const truth = (v: V): boolean | null => (v === null ? null : v !== 0n);
const fromBool = (b: boolean | null | undefined): V => (b === null || b === undefined ? null : b ? 1n : 0n);

/**
 * Evaluates one condition. Returns null when any part it depends on is
 * unknown (short-circuits as C does: `0 && unknown` is false).
 */
export function evaluateCondition(text: string, env: CondEnv, zeroes: ReadonlySet<string> = new Set()): boolean | null {
  const tokens = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|&&|\|\||<<|>>|<=|>=|==|!=|[-+*/%<>!()?:~&|^,]|\S/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const eat = (t: string): boolean => (tokens[i] === t ? (i++, true) : false);

  const primary = (): V => {
    const t = tokens[i++];
    if (t === undefined) return null;
    if (t === '(') {
      // A cast such as (unsigned long) makes the value unknown to us only if it is not one.
      if (/^(unsigned|signed|long|int|u32|u64|char|void)$/.test(peek() ?? '')) {
        while (peek() !== undefined && peek() !== ')') i++;
        eat(')');
        return unary();
      }
      const v = ternary();
      eat(')');
      return v;
    }
    if (/^\d|^0[xX]/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ''));
    if (!/^[A-Za-z_]/.test(t)) return null;
    if (t === 'IS_ENABLED' || t === 'IS_BUILTIN' || t === 'defined') {
      const paren = eat('(');
      const name = tokens[i++] ?? '';
      if (paren) eat(')');
      if (t === 'defined' && !name.startsWith('CONFIG_')) return fromBool(env.defined(name));
      return fromBool(env.config(name));
    }
    if (peek() === '(') {
      // A call: known only when the environment fixes it and it takes no arguments.
      i++;
      let depth = 1;
      let args = 0;
      while (i < tokens.length && depth > 0) {
        const u = tokens[i++]!;
        if (u === '(') depth++;
        else if (u === ')') depth--;
        else if (depth >= 1) args++;
      }
      return args === 0 ? fromBool(env.call(t)) : null;
    }
    if (zeroes.has(t)) return 0n;
    if (t.startsWith('CONFIG_')) return fromBool(env.config(t));
    const v = env.value(t);
    return v === undefined ? null : v;
  };
  const unary = (): V => {
    if (eat('!')) {
      const b = truth(unary());
      return b === null ? null : b ? 0n : 1n;
    }
    if (eat('-')) {
      const v = unary();
      return v === null ? null : -v;
    }
    if (eat('~')) {
      const v = unary();
      return v === null ? null : ~v;
    }
    return primary();
  };
  const binary = (next: () => V, ops: Record<string, (a: bigint, b: bigint) => bigint>): (() => V) => () => {
    let v = next();
    for (;;) {
      const op = peek();
      if (op === undefined || !(op in ops)) return v;
      i++;
      const w = next();
      v = v === null || w === null ? null : ops[op]!(v, w);
    }
  };
  const b = (x: boolean): bigint => (x ? 1n : 0n);
  const mul = binary(unary, { '*': (a, c) => a * c, '/': (a, c) => (c === 0n ? 0n : a / c), '%': (a, c) => (c === 0n ? 0n : a % c) });
  const add = binary(mul, { '+': (a, c) => a + c, '-': (a, c) => a - c });
  const shift = binary(add, { '<<': (a, c) => a << c, '>>': (a, c) => a >> c });
  const rel = binary(shift, { '<': (a, c) => b(a < c), '>': (a, c) => b(a > c), '<=': (a, c) => b(a <= c), '>=': (a, c) => b(a >= c) });
  const eq = binary(rel, { '==': (a, c) => b(a === c), '!=': (a, c) => b(a !== c) });
  const band = binary(eq, { '&': (a, c) => a & c });
  const bxor = binary(band, { '^': (a, c) => a ^ c });
  const bor = binary(bxor, { '|': (a, c) => a | c });
  const land = (): V => {
    let v = bor();
    while (eat('&&')) {
      const w = bor();
      const x = truth(v);
      const y = truth(w);
      v = x === false || y === false ? 0n : x === null || y === null ? null : 1n;
    }
    return v;
  };
  const lor = (): V => {
    let v = land();
    while (eat('||')) {
      const w = land();
      const x = truth(v);
      const y = truth(w);
      v = x === true || y === true ? 1n : x === null || y === null ? null : 0n;
    }
    return v;
  };
  const ternary = (): V => {
    const c = lor();
    if (!eat('?')) return c;
    const a = ternary();
    eat(':');
    const d = ternary();
    const t = truth(c);
    return t === null ? (a === d ? a : null) : t ? a : d;
  };
  const v = ternary();
  if (i < tokens.length) return null;
  return truth(v);
}

/**
 * A condition on the path to some code, with what to assume when the
 * configuration cannot tell: the `if` branch and code after an error check's
 * early return are assumed taken, `else` branches and `#else` are not (the
 * path the code was written for first). Readers see the text and the map
 * lists the conditions each value depends on.
 */
export interface Cond {
  text: string;
  assume: boolean;
}

/** Whether every condition holds; `zeroes` are variables known to be 0 (a failed attempt's result). */
export function conditionsHold(conds: readonly Cond[], env: CondEnv, zeroes?: ReadonlySet<string>): boolean {
  for (const c of conds) if (!conditionHolds(c, env, zeroes)) return false;
  return true;
}

export function conditionHolds(c: Cond, env: CondEnv, zeroes?: ReadonlySet<string>): boolean {
  const v = evaluateCondition(c.text, env, zeroes);
  return v === null ? c.assume : v;
}

/** Whether every condition is known to hold (file-local macros are substituted only then). */
export function conditionsKnown(conds: readonly Cond[], env: CondEnv): boolean {
  return conds.every((c) => evaluateCondition(c.text, env) === true);
}

/** `!(x)` → `x` when the parentheses enclose the whole rest; otherwise null. */
export function negationOf(c: string): string | null {
  if (!c.startsWith('!(') || !c.endsWith(')')) return null;
  let depth = 0;
  for (let k = 1; k < c.length; k++) {
    if (c[k] === '(') depth++;
    else if (c[k] === ')' && --depth === 0 && k !== c.length - 1) return null;
  }
  return c.slice(2, -1);
}

export const negate = (c: string): string => negationOf(c) ?? `!(${c})`;
