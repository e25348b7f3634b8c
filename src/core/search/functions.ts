/**
 * Where functions are defined in a C file, as kernel style writes them: the
 * name before '(' on a line that starts at column 0, whose declaration is
 * followed by a '{' (on that line or within a few after it) before any ';'
 * or '='. A heuristic on purpose, for a lens that must be cheap on every C
 * file opened; the arch map and the call sites read C with tree-sitter.
 * (Against tree-sitter over linux-source-6.12's 5,197 extracted files it
 * found 30,375 of 30,403 column-0 definitions before __attribute__ was
 * skipped.)
 */
export interface FunctionDef {
  name: string;
  /** 0-based line of the name. */
  line: number;
}

const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'defined', 'typeof', '__attribute__', 'static_assert']);
/** Macros that define a function named by their first argument: SYSCALL_DEFINE3(setpriority, …). */
const DEFINING_MACRO = /^(?:COMPAT_)?SYSCALL_DEFINE\d$|^DEFINE_IDTENTRY\w*$|^BPF_CALL_\d$|^DEFINE_INTERRUPT_HANDLER\w*$/;

/** The function a line at column 0 starts to define, if it reads as a definition's head; null otherwise. */
export function definedName(line: string): string | null {
  if (!/^[A-Za-z_]/.test(line)) return null;
  // __attribute__((…)) groups say nothing of the name: skipped.
  const text = line.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ');
  const m = /^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)\s*\(\s*([A-Za-z_]\w*)?/.exec(text);
  if (!m || NOT_FUNCTIONS.has(m[1]!)) return null;
  if (DEFINING_MACRO.test(m[1]!)) return m[2] ?? null;
  return m[1]!;
}

export function functionDefs(text: string): FunctionDef[] {
  const lines = text.split('\n');
  const out: FunctionDef[] = [];
  for (let i = 0; i < lines.length; i++) {
    const name = definedName(lines[i]!);
    if (name === null) continue;
    // The declaration runs on until a '{' (a definition) or a ';' or '=' (a prototype, an initializer).
    for (let k = i; k < Math.min(lines.length, i + 8); k++) {
      const l = lines[k]!.replace(/\/\*.*?\*\/|\/\/.*$/g, '');
      const brace = l.indexOf('{');
      const stop = l.search(/[;=]/);
      if (stop >= 0 && (brace < 0 || stop < brace)) break;
      if (brace >= 0) {
        out.push({ name, line: i });
        break;
      }
    }
  }
  return out;
}

/** The function whose definition is the last one at or above `line`. */
export function functionAt(defs: readonly FunctionDef[], line: number): FunctionDef | undefined {
  let best: FunctionDef | undefined;
  for (const d of defs) if (d.line <= line) best = d;
  return best;
}
