/**
 * Range bounds in the variant tables are written as the kernel writes them,
 * "MODULES_VADDR + module_load_offset", "VMALLOC_END", "SZ_128M", and
 * evaluated against an arch profile's symbols. The grammar is the small one
 * the tables need (numbers with C's suffixes and octal, names, + - * / << >>,
 * parentheses, C precedence), so it is written here rather than taken from a
 * general expression library. The arch map evaluates C it extracted with it too.
 */

/** Where names get their values: a profile's resolved symbols, or anything that can look one up. */
export interface Symbols {
  get(name: string): bigint | undefined;
}

const SZ: Record<string, bigint> = { K: 1024n, M: 1024n * 1024n, G: 1024n * 1024n * 1024n };

export class ExprError extends Error {}

export function evaluate(text: string, symbols: Symbols): bigint {
  const tokens = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[-+*/()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];

  const primary = (): bigint => {
    const t = next();
    if (t === undefined) throw new ExprError(`"${text}": ends too early`);
    if (t === '(') {
      const v = shift();
      if (next() !== ')') throw new ExprError(`"${text}": missing ")"`);
      return v;
    }
    if (t === '-') return -primary();
    if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(t)) {
      const digits = t.replace(/[uUlL]+$/, '');
      // A leading 0 means octal in C.
      return /^0\d/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
    }
    const sz = /^SZ_(\d+)([KMG])$/.exec(t);
    if (sz) return BigInt(sz[1]!) * SZ[sz[2]!]!;
    const v = symbols.get(t);
    if (v === undefined) throw new ExprError(`"${text}": unknown symbol ${t}`);
    return v;
  };
  const product = (): bigint => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const r = primary();
      if (op === '*') v *= r;
      else {
        if (r === 0n) throw new ExprError(`"${text}": division by zero`);
        v /= r;
      }
    }
    return v;
  };
  const sum = (): bigint => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + product() : v - product();
    return v;
  };
  // As in C, a shift binds less tightly than + and -.
  const shift = (): bigint => {
    let v = sum();
    while (peek() === '<<' || peek() === '>>') {
      const op = next();
      const r = sum();
      v = op === '<<' ? v << r : v >> r;
    }
    return v;
  };

  const v = shift();
  if (i !== tokens.length) throw new ExprError(`"${text}": unexpected "${tokens[i]}"`);
  return v;
}
