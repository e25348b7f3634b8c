/**
 * Executable-memory call sites in C, found with tree-sitter: calls of the
 * allocator's API in every shape the series gave it (module_alloc era, the
 * v1 jit_* API, execmem_*), the wrappers callers go through
 * (alloc_insn_page, alloc_tramp, bpf_jit_alloc_exec, bpf_prog_pack_alloc),
 * and arch definitions of those wrappers (the overrides the series
 * converted). Each site gets its execmem type — the explicit argument, else
 * inferred from the callee, the calling function and the file — and its
 * size expression.
 */
import type { Node } from 'web-tree-sitter';
import { canonicalType, EXECMEM_ALIASES, type ExecmemType } from '../sim/types';
import { OVERRIDE_NAMES, wordPattern } from '../archmap/words';

/** The arch overrides (module_alloc and the wrappers callers go through) and the rest of the API. */
export const CALL_NAMES = [
  ...OVERRIDE_NAMES,
  'module_memfree',
  'module_alloc_huge',
  'jit_text_alloc',
  'jit_data_alloc',
  'jit_free',
  'execmem_text_alloc',
  'execmem_data_alloc',
  'execmem_alloc',
  'execmem_alloc_rw',
  'execmem_free',
  'bpf_prog_pack_alloc',
] as const;
export type CallName = (typeof CALL_NAMES)[number];

/** Quick test before parsing. */
export const CALL_INTEREST = wordPattern(CALL_NAMES);

export const SUBSYSTEMS = ['modules', 'kprobes', 'ftrace', 'bpf', 'arch'] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

export interface CallSite {
  path: string;
  /** 1-based line and 0-based column of the callee's name. */
  line: number;
  column: number;
  callee: CallName;
  /** A call, or an arch's definition of a wrapper (an override). */
  kind: 'alloc' | 'free' | 'override';
  /** execmem_* (true), module_alloc / jit_* (false), a wrapper whose conversion lies elsewhere (null). */
  converted: boolean | null;
  type: ExecmemType | null;
  typeFrom: 'argument' | 'callee' | 'caller' | 'file' | 'default' | null;
  /** The size argument as written; null for frees and overrides. */
  size: string | null;
  /** The function the call is in. */
  caller: string | null;
  subsystem: Subsystem;
  /** The whole call as written (one line), for labels. */
  text: string;
}

const ERA: Record<CallName, boolean | null> = {
  module_alloc: false,
  module_memfree: false,
  module_alloc_huge: false,
  jit_text_alloc: false,
  jit_data_alloc: false,
  jit_free: false,
  execmem_text_alloc: true,
  execmem_data_alloc: true,
  execmem_alloc: true,
  execmem_alloc_rw: true,
  execmem_free: true,
  bpf_jit_alloc_exec: null,
  bpf_prog_pack_alloc: null,
  alloc_insn_page: null,
  alloc_tramp: null,
};

const FREES = new Set<CallName>(['module_memfree', 'jit_free', 'execmem_free']);

/** The type a callee implies by itself. */
const CALLEE_TYPE: Partial<Record<CallName, ExecmemType>> = {
  jit_data_alloc: 'EXECMEM_MODULE_DATA',
  execmem_data_alloc: 'EXECMEM_MODULE_DATA',
  bpf_jit_alloc_exec: 'EXECMEM_BPF',
  bpf_prog_pack_alloc: 'EXECMEM_BPF',
  alloc_insn_page: 'EXECMEM_KPROBES',
  alloc_tramp: 'EXECMEM_FTRACE',
};

/** Which argument is the size (alloc_insn_page() allocates one page). */
const SIZE_ARG: Partial<Record<CallName, number | string>> = {
  module_alloc: 0,
  module_alloc_huge: 0,
  jit_text_alloc: 0,
  jit_data_alloc: 0,
  execmem_text_alloc: 0,
  execmem_data_alloc: 0,
  execmem_alloc: 1,
  execmem_alloc_rw: 1,
  bpf_jit_alloc_exec: 0,
  bpf_prog_pack_alloc: 0,
  alloc_insn_page: 'PAGE_SIZE',
  alloc_tramp: 0,
};

