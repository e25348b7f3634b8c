import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CondEnv } from '../../../src/core/archmap/cond';
import { scopeOf } from '../../support/cscope';

const C = `
#define MODULES_LEN (MODULES_END - MODULES_VADDR) /* bytes */
#ifdef CONFIG_XIP_KERNEL
#define BASE XIP_BASE
#endif
enum execmem_type { EXECMEM_DEFAULT, EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT };
static struct execmem_info info __ro_after_init;
#ifdef CONFIG_RANDOMIZE_BASE
static unsigned long offset(void) { return get_random_u32() * PAGE_SIZE; }
#else
static unsigned long offset(void) { return 0; }
#endif
void *module_alloc(unsigned long size)
{
	unsigned long start = MODULES_VADDR;
	start = start + offset();
	return __vmalloc_node_range(size, 1, start, MODULES_END, GFP_KERNEL, PAGE_KERNEL, 0, NUMA_NO_NODE, __builtin_return_address(0));
}
`;

describe('scope: what a file declares', () => {
  test('macros without comments or outer parentheses; one under an unconfirmed #ifdef is left out', async () => {
    const s = await scopeOf(C);
    assert.equal(s.defines.get('MODULES_LEN'), 'MODULES_END - MODULES_VADDR');
    assert.equal(s.defines.has('BASE'), false);
    const xip: CondEnv = { config: (n) => n === 'CONFIG_XIP_KERNEL' || undefined, value: () => undefined, defined: (n) => (n === 'CONFIG_XIP_KERNEL' ? true : undefined), call: () => undefined };
    assert.equal((await scopeOf(C, xip)).defines.get('BASE'), 'XIP_BASE');
  });

  test('enum execmem_type aliases, on top of the caller’s', async () => {
    const s = await scopeOf(C);
    assert.deepEqual(s.aliases, { EXECMEM_MODULE_TEXT: 'EXECMEM_DEFAULT' });
    assert.equal(s.allAliases.EXECMEM_MODULE_TEXT, 'EXECMEM_DEFAULT');
  });

  test('functions by name (both #ifdef branches), with parameters, conditions and local writes in order', async () => {
    const s = await scopeOf(C);
    assert.equal(s.byName.get('offset')?.length, 2);
    assert.deepEqual(s.byName.get('offset')!.map((f) => f.conds.map((c) => c.text)), [['defined(CONFIG_RANDOMIZE_BASE)'], ['!(defined(CONFIG_RANDOMIZE_BASE))']]);
    const m = s.byName.get('module_alloc')![0]!;
    assert.deepEqual(m.params, ['size']);
    assert.deepEqual(m.locals.map((w) => `${w.name} = ${w.value.text}`), ['start = MODULES_VADDR', 'start = start + offset()']);
  });

  test('top-level declarations are kept for the table step', async () => {
    const s = await scopeOf(C);
    assert.deepEqual(s.topDecls.map((d) => d.node.text.replace(/\s+/g, ' ').trim()), ['static struct execmem_info info ;']);
  });
});
