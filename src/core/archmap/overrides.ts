/**
 * Step 3 of extraction: the module_alloc-era overrides (module_alloc,
 * alloc_insn_page, bpf_jit_alloc_exec, alloc_tramp) and the allocation calls
 * each makes — __vmalloc_node_range, vmalloc, kmalloc, module_alloc, or a
 * file-local helper that makes one — with the conditions around each call.
 */
import { conditionsHold } from './cond';
import type { Attempt, OverrideFact } from './facts';
import type { FileScope, FnInfo } from './scope';
import { substitute } from './substitute';
import { callArgs, callName, dedupe, line, walk, type Conds } from './syntax';
import { isOverrideName } from './words';

export function readOverrides(scope: FileScope): OverrideFact[] {
  const overrides: OverrideFact[] = [];
  for (const fn of scope.functions) {
    if (!isOverrideName(fn.name)) continue;
    const r = attemptsOf(scope, fn, new Map(), [], new Set([fn.name]));
    if (r.attempts.length === 0) continue;
    overrides.push({ name: fn.name, line: line(fn.node), conds: fn.conds, attempts: r.attempts, kasanShadow: r.kasan, resultVars: r.resultVars });
  }
  return overrides;
}

/**
 * The allocations fn makes (params: its parameters' values at this call;
 * seen: the helpers on the way here, so recursion ends), whether it
 * allocates KASAN shadow, and the variables holding an attempt's result.
 */
function attemptsOf(scope: FileScope, fn: FnInfo, params: ReadonlyMap<string, string>, outer: Conds, seen: Set<string>): { attempts: Attempt[]; kasan: boolean; resultVars: string[] } {
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
    const arg = (k: number): { text: string; conds: Conds } => (args[k] ? substitute(scope, args[k]!, fn, params) : { text: '?', conds: [] });
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
    const helpers = scope.byName.get(name);
    if (helpers && !seen.has(name) && !isOverrideName(name)) {
      const helper = helpers.find((h) => conditionsHold(h.conds, scope.env)) ?? helpers[0]!;
      const map = new Map<string, string>();
      helper.params.forEach((p, k) => map.set(p, arg(k).text));
      const inner = attemptsOf(scope, helper, map, conds, new Set([...seen, name]));
      if (inner.attempts.length > 0) {
        // The call site's line is where the reader looks; the helper's conditions come along.
        for (const a of inner.attempts) attempts.push({ ...a, line: line(n), conds: dedupe([...conds, ...a.conds]) });
        noteResult();
      }
      kasan ||= inner.kasan;
      return false;
    }
    return undefined;
  }, scope.pp);
  return { attempts, kasan, resultVars };
}

function splitFlags(text: string): string[] {
  return text
    .split('|')
    .map((s) => s.replace(/[()]/g, '').trim())
    .filter((s) => s !== '' && s !== '0');
}
