import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { SIDE_FIELDS } from '../../src/core/archmap/types';
import { corpusMissing, THREADS_DIR } from '../support/corpus';
import { kernelTree } from '../support/kernelSource';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const SIDE_KEYS = ['alignment', 'conditions', 'end', 'fallback_end', 'fallback_start', 'kasan_shadow', 'location', 'origin', 'pgprot', 'start', 'vm_flags'];

describe('execmem-lens archmap', () => {
  test('two trees: the agreed JSON shape, canonical type keys, before from the first', async () => {
    const r = await run('archmap', '--tree', kernelTree('6.1'), '--tree', kernelTree('6.12'), '--json');
    assert.equal(r.code, 0, r.err);
    const map = JSON.parse(r.out);
    assert.deepEqual(Object.keys(map).sort(), ['arches', 'findings']);
    assert.equal(Object.keys(map.arches).length, 11);
    for (const [arch, entry] of Object.entries<{ types: Record<string, any> }>(map.arches)) {
      for (const [type, e] of Object.entries(entry.types)) {
        assert.match(type, /^EXECMEM_(DEFAULT|KPROBES|FTRACE|BPF|MODULE_DATA)$/, `${arch}: ${type}`);
        assert.ok(['same', 'changed', 'unknown'].includes(e.verdict));
        for (const f of e.changed) assert.ok((SIDE_FIELDS as readonly string[]).includes(f), f);
        for (const side of [e.before, e.after]) {
          assert.deepEqual(Object.keys(side).sort(), SIDE_KEYS, `${arch} ${type}`);
          assert.match(side.location, /^arch\/[a-z0-9]+\/.+\.c:\d+$|^kernel\//);
        }
      }
    }
    for (const f of map.findings) {
      assert.deepEqual(Object.keys(f).sort(), ['arch', 'location', 'message', 'severity', 'type']);
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
    }
    // --before/--after swap the sides.
    const swapped = JSON.parse((await run('archmap', '--tree', kernelTree('6.1'), '--tree', kernelTree('6.12'), '--before', kernelTree('6.12'), '--after', kernelTree('6.1'), '--json')).out);
    assert.equal(swapped.arches.x86.types.EXECMEM_DEFAULT.before.origin, 'execmem_info');
    assert.equal(swapped.arches.x86.types.EXECMEM_DEFAULT.after.origin, 'module_alloc');
  });

  test('a series from mail, readable summary', { skip: corpusMissing }, async () => {
    const r = await run('archmap', '--mbox', path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^x86\n {2}EXECMEM_DEFAULT +changed +module_alloc/m);
    assert.match(r.out, /11 arches, \d+ findings/);
  });

  test('bad command lines name what is wrong', async () => {
    let r = await run('archmap');
    assert.equal(r.code, 2);
    assert.match(r.err, /give at least one --tree DIR or --mbox FILE/);
    r = await run('archmap', '--tree');
    assert.equal(r.code, 2);
    assert.match(r.err, /--tree needs a path/);
    r = await run('archmap', '--tree', '/tmp', '--before', '/elsewhere');
    assert.equal(r.code, 2);
    assert.match(r.err, /--before \/elsewhere: not one of the inputs/);
    r = await run('archmap', '--mbox', '/nonexistent.mbox');
    assert.equal(r.code, 1);
    assert.match(r.err, /nonexistent\.mbox/);
  });
});
