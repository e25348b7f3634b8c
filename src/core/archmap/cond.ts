/**
 * Conditions found around the code the arch map reads (`if (...)`, `#ifdef`,
 * `IS_ENABLED(CONFIG_...)`), evaluated with three values: true, false, or
 * null when the configuration does not say.
 */
import { evaluateText, isKnown } from '../c/expr';

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

const fromBool = (b: boolean | undefined): bigint | undefined => (b === undefined ? undefined : b ? 1n : 0n);

/**
 * Evaluates one condition. Returns null when any part it depends on is
 * unknown (short-circuits as C does: `0 && unknown` is false). The grammar
 * and arithmetic are the shared C parser's (core/c/expr.ts); what is the
 * arch map's own is how names resolve: Kconfig options, `zeroes`, calls.
 */
export function evaluateCondition(text: string, env: CondEnv, zeroes: ReadonlySet<string> = new Set()): boolean | null {
  const v = evaluateText(text, {
    value: (name) => (zeroes.has(name) ? 0n : name.startsWith('CONFIG_') ? fromBool(env.config(name)) : env.value(name)),
    defined: (name) => (name.startsWith('CONFIG_') ? env.config(name) : env.defined(name)),
    call: (name, args) => {
      if (name === 'IS_ENABLED' || name === 'IS_BUILTIN') {
        const arg = args?.length === 1 ? args[0] : undefined;
        return arg?.kind === 'name' ? fromBool(env.config(arg.name)) : undefined;
      }
      // A call with arguments depends on them at run time; only a predicate with none can be fixed.
      return args?.length === 0 ? fromBool(env.call(name)) : undefined;
    },
  });
  return isKnown(v) ? v !== 0n : null;
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

function conditionHolds(c: Cond, env: CondEnv, zeroes?: ReadonlySet<string>): boolean {
  const v = evaluateCondition(c.text, env, zeroes);
  return v === null ? c.assume : v;
}

/** Whether every condition is known to hold (file-local macros are substituted only then). */
export function conditionsKnown(conds: readonly Cond[], env: CondEnv): boolean {
  return conds.every((c) => evaluateCondition(c.text, env) === true);
}

/** `!(x)` → `x` when the parentheses enclose the whole rest; otherwise null. */
function negationOf(c: string): string | null {
  if (!c.startsWith('!(') || !c.endsWith(')')) return null;
  let depth = 0;
  for (let k = 1; k < c.length; k++) {
    if (c[k] === '(') depth++;
    else if (c[k] === ')' && --depth === 0 && k !== c.length - 1) return null;
  }
  return c.slice(2, -1);
}

export const negate = (c: string): string => negationOf(c) ?? `!(${c})`;