/** Caller names and files that say what a module_alloc() call was for (the order matters: first match wins). */
const INFER: { test: RegExp; type: ExecmemType }[] = [
  { test: /kprobe|insn_page|optinsn/i, type: 'EXECMEM_KPROBES' },
  { test: /ftrace|tramp/i, type: 'EXECMEM_FTRACE' },
  { test: /bpf|\/net\//i, type: 'EXECMEM_BPF' },
];

function inferType(callee: CallName, firstArg: string | null, caller: string | null, path: string): { type: ExecmemType | null; from: CallSite['typeFrom'] } {
  if ((callee === 'execmem_alloc' || callee === 'execmem_alloc_rw') && firstArg) {
    const t = canonicalType(firstArg, EXECMEM_ALIASES);
    if (t) return { type: t, from: 'argument' };
  }
  const byCallee = CALLEE_TYPE[callee];
  if (byCallee) return { type: byCallee, from: 'callee' };
  for (const r of INFER) if (caller && r.test.test(caller)) return { type: r.type, from: 'caller' };
  for (const r of INFER) if (r.test.test(path)) return { type: r.type, from: 'file' };
  // What a free releases is known only from where it is.
  if (FREES.has(callee)) return { type: null, from: null };
  return { type: 'EXECMEM_DEFAULT', from: 'default' };
}

function subsystemOf(path: string, type: ExecmemType | null, kind: CallSite['kind']): Subsystem {
  if (kind === 'override') return 'arch';
  if (type === 'EXECMEM_KPROBES') return 'kprobes';
  if (type === 'EXECMEM_FTRACE') return 'ftrace';
  if (type === 'EXECMEM_BPF') return 'bpf';
  if (/(^|\/)kernel\/module\//.test(path)) return 'modules';
  if (/(^|\/)kernel\/kprobes\.c$/.test(path)) return 'kprobes';
  if (/(^|\/)kernel\/bpf\//.test(path)) return 'bpf';
  if (/(^|\/)kernel\/trace\//.test(path)) return 'ftrace';
  return /(^|\/)arch\//.test(path) ? 'arch' : 'modules';
}

const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function enclosingFunction(n: Node): string | null {
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return functionNameOf(p);
  }
  return null;
}

function functionNameOf(def: Node): string | null {
  let d = def.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const id = d?.childForFieldName('declarator');
  return id && id.type === 'identifier' ? id.text : null;
}

const NAMES = new Set<string>(CALL_NAMES);

/** The call sites in one parsed file. */
export function detectCallSites(root: Node, path: string): CallSite[] {
  const out: CallSite[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      if (f?.type === 'identifier' && NAMES.has(f.text)) {
        const callee = f.text as CallName;
        const argsNode = n.childForFieldName('arguments');
        const args = argsNode ? named(argsNode).filter((a) => a.type !== 'comment') : [];
        const caller = enclosingFunction(n);
        const first = args[0] ? squash(args[0].text) : null;
        const { type, from } = inferType(callee, first, caller, path);
        const sizeSpec = SIZE_ARG[callee];
        const size = typeof sizeSpec === 'string' ? sizeSpec : sizeSpec === undefined ? null : args[sizeSpec] ? squash(args[sizeSpec]!.text) : null;
        const kind = FREES.has(callee) ? 'free' : 'alloc';
        out.push({
          path,
          line: f.startPosition.row + 1,
          column: f.startPosition.column,
          callee,
          kind,
          converted: ERA[callee],
          type,
          typeFrom: from,
          size,
          caller,
          subsystem: subsystemOf(path, type, kind),
          text: squash(n.text).slice(0, 160),
        });
      }
    } else if (n.type === 'function_definition' && /(^|\/)arch\//.test(path)) {
      // An arch's own module_alloc() / alloc_insn_page() / ... is an override the series converts.
      const name = functionNameOf(n);
      if (name && (name === 'module_alloc' || CALLEE_TYPE[name as CallName] !== undefined) && NAMES.has(name)) {
        let d = n.childForFieldName('declarator');
        while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
        const id = d?.childForFieldName('declarator') ?? n;
        const callee = name as CallName;
        const type = CALLEE_TYPE[callee] ?? 'EXECMEM_DEFAULT';
        const body = n.childForFieldName('body')?.text ?? '';
        out.push({
          path,
          line: id.startPosition.row + 1,
          column: id.startPosition.column,
          callee,
          kind: 'override',
          converted: /\bexecmem_alloc\w*\s*\(/.test(body) ? true : /\b(?:__vmalloc_node_range|module_alloc|vmalloc|kmalloc)\s*\(/.test(body) ? false : null,
          type,
          typeFrom: 'callee',
          size: null,
          caller: null,
          subsystem: 'arch',
          text: `${name}() defined here`,
        });
      }
    }
    for (const c of named(n)) visit(c);
  };
  visit(root);
  return out;
}
