import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { substitute } from '../../../src/core/archmap/substitute';
import type { FileScope } from '../../../src/core/archmap/scope';
import { scopeOf } from '../../support/cscope';

const C = `
#define MODULES_LEN (MODULES_END - MODULES_VADDR)
static unsigned long get_module_load_offset(void) { return 0; }
static unsigned long scaled(unsigned long x) { return x * 2; }
void *module_alloc(unsigned long size)
{
	unsigned long start = MODULES_VADDR + get_module_load_offset();
	unsigned long end = start + MODULES_LEN;
	if (kaslr)
		end = start + scaled(size);
	return __vmalloc_node_range(size, 1, start, end, GFP_KERNEL, PAGE_KERNEL, 0, NUMA_NO_NODE, 0);
}
`;

/** The n-th argument of the __vmalloc_node_range call in module_alloc. */
function arg(s: FileScope, n: number): Node {
  const fn = s.byName.get('module_alloc')![0]!;
  const call = fn.node.descendantsOfType('call_expression').find((c) => c?.childForFieldName('function')?.text === '__vmalloc_node_range')!;
  return call.childForFieldName('arguments')!.namedChildren[n]!;
}

describe('substitution: an expression as the kernel computes it', () => {
  test('locals take their value, a one-line helper its returned expression, and "+ 0" is dropped', async () => {
    const s = await scopeOf(C);
    const fn = s.byName.get('module_alloc')![0]!;
    assert.deepEqual(substitute(s, arg(s, 2), fn, new Map()), { text: 'MODULES_VADDR', conds: [] });
  });

  test('the last write before the use wins, its conditions come along, parameters take the caller’s text', async () => {
    const s = await scopeOf(C);
    const fn = s.byName.get('module_alloc')![0]!;
    const r = substitute(s, arg(s, 3), fn, new Map([['size', 'PAGE_SIZE']]));
    assert.equal(r.text, 'MODULES_VADDR + (PAGE_SIZE * 2)');
    assert.deepEqual(r.conds.map((c) => c.text), ['kaslr']);
  });

  test('a macro is substituted with parentheses kept inside a larger expression', async () => {
    const s = await scopeOf(C);
    const fn = s.byName.get('module_alloc')![0]!;
    const end = fn.locals.find((w) => w.name === 'end')!;
    assert.equal(substitute(s, end.value, fn, new Map()).text, 'MODULES_VADDR + (MODULES_END - MODULES_VADDR)');
  });
});
