import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDiffFiles } from '../../../src/core/patch/patch';
import { reviewAnchors } from '../../../src/core/review/quotes';

const DIFF = [
  'diff --git a/arch/arm64/kernel/module.c b/arch/arm64/kernel/module.c',
  '--- a/arch/arm64/kernel/module.c',
  '+++ b/arch/arm64/kernel/module.c',
  '@@ -10,6 +10,6 @@',
  ' {',
  ' \tu64 module_alloc_end = module_alloc_base + MODULES_VSIZE;',
  '-\tvoid *p;',
  '+\tvoid *p = NULL;',
  ' {',
  ' \treturn p;',
  ' }',
  'diff --git a/mm/execmem.c b/mm/execmem.c',
  '--- a/mm/execmem.c',
  '+++ b/mm/execmem.c',
  '@@ -1,2 +1,3 @@',
  ' {',
  '+\tfallback();',
  ' }',
  '',
].join('\n');
const files = parseDiffFiles(DIFF);

describe('reviewAnchors', () => {
  test('own text goes on the quoted line just above it, on the right side', () => {
    const reply = ['On Mon, Mike wrote:', '> -\tvoid *p;', '', 'Why was this uninitialised?', '', '> +\tvoid *p = NULL;', 'Better.', ''].join('\n');
    assert.deepEqual(
      reviewAnchors(reply, files).map((a) => [a.path, a.side, a.line, a.text]),
      [
        ['arch/arm64/kernel/module.c', 'old', 12, 'Why was this uninitialised?'],
        ['arch/arm64/kernel/module.c', 'new', 12, 'Better.'],
      ],
    );
  });

  test('a line that occurs in many places is placed by the run of quoted lines before it', () => {
    // " {" is in both files and twice in the first; the lines above it decide.
    const reply = ['> +\tvoid *p = NULL;', '>  {', 'Here.', '', '> diff --git a/mm/execmem.c b/mm/execmem.c', '>  {', 'There.'].join('\n');
    const got = reviewAnchors(reply, files).map((a) => [a.path, a.line, a.text]);
    assert.deepEqual(got, [
      ['arch/arm64/kernel/module.c', 13, 'Here.'],
      ['mm/execmem.c', 1, 'There.'],
    ]);
  });

  test('tabs turned into spaces by the mailer, deeper quotes, snip marks and signatures', () => {
    const reply = ['> >         u64 module_alloc_end = module_alloc_base + MODULES_VSIZE;', '[...]', '', 'module_alloc_base is set late.', '-- ', 'Sig'].join('\n');
    assert.deepEqual(reviewAnchors(reply, files).map((a) => [a.line, a.text]), [[11, 'module_alloc_base is set late.']]);
  });

  test('a reply that quotes no diff line gives no anchor', () => {
    assert.deepEqual(reviewAnchors('> I think the cover letter\n\nAgreed.\n', files), []);
    assert.deepEqual(reviewAnchors('> +\tvoid *p = NULL;\nok\n', []), []);
  });
});
