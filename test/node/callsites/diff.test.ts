/** Call sites on the changed lines of a patch, at their lines in the patch text. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { sitesOfPatchText } from '../../../src/node/callsites/scan';
import { readSources } from '../../../src/node/mail/read';
import { groupSeries } from '../../../src/core/series/group';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

describe('call sites in a patch', () => {
  test('removed and added calls are found on their patch lines, context calls are not', async () => {
    const patch = [
      'diff --git a/kernel/kprobes.c b/kernel/kprobes.c',
      '--- a/kernel/kprobes.c',
      '+++ b/kernel/kprobes.c',
      '@@ -118,8 +118,8 @@ void __weak *alloc_insn_page(void)',
      ' void *alloc_insn_page(void)',
      ' {',
      '-\treturn module_alloc(PAGE_SIZE);',
      '+\treturn execmem_alloc(EXECMEM_KPROBES, PAGE_SIZE);',
      ' }',
      ' static void free_insn_page(void *page)',
      ' {',
      ' \tmodule_memfree(page);',
      ' }',
      '',
    ].join('\n');
    const sites = await sitesOfPatchText(patch);
    assert.deepEqual(
      sites.map((s) => [s.callee, s.line, s.column, s.type, s.converted]),
      [
        ['module_alloc', 7, 9, 'EXECMEM_KPROBES', false],
        ['execmem_alloc', 8, 9, 'EXECMEM_KPROBES', true],
      ],
    );
    const lines = patch.split('\n');
    for (const s of sites) assert.equal(lines[s.line - 1]!.slice(s.column, s.column + s.callee.length), s.callee);
  });

  test('v1 04/13 of the series: the overrides it removes are found on its "-" lines', { skip: corpusMissing }, async () => {
    const read = await readSources([path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox')]);
    const v1 = groupSeries(read.messages).series.find((v) => v.version === 1 && v.total === 13)!;
    const p4 = v1.patches.find((p) => p.index === 4)!;
    // As the explorer shows it: headers, message, diff and the "-- " signature.
    const doc = `Subject: ${p4.message.subject}\n\n${p4.message.body}`;
    const sites = await sitesOfPatchText(doc);
    const overrides = sites.filter((s) => s.kind === 'override').map((s) => s.path);
    for (const f of ['arch/arm/kernel/module.c', 'arch/arm64/kernel/module.c', 'arch/powerpc/kernel/module.c', 'arch/s390/kernel/module.c', 'arch/x86/kernel/module.c']) {
      assert.ok(overrides.includes(f), `${f}: ${overrides.join(', ')}`);
    }
    const lines = doc.split('\n');
    for (const s of sites) assert.match(lines[s.line - 1]!, /^[-+]/, `${s.callee} at ${s.line}`);
  });
});
