import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallSite } from '../../../src/core/callsites/detect';
import { placementWords } from '../../../src/core/layout/describe';
import { parseLayoutModel, RANGE_KINDS } from '../../../src/core/layout/model';
import { simulateSteps, stepOfSite } from '../../../src/core/layout/simulate';
import { KPROBES_SITE } from '../../support/sites';

const site = (over: Partial<CallSite>): CallSite => ({ ...KPROBES_SITE, ...over });

describe('layout of call-site steps', () => {
  test('a kprobes page lands in the module range on x86 and in vmalloc, ROX, on arm64 (module_alloc era)', () => {
    const x86 = simulateSteps('x86', 'module_alloc', [stepOfSite(site({}), 'x86')]);
    assert.equal(x86.allocs.id.length, 1);
    assert.equal(x86.allocs.length[0], 4096);
    assert.equal(x86.allocs.guard[0], 4096);
    assert.match(placementWords(x86, 0), /^module range/);
    const arm64 = simulateSteps('arm64', 'module_alloc', [stepOfSite(site({}), 'arm64')]);
    assert.equal(placementWords(arm64, 0), 'vmalloc, ROX');
  });

  test('steps: allocations carry the step they appear in and are freed in; metrics per step', () => {
    const steps = [
      stepOfSite(site({}), 'x86'),
      stepOfSite(site({ line: 126, callee: 'module_memfree', kind: 'free', size: null }), 'x86'),
      stepOfSite(site({ line: 338, callee: 'alloc_insn_page', converted: null, typeFrom: 'callee' }), 'x86'),
    ];
    const m = simulateSteps('x86', 'execmem', steps);
    assert.deepEqual(m.allocs.from, [0, 2]);
    assert.deepEqual(m.allocs.to, [1, -1]);
    assert.deepEqual(m.metrics.map((x) => x.live), [1, 0, 1]);
    // Frees are lazy (purged only when lazy_max_pages() is exceeded or an allocation fails), so the
    // freed page and its guard are not reused yet: the second page lands right after them.
    assert.deepEqual(m.allocs.offset, [0, 8192]);
    assert.equal(m.steps.length, 3);
    assert.ok(parseLayoutModel(JSON.parse(JSON.stringify(m))).ok);
  });

  test('a variable size is assumed and said so', () => {
    const s = stepOfSite(site({ callee: 'module_alloc', type: 'EXECMEM_DEFAULT', size: 'mod->core_layout.size', path: 'kernel/module/main.c' }), 'x86');
    assert.match(s.label, /size mod->core_layout\.size: 3 pages assumed/);
    assert.deepEqual(s.ops, [{ op: 'alloc', type: 'EXECMEM_DEFAULT', size: 3 * 4096 }]);
  });

  test('layouts that cross the webview boundary are checked field by field', () => {
    const good = JSON.parse(JSON.stringify(simulateSteps('x86', 'execmem', [stepOfSite(site({}), 'x86')])));
    const cases: [string, (m: any) => void, RegExp][] = [
      ['extra field', (m) => (m.onload = 'x'), /unexpected field\(s\) onload/],
      ['strip index out of range', (m) => (m.allocs.strip[0] = 7), /not a strip index/],
      ['step index out of range', (m) => (m.allocs.from[0] = 9), /from\/to are not step indexes/],
      ['column length mismatch', (m) => m.allocs.offset.push(1), /expected a list of 1/],
      ['non-hex address', (m) => (m.strips[0].start = 'javascript:alert(1)'), /0x… hex/],
      ['unknown design', (m) => (m.variant = '<img>'), /unknown design/],
      ['label not text', (m) => (m.steps[0].label = { toString: 1 }), /label must be text/],
    ];
    for (const [name, mutate, msg] of cases) {
      const m = JSON.parse(JSON.stringify(good));
      mutate(m);
      const r = parseLayoutModel(m);
      assert.ok(!r.ok, name);
      assert.match(r.error, msg, name);
    }
  });

  test('execmem-rox on x86: module text comes from the ROX cache, whose 2 MiB areas get a strip of their own', () => {
    const text = (line: number) => stepOfSite(site({ line, callee: 'execmem_alloc', converted: true, type: 'EXECMEM_DEFAULT', size: '3 * PAGE_SIZE', path: 'kernel/module/main.c' }), 'x86');
    const free = stepOfSite(site({ line: 9, callee: 'execmem_free', kind: 'free', type: 'EXECMEM_DEFAULT', size: null, path: 'kernel/module/main.c' }), 'x86');
    const m = simulateSteps('x86', 'execmem-rox', [text(1), text(2), free, free]);
    const cache = m.strips.findIndex((s) => s.name.startsWith('ROX cache'));
    assert.ok(cache >= 0, m.strips.map((s) => s.name).join(' | '));
    const areas = m.allocs.strip.map((st, i) => (st === cache ? i : -1)).filter((i) => i >= 0);
    assert.equal(areas.length, 1);
    assert.equal(m.allocs.length[areas[0]!], 2 * 1024 * 1024);
    assert.equal(m.allocs.offset[areas[0]!]! % (2 * 1024 * 1024), 0);
    // Both chunks came from the cache: no guard page, the second right after the first.
    const chunks = m.allocs.strip.map((st, i) => (st !== cache ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(chunks.map((i) => RANGE_KINDS[m.allocs.range[i]!]), ['cache', 'cache']);
    assert.deepEqual(chunks.map((i) => m.allocs.guard[i]), [0, 0]);
    assert.equal(m.allocs.offset[chunks[1]!]! - m.allocs.offset[chunks[0]!]!, 3 * 4096);
    // Freeing both leaves a whole free huge area, which execmem_cache_clean() returns: gone at step 4.
    assert.equal(m.allocs.to[areas[0]!], 3);
    assert.ok(parseLayoutModel(JSON.parse(JSON.stringify(m))).ok);
  });
});
