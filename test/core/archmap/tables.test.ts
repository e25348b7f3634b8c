import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapPath, readTables } from '../../../src/core/archmap/tables';
import { scopeOf } from '../../support/cscope';

const C = `
static struct execmem_info execmem_info __ro_after_init;
struct execmem_info __init *execmem_arch_setup(void)
{
	unsigned long start = MODULES_VADDR;
	execmem_info = (struct execmem_info){
		.ranges = {
			[EXECMEM_MODULE_TEXT] = {
				.start = start,
				.end = MODULES_END,
				.pgprot = PAGE_KERNEL,
				.fallback_start = VMALLOC_START,
				.fallback_start = MODULES_VADDR,
				.alignment = 1,
			},
		},
	};
	execmem_info.ranges[EXECMEM_BPF].start = VMALLOC_START;
	return &execmem_info;
}
`;

describe('tables: execmem tables and their writes', () => {
  test('a compound-literal reset, its designated writes (aliases followed), and a later field assignment', async () => {
    const [t, ...rest] = readTables(await scopeOf(C));
    assert.equal(rest.length, 0);
    assert.equal(t?.variable, 'execmem_info');
    assert.equal(t!.resets.length, 1);
    assert.deepEqual(
      t!.writes.map((w) => `${w.types.join(',')}.${w.field} = ${w.value}`),
      [
        'EXECMEM_DEFAULT.start = MODULES_VADDR',
        'EXECMEM_DEFAULT.end = MODULES_END',
        'EXECMEM_DEFAULT.pgprot = PAGE_KERNEL',
        'EXECMEM_DEFAULT.fallback_start = VMALLOC_START',
        'EXECMEM_DEFAULT.fallback_start = MODULES_VADDR',
        'EXECMEM_DEFAULT.alignment = 1',
        'EXECMEM_BPF.start = VMALLOC_START',
      ],
    );
  });

  test('a field written twice in one branch is a duplicate, its unwritten partner noted', async () => {
    const [t] = readTables(await scopeOf(C));
    assert.deepEqual(t!.duplicates, [
      {
        path: '.ranges[EXECMEM_MODULE_TEXT].fallback_start',
        field: 'fallback_start',
        types: ['EXECMEM_DEFAULT'],
        values: ['VMALLOC_START', 'MODULES_VADDR'],
        lines: [12, 13],
        partnerPath: '.ranges[EXECMEM_MODULE_TEXT].fallback_end',
        partnerWritten: false,
      },
    ]);
  });

  test('each shape’s designator paths map to types and a field', () => {
    assert.deepEqual(mapPath('jit_alloc_params', ['text', 'start'], {}), { types: ['EXECMEM_DEFAULT'], field: 'start' });
    assert.deepEqual(mapPath('jit_alloc_params', ['alignment'], {}), { types: ['EXECMEM_DEFAULT', 'EXECMEM_MODULE_DATA'], field: 'alignment' });
    assert.deepEqual(mapPath('execmem_params', ['jit', 'text', 'pgprot'], {}), { types: ['EXECMEM_KPROBES', 'EXECMEM_FTRACE', 'EXECMEM_BPF'], field: 'pgprot' });
    assert.deepEqual(mapPath('execmem_params', ['modules', 'data', 'end'], {}), { types: ['EXECMEM_MODULE_DATA'], field: 'end' });
    assert.equal(mapPath('execmem_info', ['ranges', 'EXECMEM_NOPE', 'start'], {}), null);
    assert.equal(mapPath('execmem_info', ['ranges', 'EXECMEM_BPF', 'colour'], {}), null);
  });
});
