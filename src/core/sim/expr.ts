/**
 * Range bounds in the variant tables are written as the kernel writes them,
 * "MODULES_VADDR + module_load_offset", "VMALLOC_END", "SZ_128M", and
 * evaluated against an arch profile's symbols with the one C expression
 * parser (core/c/expr.ts). What is the simulator's own: a name is a profile
 * symbol or nothing, and a value it cannot know is an error, since a range
 * needs a number.
 */
import { evaluateText, isKnown } from '../c/expr';

/** Where names get their values: a profile's resolved symbols, or anything that can look one up. */
export interface Symbols {
  get(name: string): bigint | undefined;
}

export class ExprError extends Error {}

export function evaluate(text: string, symbols: Symbols): bigint {
  const v = evaluateText(text, { value: (name) => symbols.get(name) });
  if (!isKnown(v)) throw new ExprError(`"${text}": ${v.why}`);
  return v;
}
