/**
 * Step 2 of extraction: a C expression as the kernel computes it. Parameters
 * take the caller's arguments, locals their last assignment before the
 * expression (under conditions that hold), file-local macros their value,
 * and a call of a file-local function that only returns an expression reads
 * as that expression — so `start = MODULES_VADDR + offset` shows what offset
 * is. The conditions each substitution depended on come along.
 */
import type { Node } from 'web-tree-sitter';
import { conditionsHold } from './cond';
import type { FileScope, FnInfo, LocalWrite } from './scope';
import { callArgs, callName, dedupe, dropZeroTerms, named, squash, stripParens, type Conds } from './syntax';
import { isOverrideName } from './words';

/** Substitutions nest (a local holding a macro holding an inline call...) at most this deep. */
const MAX_DEPTH = 6;

export function substitute(scope: FileScope, node: Node, fn: FnInfo | null, params: ReadonlyMap<string, string>, depth = 0): { text: string; conds: Conds } {
  const conds: Conds = [];
  const at = node.startIndex;
  const base = node.startIndex;
  const src = node.text;
  const ids: { from: number; to: number; text: string }[] = [];
  const visitIds = (n: Node): void => {
    if (n.type === 'call_expression' && depth < MAX_DEPTH) {
      // A file-local function that only returns an expression (the #else stub of
      // get_module_load_offset(), say) reads as that expression.
      const inline = inlineCall(scope, n);
      if (inline !== null) {
        const args = callArgs(n).map((a) => substitute(scope, a, fn, params, depth + 1).text);
        const map = new Map(inline.fn.params.map((p, k) => [p, args[k] ?? '?']));
        const body = substitute(scope, inline.expr, inline.fn, map, depth + 1);
        conds.push(...inline.fn.conds, ...body.conds);
        ids.push({ from: n.startIndex - base, to: n.endIndex - base, text: body.text });
        return;
      }
    }
    if (n.type === 'identifier') {
      const name = n.text;
      let repl: string | undefined;
      if (params.has(name)) repl = params.get(name);
      else if (fn && depth < MAX_DEPTH) {
        const w = chooseLocal(scope, fn, name, at);
        if (w) {
          const inner = substitute(scope, w.value, fn, params, depth + 1);
          repl = inner.text;
          conds.push(...w.conds, ...inner.conds);
        }
      }
      if (repl === undefined && scope.defines.has(name) && depth < MAX_DEPTH) repl = scope.defines.get(name);
      if (repl !== undefined) ids.push({ from: n.startIndex - base, to: n.endIndex - base, text: repl });
      return;
    }
    if (n.type === 'field_identifier') return;
    for (const c of named(n)) visitIds(c);
  };
  visitIds(node);
  let out = '';
  let pos = 0;
  const whole = ids.length === 1 && ids[0]!.from === 0 && ids[0]!.to === src.length;
  for (const r of ids) {
    out += src.slice(pos, r.from);
    // A compound replacement inside a larger expression keeps its own parentheses.
    const simple = /^[\w.]+$/.test(r.text) || /^\(.*\)$/.test(r.text);
    out += whole || simple ? (whole ? stripParens(r.text) : r.text) : `(${r.text})`;
    pos = r.to;
  }
  out += src.slice(pos);
  return { text: dropZeroTerms(stripParens(squash(out))), conds: dedupe(conds) };
}

/** The definition (the one whose conditions hold) and returned expression of a one-line file-local function; overrides are never inlined. */
function inlineCall(scope: FileScope, call: Node): { fn: FnInfo; expr: Node } | null {
  const name = callName(call);
  const defs = name ? scope.byName.get(name) : undefined;
  if (!defs || isOverrideName(name!)) return null;
  const def = defs.find((d) => conditionsHold(d.conds, scope.env));
  const body = def?.node.childForFieldName('body');
  const stmts = body ? named(body).filter((c) => c.type !== 'comment') : [];
  if (!def || stmts.length !== 1 || stmts[0]!.type !== 'return_statement') return null;
  const expr = named(stmts[0]!)[0];
  return expr ? { fn: def, expr } : null;
}

/** The last write of a local before `before` whose conditions hold. */
function chooseLocal(scope: FileScope, fn: FnInfo, name: string, before: number): LocalWrite | null {
  let chosen: LocalWrite | null = null;
  for (const w of fn.locals) {
    if (w.name !== name || w.at >= before) continue;
    if (!conditionsHold(w.conds, scope.env)) continue;
    chosen = w;
  }
  return chosen;
}
