import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { historyOf, narrowToFunction } from '../../../src/core/search/history';
import { groupSeries } from '../../../src/core/series/group';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

describe('the mailing-list history of code, on the corpus threads', { skip: corpusMissing }, () => {
  test('arm64 module_alloc() was touched by the "mm: jit/text allocator" versions, newest first', async () => {
    const read = await readSources([THREADS_DIR]);
    const index = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
    const fileHits = historyOf(index, 'arch/arm64/kernel/module.c');
    const fnHits = historyOf(index, 'arch/arm64/kernel/module.c', 'module_alloc');
    assert.ok(fnHits.length > 0);
    assert.ok(fnHits.length <= fileHits.length);
    const titles = new Set(fnHits.map((h) => h.version.title));
    assert.ok(titles.has('mm: jit/text allocator'), [...titles].join('\n'));
    const v1 = fnHits.find((h) => h.version.title === 'mm: jit/text allocator' && h.version.version === 1);
    assert.equal(v1?.patch.index, 4, 'v1 converts arm64 in 04/13');
    const times = fnHits.map((h) => h.patch.message.time);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    // A function's history is the part of the file's that touched it, however it is worked out.
    assert.deepEqual(narrowToFunction(fileHits, 'module_alloc'), fnHits);
    // A tree opened from above the kernel root gives longer paths; the same history.
    assert.equal(historyOf(index, 'linux-source-6.1/arch/arm64/kernel/module.c', 'module_alloc').length, fnHits.length);
    // A function no patch touched has none.
    assert.deepEqual(historyOf(index, 'arch/arm64/kernel/module.c', 'no_such_function_here'), []);
    assert.ok(path.isAbsolute(THREADS_DIR));
  });
});
