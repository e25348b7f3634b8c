/**
 * Step 4 of extraction: the execmem tables — jit_alloc_params (v1),
 * execmem_params (v2–v3), execmem_info (v4 on, Linux 6.10+) — written by
 * designated initializers, compound literals or field assignments, each
 * write mapped to the execmem types and range field it sets.
 */
import type { Node } from 'web-tree-sitter';
import { canonicalType, type ExecmemType } from '../sim/types';
import { RANGE_FIELDS, type RangeField, type TableFact } from './facts';
import type { FileScope, FnInfo } from './scope';
import { substitute } from './substitute';
import { dedupe, line, lvaluePath, named, squash, unparen, walk, type Conds } from './syntax';
import { TABLE_SHAPES, type TableShape } from './words';

export function readTables(scope: FileScope): TableFact[] {
  const tables = new Map<string, TableFact>();
  // A variable declared as a table (or named as a shape) stays one when assigned later.
  const shapeByVar = new Map<string, TableShape>();
  for (const s of TABLE_SHAPES) shapeByVar.set(s, s);
  readStaticTables(scope, tables, shapeByVar);
  readFunctionWrites(scope, tables, shapeByVar);
  return [...tables.values()].filter((t) => t.writes.length > 0);
}

/** Tables declared at file scope, and their static initializers (order −1: before any code runs). */
function readStaticTables(scope: FileScope, tables: Map<string, TableFact>, shapeByVar: Map<string, TableShape>): void {
  for (const { node, conds } of scope.topDecls) {
    const shape = shapeOfType(node.childForFieldName('type'));
    for (const d of node.childrenForFieldName('declarator')) {
      const id = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
      if (!id || id.type !== 'identifier') continue;
      const s = shape ?? shapeByVar.get(id.text);
      if (!s) continue;
      shapeByVar.set(id.text, s);
      const t = tableFor(tables, id.text, s, node);
      const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      if (value?.type === 'initializer_list') readInitializer(scope, t, value, [], null, conds, -1);
    }
  }
}

/** Tables declared in function bodies, and every write in a body: initializers, whole-table compound literals, field assignments. */
function readFunctionWrites(scope: FileScope, tables: Map<string, TableFact>, shapeByVar: Map<string, TableShape>): void {
  for (const fn of scope.functions) {
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
          const t = tableFor(tables, id.text, shape, n);
          const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
          if (value?.type === 'initializer_list') readInitializer(scope, t, value, [], fn, conds, n.startIndex);
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
      const t = tableFor(tables, lv.root, shape, n);
      const r = unparen(right);
      if (lv.path.length === 0 && r.type === 'compound_literal_expression') {
        t.resets.push({ order: n.startIndex, conds });
        const list = r.childForFieldName('value');
        if (list) readInitializer(scope, t, list, [], fn, conds, n.startIndex);
        return false;
      }
      const m = mapPath(shape, lv.path, scope.allAliases);
      if (m) {
        const v = substitute(scope, right, fn, new Map());
        t.writes.push({ types: m.types, field: m.field, value: v.text, line: line(n), conds: dedupe([...conds, ...v.conds]), order: n.startIndex });
      }
      return false;
    }, scope.pp);
  }
}

function tableFor(tables: Map<string, TableFact>, variable: string, shape: TableShape, at: Node): TableFact {
  let t = tables.get(variable);
  if (!t) {
    t = { shape, variable, line: line(at), writes: [], resets: [], duplicates: [] };
    tables.set(variable, t);
  }
  return t;
}

/**
 * The writes of one initializer list (nested lists extend the designator
 * path), and the fields it writes twice in the same #ifdef branch.
 */
function readInitializer(scope: FileScope, t: TableFact, list: Node, prefix: string[], fn: FnInfo | null, conds: Conds, order: number): void {
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
      const m = mapPath(t.shape, path, scope.allAliases);
      if (!m) continue;
      const v = substitute(scope, value, fn, new Map());
      const here = scope.pp(line(value));
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

const PARTNER: Partial<Record<RangeField, RangeField>> = {
  start: 'end',
  end: 'start',
  fallback_start: 'fallback_end',
  fallback_end: 'fallback_start',
};
