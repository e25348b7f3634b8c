import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { ARCH_NAMES } from '../../src/core/arch/arches';
import { VARIANTS } from '../../src/core/sim/variants';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-cli-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('execmem-lens simulate', () => {
  test('the boot workload on every arch × design (11 × 5) reports allocations, metrics and findings', async () => {
    const rows: string[] = [];
    for (const arch of ARCH_NAMES) {
      for (const variant of VARIANTS) {
        const file = path.join(dir, `${arch}-${variant}.json`);
        writeFileSync(file, JSON.stringify({ arch, variant, seed: 5, ops: [{ op: 'workload', name: 'boot', params: { modules: 40 } }] }));
        const r = await run('simulate', file, '--json');
        assert.equal(r.code, 0, `${arch} ${variant}: ${r.err}`);
        const out = JSON.parse(r.out);
        assert.deepEqual(Object.keys(out).sort(), ['allocations', 'findings', 'metrics']);
        assert.ok(out.allocations.length > 40, `${arch} ${variant}`);
        for (const a of out.allocations) {
          assert.match(a.start, /^0x[0-9a-f]+$/);
          assert.ok(['primary', 'fallback', 'cache', 'pack'].includes(a.range));
        }
        assert.equal(out.metrics.failures, 0, `${arch} ${variant}`);
        assert.ok(out.metrics.itlbEntries4k > 0 && out.metrics.ranges.length > 0);
        rows.push(`${arch}/${variant}`);
      }
    }
    assert.equal(rows.length, 55);
  });

  test('a summary without --json; a bad scenario exits 2 naming the field; a missing file exits 1', async () => {
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ arch: 'x86', variant: 'execmem', ops: [{ op: 'alloc', id: 'm', type: 'EXECMEM_MODULE_TEXT', size: 12288 }] }));
    const r = await run('simulate', good);
    assert.equal(r.code, 0);
    assert.match(r.out, /m +EXECMEM_DEFAULT +0xffffffffc0000000 - 0xffffffffc0003000 +12288 B +primary/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ arch: 'x86', variant: 'execmem', ops: [{ op: 'alloc', id: 'm', type: 'EXECMEM_MODULE_TEXT', size: -1 }] }));
    const b = await run('simulate', bad);
    assert.equal(b.code, 2);
    assert.match(b.err, /ops\[0\]\.size: expected a whole number ≥ 1/);
    writeFileSync(bad, '{ not json');
    assert.match((await run('simulate', bad)).err, /not JSON/);
    const missing = await run('simulate', path.join(dir, 'nope.json'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.json: ENOENT/);
  });
});
