/**
 * Reads one C file (parsed by tree-sitter-c) for the two shapes the series
 * converts between:
 *   - module_alloc-era overrides (module_alloc, alloc_insn_page,
 *     bpf_jit_alloc_exec, alloc_tramp) and the allocation calls they make
 *     (__vmalloc_node_range, vmalloc, kmalloc, module_alloc, or a file-local
 *     helper that makes one), with the conditions around each call;
 *   - the tables that replaced them: jit_alloc_params (v1),
 *     execmem_params (v2–v3), execmem_info (v4 on, Linux 6.10+), written by
 *     designated initializers, compound literals or field assignments.
 * Values are kept as C text with function-local variables and file-local
 * object-like macros substituted, so "start = MODULES_VADDR + offset" reads
 * as the kernel computes it.
 */
import type { Node } from 'web-tree-sitter';
import { type ExecmemType, EXECMEM_TYPES } from '../sim/types';
import { conditionsHold, conditionsKnown, negate, type Cond, type CondEnv } from './cond';
import { isOverrideName, TABLE_SHAPES, type OverrideName, type TableShape } from './words';

export const RANGE_FIELDS = ['start', 'end', 'fallback_start', 'fallback_end', 'pgprot', 'alignment', 'flags'] as const;
export type RangeField = (typeof RANGE_FIELDS)[number];

export interface Attempt {
  kind: 'vmalloc_range' | 'vmalloc' | 'kmalloc' | 'module_alloc';
  line: number;
  conds: Cond[];
  start: string;
  end: string;
  alignment: string;
  pgprot: string;
  vmFlags: string[];
}

export interface OverrideFact {
  name: OverrideName;
  line: number;
  conds: Cond[];
  attempts: Attempt[];
  kasanShadow: boolean;
  /** Variables holding a previous attempt's result: `if (!p)` means "that attempt failed". */
  resultVars: string[];
}

export interface TableWrite {
  types: ExecmemType[];
  field: RangeField;
  value: string;
  line: number;
  conds: Cond[];
  /** Source order; static initializers come first (-1). */
  order: number;
}

export interface DuplicateWrite {
  /** The designator path as written, e.g. ".modules.text.fallback_start". */
  path: string;
  field: RangeField;
  types: ExecmemType[];
  values: string[];
  lines: number[];
  /** The path of the field that pairs with it (".fallback_end"), and whether that is written. */
  partnerPath: string | null;
  partnerWritten: boolean;
}

export interface TableFact {
  shape: TableShape;
  variable: string;
  line: number;
  writes: TableWrite[];
  /** Where the whole table was reassigned from a compound literal (unwritten fields become 0), under which conditions. */
  resets: { order: number; conds: Cond[] }[];
  duplicates: DuplicateWrite[];
}

export interface FileFacts {
  path: string;
  overrides: OverrideFact[];
  tables: TableFact[];
  /** enum execmem_type aliases found in this file (EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT). */
  aliases: Record<string, string>;
}

export interface ExtractOptions {
  /** preprocessorConditions() of the original text (before blankAnnotations). */
  lineConds?: Cond[][];
  /** Evaluates #ifdef / if conditions to choose among alternatives; unknown is assumed true. */
  env: CondEnv;
  /** Type names to canonical ones (EXECMEM_MODULE_TEXT → EXECMEM_DEFAULT). */
  aliases: Readonly<Record<string, string>>;
}

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

// ---------------------------------------------------------------------------

type Conds = Cond[];

interface LocalWrite {
  name: string;
  value: Node;
  conds: Conds;
  at: number;
}

interface FnInfo {
  name: string;
  node: Node;
  params: string[];
  conds: Conds;
  locals: LocalWrite[];
}

const line = (n: Node): number => n.startPosition.row + 1;
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const kids = (n: Node): Node[] => n.children.filter((c): c is Node => c !== null);
const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);

function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && named(cur).length === 1) cur = named(cur)[0]!;
  return cur;
}

function callName(call: Node): string | null {
  const f = call.childForFieldName('function');
  return f && f.type === 'identifier' ? f.text : null;
}

