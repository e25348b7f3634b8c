/**
 * Preprocessing, before tree-sitter sees the text: kernel annotations and
 * conditional directives are blanked (positions kept), and the conditions
 * each line is compiled under are read from the directives line by line.
 */
import { negate, type Cond } from './cond';
import { squash } from './syntax';

/**
 * Kernel annotations tree-sitter-c does not know (`__ro_after_init`,
 * `__init`...) split declarations into error nodes. They carry nothing the
 * map needs, so they are blanked with spaces of the same length before
 * parsing (positions and line numbers stay exact).
 */
const ANNOTATIONS =
  /\b(?:__ro_after_init|__initdata|__initconst|__init|__exit|__read_mostly|__always_inline|__weak|__kprobes|notrace|__maybe_unused|__cold|__refdata|__ref|nokprobe_inline|__noinline)\b/g;

/**
 * tree-sitter-c parses `#ifdef` inside an expression or initializer list as
 * errors and loses the item after it. Conditional directives are line-based
 * by definition, so they are read by `preprocessorConditions` line by line
 * and blanked here (both branches then parse as plain C; the extractor
 * chooses between them by their conditions).
 */
const CONDITIONAL_DIRECTIVE = /^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b(?:[^\n]*\\\n)*[^\n]*/gm;

export function blankAnnotations(source: string): string {
  return source
    .replace(ANNOTATIONS, (m) => ' '.repeat(m.length))
    .replace(CONDITIONAL_DIRECTIVE, (m) => m.replace(/[^\n]/g, ' '));
}

/** For each 1-based line, the #if/#ifdef/#else conditions it is compiled under. */
export function preprocessorConditions(source: string): Cond[][] {
  const lines = source.split('\n');
  const out: Cond[][] = [[]];
  const stack: { current: Cond[]; prior: string[] }[] = [];
  const active = (): Cond[] => stack.flatMap((f) => f.current);
  for (let k = 0; k < lines.length; k++) {
    let text = lines[k]!;
    const first = k;
    while (text.endsWith('\\') && k + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++k]!;
    const m = /^\s*#\s*(ifdef|ifndef|if|elifdef|elifndef|elif|else|endif)\b(.*)$/.exec(text);
    if (m) {
      const arg = squash(m[2]!.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, ''));
      const cond = (kw: string): string => (kw.endsWith('ndef') ? `!defined(${arg})` : kw.endsWith('def') ? `defined(${arg})` : arg);
      const kw = m[1]!;
      if (kw === 'if' || kw === 'ifdef' || kw === 'ifndef') {
        stack.push({ current: [{ text: cond(kw), assume: true }], prior: [cond(kw)] });
      } else if (kw === 'endif') {
        stack.pop();
      } else if (stack.length > 0) {
        const f = stack[stack.length - 1]!;
        const negs = f.prior.map((c) => ({ text: negate(c), assume: false }));
        if (kw === 'else') f.current = negs;
        else {
          f.current = [...negs, { text: cond(kw), assume: true }];
          f.prior.push(cond(kw));
        }
      }
    }
    for (let j = first; j <= k; j++) out[j + 1] = active();
  }
  return out;
}
