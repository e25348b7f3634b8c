/**
 * Reading tree-sitter-c nodes, shared by the extractor's steps: small
 * accessors, and `walk`, which visits a subtree with the conditions (C `if`,
 * early returns, #if lines) each node runs under.
 */
import type { Node } from 'web-tree-sitter';
import { negate, type Cond } from './cond';

export type Conds = Cond[];

export const line = (n: Node): number => n.startPosition.row + 1;
export const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const kids = (n: Node): Node[] => n.children.filter((c): c is Node => c !== null);
export const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);

export function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && named(cur).length === 1) cur = named(cur)[0]!;
  return cur;
}

export function callName(call: Node): string | null {
  const f = call.childForFieldName('function');
  return f && f.type === 'identifier' ? f.text : null;
}

export function callArgs(call: Node): Node[] {
  const a = call.childForFieldName('arguments');
  return a ? named(a).filter((c) => c.type !== 'comment') : [];
}

export function functionName(def: Node): { name: string; params: string[] } | null {
  let d = def.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  if (!d) return null;
  const id = d.childForFieldName('declarator');
  if (!id || id.type !== 'identifier') return null;
  const params: string[] = [];
  const list = d.childForFieldName('parameters');
  for (const p of list ? named(list) : []) {
    if (p.type !== 'parameter_declaration') continue;
    let pd = p.childForFieldName('declarator');
    while (pd && pd.type !== 'identifier') pd = pd.childForFieldName('declarator');
    if (pd) params.push(pd.text);
  }
  return { name: id.text, params };
}

/** Whether a statement always leaves the function (return; or a block ending with one). */
function leaves(stmt: Node | null): boolean {
  if (!stmt) return false;
  if (stmt.type === 'return_statement') return true;
  if (stmt.type === 'compound_statement') {
    const body = named(stmt).filter((c) => c.type !== 'comment');
    return body.length > 0 && leaves(body[body.length - 1]!);
  }
  return false;
}

/** The #if conditions of a 1-based line (preprocessorConditions, looked up). */
export type Pp = (line: number) => Conds;
export const NO_PP: Pp = () => [];

/**
 * Walks a subtree calling `visit(node, conds)` for every node, with the
 * conditions (C `if`, early returns; preprocessor conditionals come from
 * `pp`, the line-based reading of the directives blankAnnotations removed)
 * under which that node runs or is compiled.
 */
export function walk(node: Node, conds: Conds, visit: (n: Node, conds: Conds) => boolean | void, pp: Pp = NO_PP): void {
  const here = pp(line(node));
  if (visit(node, here.length ? dedupe([...conds, ...here]) : conds) === false) return;
  switch (node.type) {
    case 'if_statement': {
      const c = node.childForFieldName('condition');
      const text = c ? squash(unparen(c).text) : '?';
      if (c) walk(c, conds, visit, pp);
      const yes = node.childForFieldName('consequence');
      if (yes) walk(yes, [...conds, { text, assume: true }], visit, pp);
      const no = node.childForFieldName('alternative');
      if (no) walk(no, [...conds, { text: negate(text), assume: false }], visit, pp);
      return;
    }
    case 'compound_statement':
    case 'translation_unit': {
      let extra: Conds = [];
      for (const child of kids(node)) {
        walk(child, [...conds, ...extra], visit, pp);
        if (child.type === 'if_statement' && !child.childForFieldName('alternative') && leaves(child.childForFieldName('consequence'))) {
          const c = child.childForFieldName('condition');
          // Code after an error check's early return is assumed reached.
          if (c) extra = [...extra, { text: negate(squash(unparen(c).text)), assume: true }];
        }
      }
      return;
    }
    default:
      for (const child of kids(node)) walk(child, conds, visit, pp);
  }
}

/** Designator path of an assignment target, e.g. execmem_info.ranges[EXECMEM_DEFAULT].start → root + [ranges, EXECMEM_DEFAULT, start]. */
export function lvaluePath(n: Node): { root: string; path: string[] } | null {
  const cur = unparen(n);
  if (cur.type === 'identifier') return { root: cur.text, path: [] };
  if (cur.type === 'field_expression') {
    const arg = cur.childForFieldName('argument');
    const field = cur.childForFieldName('field');
    if (!arg || !field) return null;
    const inner = lvaluePath(arg);
    return inner ? { root: inner.root, path: [...inner.path, field.text] } : null;
  }
  if (cur.type === 'subscript_expression') {
    const arg = cur.childForFieldName('argument');
    const index = cur.childForFieldName('index') ?? named(cur)[1];
    if (!arg || !index) return null;
    const inner = lvaluePath(arg);
    return inner ? { root: inner.root, path: [...inner.path, squash(index.text)] } : null;
  }
  return null;
}

export function dedupe(xs: readonly Cond[]): Cond[] {
  const seen = new Set<string>();
  return xs.filter((c) => !seen.has(c.text) && (seen.add(c.text), true));
}

/** "MODULES_VADDR + 0" → "MODULES_VADDR": what a substituted 0 (KASLR off) leaves behind. */
export function dropZeroTerms(t: string): string {
  // Only a last term ("… + 0", "… + 0)"), never "A + 0 * B".
  return t.replace(/\s[+-] 0(?=$|[),;])/g, '').replace(/^0 \+ (?=[^*/]*$)/, '');
}

/** "(A + B)" → "A + B" when the parentheses enclose the whole text. */
export function stripParens(t: string): string {
  let s = t.trim();
  for (;;) {
    if (!s.startsWith('(') || !s.endsWith(')')) return s;
    let depth = 0;
    for (let k = 0; k < s.length; k++) {
      if (s[k] === '(') depth++;
      else if (s[k] === ')' && --depth === 0 && k !== s.length - 1) return s;
    }
    // A cast "(unsigned long)x" does not end with ")", so it never reaches here.
    s = s.slice(1, -1).trim();
  }
}
