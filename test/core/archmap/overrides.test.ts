import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readOverrides } from '../../../src/core/archmap/overrides';
import { scopeOf } from '../../support/cscope';

const C = `
static void *__module_alloc(unsigned long size, unsigned long start, unsigned long end)
{
	return __vmalloc_node_range(size, MODULE_ALIGN, start, end, GFP_KERNEL, PAGE_KERNEL_EXEC, VM_FLUSH_RESET_PERMS | VM_DEFER_KMEMLEAK, NUMA_NO_NODE, 0);
}
void *module_alloc(unsigned long size)
{
	void *p = NULL;
	if (MODULES_VADDR != VMALLOC_START)
		p = __module_alloc(size, MODULES_VADDR, MODULES_END);
	if (!p)
		p = __module_alloc(size, VMALLOC_START, VMALLOC_END);
	if (p && kasan_alloc_module_shadow(p, size, GFP_KERNEL) < 0)
		return NULL;
	return p;
}
void *alloc_insn_page(void)
{
	return module_alloc(PAGE_SIZE);
}
void *alloc_tramp(unsigned long size)
{
	return NULL;
}
`;

describe('overrides: module_alloc-era functions and their allocations', () => {
  test('attempts through a helper, at the call’s line, with the helper’s arguments and the call’s conditions', async () => {
    const [m] = readOverrides(await scopeOf(C));
    assert.equal(m?.name, 'module_alloc');
    assert.deepEqual(
      m!.attempts.map((a) => [a.kind, a.line, a.start, a.end, a.pgprot, a.alignment, a.vmFlags.join('|'), a.conds.map((c) => c.text).join(' && ')]),
      [
        ['vmalloc_range', 10, 'MODULES_VADDR', 'MODULES_END', 'PAGE_KERNEL_EXEC', 'MODULE_ALIGN', 'VM_FLUSH_RESET_PERMS|VM_DEFER_KMEMLEAK', 'MODULES_VADDR != VMALLOC_START'],
        ['vmalloc_range', 12, 'VMALLOC_START', 'VMALLOC_END', 'PAGE_KERNEL_EXEC', 'MODULE_ALIGN', 'VM_FLUSH_RESET_PERMS|VM_DEFER_KMEMLEAK', '!p'],
      ],
    );
    assert.equal(m!.kasanShadow, true);
    assert.deepEqual(m!.resultVars, ['p', 'p']);
  });

  test('an override calling module_alloc is one attempt of that kind; one that allocates nothing is left out', async () => {
    const names = readOverrides(await scopeOf(C)).map((o) => o.name);
    assert.deepEqual(names, ['module_alloc', 'alloc_insn_page']);
    const insn = readOverrides(await scopeOf(C)).find((o) => o.name === 'alloc_insn_page')!;
    assert.deepEqual(insn.attempts.map((a) => a.kind), ['module_alloc']);
  });
});
