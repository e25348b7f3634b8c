/**
 * Step 1 of extraction: what one file declares at file scope, read in one
 * walk of its tree — object-like macros, enum execmem_type aliases,
 * functions (each with its local assignments, for substitution) and the
 * top-level declarations that may be tables. Later steps read only this.
 */
import type { Node } from 'web-tree-sitter';
import { conditionsKnown, type Cond, type CondEnv } from './cond';
import { functionName, named, NO_PP, squash, stripParens, walk, type Conds, type Pp } from './syntax';

export interface ExtractOptions {
  /** preprocessorConditions() of the original text (before blankAnnotations). */
  lineConds?: Cond[][];
  /** Evaluates #ifdef / if conditions to choose among alternatives; unknown is assumed true. */
  env: CondEnv;
  /** Type names to canonical ones (EXECMEM_MODULE_TEXT → EXECMEM_DEFAULT). */
  aliases: Readonly<Record<string, string>>;
}

/** `name = value` (or `type name = value`) inside a function, at source offset `at`. */
export interface LocalWrite {
  name: string;
  value: Node;
  conds: Conds;
  at: number;
}

export interface FnInfo {
  name: string;
  node: Node;
  params: string[];
  conds: Conds;
  locals: LocalWrite[];
}

export interface FileScope {
  env: CondEnv;
  pp: Pp;
  /** File-local object-like macros, the value as C text without comments or outer parentheses. */
  defines: Map<string, string>;
  functions: FnInfo[];
  /** Functions by name: a name defined under #ifdef and #else has two. */
  byName: Map<string, FnInfo[]>;
  /** Declarations at file scope (also inside #if blocks), with their conditions. */
  topDecls: { node: Node; conds: Conds }[];
  /** enum execmem_type aliases this file declares. */
  aliases: Record<string, string>;
  /** The caller's aliases with this file's on top. */
  allAliases: Record<string, string>;
}

export function readScope(root: Node, opts: ExtractOptions): FileScope {
  const table = opts.lineConds;
  const pp: Pp = table ? (l) => table[l] ?? [] : NO_PP;
  const defines = new Map<string, string>();
  const functions: FnInfo[] = [];
  const topDecls: { node: Node; conds: Conds }[] = [];
  const aliases: Record<string, string> = {};

  walk(root, [], (n, conds) => {
    if (n.type === 'preproc_def') {
      const name = n.childForFieldName('name')?.text;
      const value = n.childForFieldName('value')?.text;
      // A macro redefined under a condition the configuration cannot confirm (#ifdef CONFIG_XIP_KERNEL) keeps its name.
      if (name && value && conditionsKnown(conds, opts.env)) defines.set(name, stripParens(squash(value.replace(/\/\*.*?\*\//g, ''))));
      return false;
    }
    if (n.type === 'enum_specifier' && n.childForFieldName('name')?.text === 'execmem_type') {
      const body = n.childForFieldName('body');
      for (const e of body ? named(body) : []) {
        const name = e.childForFieldName('name')?.text;
        const value = e.childForFieldName('value');
        if (name && value && value.type === 'identifier') aliases[name] = value.text;
      }
      return false;
    }
    if (n.type === 'function_definition') {
      const head = functionName(n);
      if (head) functions.push({ ...head, node: n, conds, locals: collectLocals(n, pp) });
      return false;
    }
    if (n.type === 'declaration' && n.parent && (n.parent.type === 'translation_unit' || n.parent.type.startsWith('preproc_'))) {
      topDecls.push({ node: n, conds });
      return false;
    }
    return undefined;
  }, pp);

  const byName = new Map<string, FnInfo[]>();
  for (const f of functions) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return { env: opts.env, pp, defines, functions, byName, topDecls, aliases, allAliases: { ...opts.aliases, ...aliases } };
}

function collectLocals(def: Node, pp: Pp): LocalWrite[] {
  const out: LocalWrite[] = [];
  const body = def.childForFieldName('body');
  if (!body) return out;
  walk(body, [], (n, conds) => {
    if (n.type === 'init_declarator') {
      const id = n.childForFieldName('declarator');
      const value = n.childForFieldName('value');
      if (id?.type === 'identifier' && value && value.type !== 'initializer_list') out.push({ name: id.text, value, conds, at: n.startIndex });
      return undefined;
    }
    if (n.type === 'assignment_expression' && n.childForFieldName('operator')?.text === '=') {
      const left = n.childForFieldName('left');
      const value = n.childForFieldName('right');
      if (left?.type === 'identifier' && value) out.push({ name: left.text, value, conds, at: n.startIndex });
    }
    return undefined;
  }, pp);
  return out;
}
