import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CALL_INTEREST, CALL_NAMES } from '../../../src/core/callsites/detect';
import { ARCHMAP_WORDS, INTEREST, isOverrideName, OVERRIDE_NAMES, OVERRIDE_TYPE, TABLE_SHAPES, wordPattern } from '../../../src/core/archmap/words';
import { EXECMEM_TYPES } from '../../../src/core/sim/types';

describe('the arch map’s words stay consistent', () => {
  test('the override names are the keys of their execmem types, each type a real one', () => {
    assert.deepEqual([...OVERRIDE_NAMES].sort(), Object.keys(OVERRIDE_TYPE).sort());
    for (const t of Object.values(OVERRIDE_TYPE)) assert.ok((EXECMEM_TYPES as readonly string[]).includes(t), t);
    assert.ok(OVERRIDE_NAMES.every(isOverrideName));
    assert.equal(isOverrideName('constructor'), false);
    assert.equal(isOverrideName('execmem_info'), false);
  });

  test('the ripgrep prefilter searches every override name and table shape, nothing else', () => {
    assert.deepEqual([...ARCHMAP_WORDS].sort(), [...OVERRIDE_NAMES, ...TABLE_SHAPES].sort());
  });

  test('every file the ripgrep prefilter passes also passes the quick test before parsing', () => {
    for (const w of ARCHMAP_WORDS) assert.ok(INTEREST.test(`x = ${w}(size);`), w);
  });

  test('the call-site scan looks for every override, so an arch’s override is a site too', () => {
    for (const w of OVERRIDE_NAMES) {
      assert.ok((CALL_NAMES as readonly string[]).includes(w), w);
      assert.ok(CALL_INTEREST.test(`p = ${w}(PAGE_SIZE);`), w);
    }
    for (const w of CALL_NAMES) assert.ok(CALL_INTEREST.test(` ${w} `), w);
  });

  test('words match whole identifiers only, as rg -w does', () => {
    const p = wordPattern(['module_alloc']);
    assert.ok(p.test('module_alloc(size)'));
    assert.ok(!p.test('module_alloc_huge(size)'));
    assert.ok(!p.test('__module_alloc(size)'));
    assert.ok(!INTEREST.test('void *module_alloc_huge(unsigned long size);'));
  });
});