function callArgs(call: Node): Node[] {
  const a = call.childForFieldName('arguments');
  return a ? named(a).filter((c) => c.type !== 'comment') : [];
}

function functionName(def: Node): { name: string; params: string[] } | null {
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

type Pp = (line: number) => Conds;
const NO_PP: Pp = () => [];

/**
 * Walks a subtree calling `visit(node, conds)` for every node, with the
 * conditions (C `if`, early returns; preprocessor conditionals come from
 * `pp`, the line-based reading of the directives blankAnnotations removed)
 * under which that node runs or is compiled.
 */
function walk(node: Node, conds: Conds, visit: (n: Node, conds: Conds) => boolean | void, pp: Pp = NO_PP): void {
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
function lvaluePath(n: Node): { root: string; path: string[] } | null {
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

function shapeOfType(typeNode: Node | null): TableShape | null {
  if (!typeNode || typeNode.type !== 'struct_specifier') return null;
  const name = typeNode.childForFieldName('name')?.text;
  return (TABLE_SHAPES as readonly string[]).includes(name ?? '') ? (name as TableShape) : null;
}

const JIT_TYPES: ExecmemType[] = ['EXECMEM_KPROBES', 'EXECMEM_FTRACE', 'EXECMEM_BPF'];

/**
 * Maps a designator path in one of the table shapes to execmem types and a
 * range field. v1's jit_alloc_params has .text/.data and a top-level
 * .alignment/.flags; v2's execmem_params has .modules.{text,data,flags} and
 * .jit.text (the JIT users: kprobes, ftrace, BPF); later shapes index .ranges[type].
 */
export function mapPath(shape: TableShape, path: readonly string[], aliases: Readonly<Record<string, string>>): { types: ExecmemType[]; field: RangeField } | null {
  const field = (f: string | undefined): RangeField | null => ((RANGE_FIELDS as readonly string[]).includes(f ?? '') ? (f as RangeField) : null);
  const part = (p: string | undefined): ExecmemType[] | null =>
    p === 'text' ? ['EXECMEM_DEFAULT'] : p === 'data' ? ['EXECMEM_MODULE_DATA'] : null;
  if (path[0] === 'ranges' && path.length === 3) {
    const t = canonicalType(path[1]!, aliases);
    const f = field(path[2]);
    return t && f ? { types: [t], field: f } : null;
  }
  if (shape === 'jit_alloc_params') {
    if (path.length === 1 && (path[0] === 'alignment' || path[0] === 'flags')) return { types: ['EXECMEM_DEFAULT', 'EXECMEM_MODULE_DATA'], field: path[0] };
    const t = part(path[0]);
    const f = field(path[1]);
    return t && f && path.length === 2 ? { types: t, field: f } : null;
  }
  if (path[0] === 'modules') {
    if (path.length === 2 && path[1] === 'flags') return { types: ['EXECMEM_DEFAULT', 'EXECMEM_MODULE_DATA'], field: 'flags' };
    const t = part(path[1]);
    const f = field(path[2]);
    return t && f && path.length === 3 ? { types: t, field: f } : null;
  }
  if (path[0] === 'jit' && path[1] === 'text' && path.length === 3) {
    const f = field(path[2]);
    return f ? { types: JIT_TYPES, field: f } : null;
  }
  return null;
}

export function canonicalType(name: string, aliases: Readonly<Record<string, string>>): ExecmemType | null {
  let cur = name.trim();
  for (let k = 0; k < 4 && aliases[cur] !== undefined; k++) cur = aliases[cur]!;
  return (EXECMEM_TYPES as readonly string[]).includes(cur) ? (cur as ExecmemType) : null;
}

const PARTNER: Partial<Record<RangeField, RangeField>> = {
  start: 'end',
  end: 'start',
  fallback_start: 'fallback_end',
  fallback_end: 'fallback_start',
};

// ---------------------------------------------------------------------------

export function extractFacts(root: Node, path: string, opts: ExtractOptions): FileFacts {
  const table = opts.lineConds;
  const pp: Pp = table ? (l) => table[l] ?? [] : NO_PP;
  const defines = new Map<string, string>();
  const functions: FnInfo[] = [];
  const tables = new Map<string, TableFact>();
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

  const allAliases = { ...opts.aliases, ...aliases };
  const byName = new Map<string, FnInfo[]>();
  for (const f of functions) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);

  // --- substitution of locals, parameters and file-local macros -----------------
  const substitute = (node: Node, fn: FnInfo | null, params: ReadonlyMap<string, string>, depth = 0): { text: string; conds: Conds } => {
    const conds: Conds = [];
    const at = node.startIndex;
    const base = node.startIndex;
    const src = node.text;
    const ids: { from: number; to: number; text: string }[] = [];
    const visitIds = (n: Node): void => {
      if (n.type === 'call_expression' && depth < 6) {
        // A file-local function that only returns an expression (the #else stub of
        // get_module_load_offset(), say) reads as that expression.
        const inline = inlineCall(n);
        if (inline !== null) {
          const args = callArgs(n).map((a) => substitute(a, fn, params, depth + 1).text);
          const map = new Map(inline.fn.params.map((p, k) => [p, args[k] ?? '?']));
          const body = substitute(inline.expr, inline.fn, map, depth + 1);
          conds.push(...inline.fn.conds, ...body.conds);
          ids.push({ from: n.startIndex - base, to: n.endIndex - base, text: body.text });
          return;
        }
      }
      if (n.type === 'identifier') {
        const name = n.text;
        let repl: string | undefined;
        if (params.has(name)) repl = params.get(name);
        else if (fn && depth < 6) {
          const w = chooseLocal(fn, name, at);
          if (w) {
            const inner = substitute(w.value, fn, params, depth + 1);
            repl = inner.text;
            conds.push(...w.conds, ...inner.conds);
          }
        }
        if (repl === undefined && defines.has(name) && depth < 6) repl = defines.get(name);
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
      const simple = /^[\w.]+$/.test(r.text) || /^\(.*\)$/.test(r.text);
      out += whole || simple ? (whole ? stripParens(r.text) : r.text) : `(${r.text})`;
      pos = r.to;
    }
    out += src.slice(pos);
    return { text: dropZeroTerms(stripParens(squash(out))), conds: dedupe(conds) };
  };

  const inlineCall = (call: Node): { fn: FnInfo; expr: Node } | null => {
    const name = callName(call);
    const defs = name ? byName.get(name) : undefined;
    if (!defs || isOverrideName(name!)) return null;
    const def = defs.find((d) => conditionsHold(d.conds, opts.env));
    const body = def?.node.childForFieldName('body');
    const stmts = body ? named(body).filter((c) => c.type !== 'comment') : [];
    if (!def || stmts.length !== 1 || stmts[0]!.type !== 'return_statement') return null;
    const expr = named(stmts[0]!)[0];
    return expr ? { fn: def, expr } : null;
  };

  const chooseLocal = (fn: FnInfo, name: string, before: number): LocalWrite | null => {
    let chosen: LocalWrite | null = null;
    for (const w of fn.locals) {
      if (w.name !== name || w.at >= before) continue;
      if (!conditionsHold(w.conds, opts.env)) continue;
      chosen = w;
    }
    return chosen;
  };

  // --- module_alloc-era overrides ----------------------------------------------
  const attemptsOf = (fn: FnInfo, params: ReadonlyMap<string, string>, outer: Conds, seen: Set<string>): { attempts: Attempt[]; kasan: boolean; resultVars: string[] } => {
    const attempts: Attempt[] = [];
    const resultVars: string[] = [];
    let kasan = false;
    const body = fn.node.childForFieldName('body');
    if (!body) return { attempts, kasan, resultVars };
    walk(body, outer, (n, conds) => {
      if (n.type !== 'call_expression') return undefined;
      const name = callName(n);
      if (!name) return undefined;
      const args = callArgs(n);
      const arg = (k: number): { text: string; conds: Conds } => (args[k] ? substitute(args[k]!, fn, params) : { text: '?', conds: [] });
      const noteResult = (): void => {
        const p = n.parent;
        if (p?.type === 'assignment_expression') {
          const left = p.childForFieldName('left');
          if (left?.type === 'identifier') resultVars.push(left.text);
        } else if (p?.type === 'init_declarator') {
          const d = p.childForFieldName('declarator');
          if (d?.type === 'identifier') resultVars.push(d.text);
        }
      };
      if (name === 'kasan_alloc_module_shadow') {
        kasan = true;
        return undefined;
      }
      if (name === '__vmalloc_node_range') {
        const parts = [arg(1), arg(2), arg(3), arg(5), arg(6)];
        attempts.push({
          kind: 'vmalloc_range',
          line: line(n),
          conds: dedupe([...conds, ...parts.flatMap((p) => p.conds)]),
          alignment: parts[0]!.text,
          start: parts[1]!.text,
          end: parts[2]!.text,
          pgprot: parts[3]!.text,
          vmFlags: splitFlags(parts[4]!.text),
        });
        noteResult();
        return false;
      }
      if (name === 'vmalloc' || name === 'vzalloc') {
        attempts.push({ kind: 'vmalloc', line: line(n), conds, alignment: '1', start: 'VMALLOC_START', end: 'VMALLOC_END', pgprot: 'PAGE_KERNEL', vmFlags: [] });
        noteResult();
        return false;
      }
      if (name === 'kmalloc' || name === 'kzalloc') {
        // kmalloc memory lies in the linear map, [PAGE_OFFSET, high_memory).
        attempts.push({ kind: 'kmalloc', line: line(n), conds, alignment: '1', start: 'PAGE_OFFSET', end: 'high_memory', pgprot: 'PAGE_KERNEL', vmFlags: [] });
        noteResult();
        return false;
      }
      if (name === 'module_alloc' && fn.name !== 'module_alloc') {
        attempts.push({ kind: 'module_alloc', line: line(n), conds, alignment: '', start: '', end: '', pgprot: '', vmFlags: [] });
        noteResult();
        return false;
      }
      const helpers = byName.get(name);
      if (helpers && !seen.has(name) && !isOverrideName(name)) {
        const helper = helpers.find((h) => conditionsHold(h.conds, opts.env)) ?? helpers[0]!;
        const map = new Map<string, string>();
        helper.params.forEach((p, k) => map.set(p, arg(k).text));
        const inner = attemptsOf(helper, map, conds, new Set([...seen, name]));
        if (inner.attempts.length > 0) {
          // The call site's line is where the reader looks; the helper's conditions come along.
          for (const a of inner.attempts) attempts.push({ ...a, line: line(n), conds: dedupe([...conds, ...a.conds]) });
          noteResult();
        }
        kasan ||= inner.kasan;
        return false;
      }
      return undefined;
    }, pp);
    return { attempts, kasan, resultVars };
  };

  const overrides: OverrideFact[] = [];
  for (const fn of functions) {
    if (!isOverrideName(fn.name)) continue;
    const r = attemptsOf(fn, new Map(), [], new Set([fn.name]));
    if (r.attempts.length === 0) continue;
    overrides.push({ name: fn.name, line: line(fn.node), conds: fn.conds, attempts: r.attempts, kasanShadow: r.kasan, resultVars: r.resultVars });
  }

  // --- tables ----------------------------------------------------------------------
  const tableFor = (variable: string, shape: TableShape, at: Node): TableFact => {
    let t = tables.get(variable);
    if (!t) {
      t = { shape, variable, line: line(at), writes: [], resets: [], duplicates: [] };
      tables.set(variable, t);
    }
    return t;
  };
  const shapeByVar = new Map<string, TableShape>();
  for (const s of TABLE_SHAPES) shapeByVar.set(s, s);

  const readInitializer = (t: TableFact, list: Node, prefix: string[], fn: FnInfo | null, conds: Conds, order: number): void => {
    const seen = new Map<string, { values: string[]; lines: number[]; field: RangeField; types: ExecmemType[] }>();
    const visit = (l: Node, pre: string[]): void => {
      for (const item of named(l)) {
        if (item.type !== 'initializer_pair') continue;
        const path = [...pre];
        for (const d of item.childrenForFieldName('designator')) {
          if (d.type === 'field_designator') path.push(named(d)[0]?.text ?? d.text.replace(/^\./, ''));
          else if (d.type === 'subscript_designator') path.push(squash((named(d)[0] ?? d).text.replace(/^\[|\]$/g, '')));
        }
        const value = item.childForFieldName('value');
        if (!value) continue;
        if (value.type === 'initializer_list') {
          visit(value, path);
          continue;
        }
        const m = mapPath(t.shape, path, allAliases);
        if (!m) continue;
        const v = substitute(value, fn, new Map());
        const here = pp(line(value));
        t.writes.push({ types: m.types, field: m.field, value: v.text, line: line(value), conds: dedupe([...conds, ...here, ...v.conds]), order });
        // Writes in different #ifdef branches are alternatives, not duplicates.
        const key = `${path.join('.')}\u0000${here.map((c) => c.text).join('&&')}`;
        const s = seen.get(key) ?? { values: [], lines: [], field: m.field, types: m.types };
        s.values.push(v.text);
        s.lines.push(line(value));
        seen.set(key, s);
      }
    };
    visit(list, prefix);
    for (const [fullKey, s] of seen) {
      if (s.values.length < 2) continue;
      const [key, branch] = fullKey.split('\u0000') as [string, string];
      const partner = PARTNER[s.field];
      const partnerKey = partner ? [...key.split('.').slice(0, -1), partner].join('.') : null;
      t.duplicates.push({
        path: `.${key.replace(/\.(EXECMEM_\w+)/g, '[$1]')}`,
        field: s.field,
        types: s.types,
        values: s.values,
        lines: s.lines,
        partnerPath: partnerKey ? `.${partnerKey.replace(/\.(EXECMEM_\w+)/g, '[$1]')}` : null,
        partnerWritten: partnerKey ? seen.has(`${partnerKey}\u0000${branch}`) : true,
      });
    }
  };

  for (const { node, conds } of topDecls) {
    const shape = shapeOfType(node.childForFieldName('type'));
    for (const d of node.childrenForFieldName('declarator')) {
      const id = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
      if (!id || id.type !== 'identifier') continue;
      const s = shape ?? shapeByVar.get(id.text);
      if (!s) continue;
      shapeByVar.set(id.text, s);
      const t = tableFor(id.text, s, node);
      const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      if (value?.type === 'initializer_list') readInitializer(t, value, [], null, conds, -1);
    }
  }

  for (const fn of functions) {
    const body = fn.node.childForFieldName('body');
    if (!body) continue;
    walk(body, fn.conds, (n, conds) => {
      if (n.type === 'declaration') {
        const shape = shapeOfType(n.childForFieldName('type'));
        if (!shape) return undefined;
        for (const d of n.childrenForFieldName('declarator')) {
          const id = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
          if (!id || id.type !== 'identifier') continue;
          shapeByVar.set(id.text, shape);
          const t = tableFor(id.text, shape, n);
          const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
          if (value?.type === 'initializer_list') readInitializer(t, value, [], fn, conds, n.startIndex);
        }
        return false;
      }
      if (n.type !== 'assignment_expression' || n.childForFieldName('operator')?.text !== '=') return undefined;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const lv = left ? lvaluePath(left) : null;
      if (!lv || !right) return undefined;
      const shape = shapeByVar.get(lv.root);
      if (!shape) return undefined;
      const t = tableFor(lv.root, shape, n);
      const r = unparen(right);
      if (lv.path.length === 0 && r.type === 'compound_literal_expression') {
        t.resets.push({ order: n.startIndex, conds });
        const list = r.childForFieldName('value');
        if (list) readInitializer(t, list, [], fn, conds, n.startIndex);
        return false;
      }
      const m = mapPath(shape, lv.path, allAliases);
      if (m) {
        const v = substitute(right, fn, new Map());
        t.writes.push({ types: m.types, field: m.field, value: v.text, line: line(n), conds: dedupe([...conds, ...v.conds]), order: n.startIndex });
      }
      return false;
    }, pp);
  }

  return { path, overrides, tables: [...tables.values()].filter((t) => t.writes.length > 0), aliases };
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

function splitFlags(text: string): string[] {
  return text
    .split('|')
    .map((s) => s.replace(/[()]/g, '').trim())
    .filter((s) => s !== '' && s !== '0');
}

function dedupe(xs: readonly Cond[]): Cond[] {
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
