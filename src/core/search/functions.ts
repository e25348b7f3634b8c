/**
 * Where functions are defined in a C file, as kernel style writes them: the
 * name before '(' on a line that starts at column 0, whose declaration is
 * followed by a '{' (on that line or within a few after it) before any ';'.
 * A heuristic on purpose, for a lens that must be cheap on every C file
 * opened; the arch map and the call sites read C with tree-sitter.
 */
export interface FunctionDef {
  name: string;
  /** 0-based line of the name. */
  line: number;
}

const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'defined', 'typeof', '__attribute__', 'static_assert']);

export function functionDefs(text: string): FunctionDef[] {
  const lines = text.split('\n');
  const out: FunctionDef[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^[A-Za-z_]/.test(line)) continue;
    const m = /^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)\s*\(/.exec(line);
    if (!m || NOT_FUNCTIONS.has(m[1]!)) continue;
    // The declaration runs on until a '{' (a definition) or a ';' (a prototype).
    for (let k = i; k < Math.min(lines.length, i + 8); k++) {
      const l = lines[k]!.replace(/\/\*.*?\*\/|\/\/.*$/g, '');
      const brace = l.indexOf('{');
      const semi = l.indexOf(';');
      if (semi >= 0 && (brace < 0 || semi < brace)) break;
      if (brace >= 0) {
        out.push({ name: m[1]!, line: i });
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
