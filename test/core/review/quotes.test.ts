import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDiffFiles } from '../../../src/core/patch/patch';
import { reviewAnchors, splitReview } from '../../../src/core/review/quotes';

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

describe('splitReview: interleaved replies', () => {
  const TWO = parseDiffFiles(
    [
      'diff --git a/arch/x86/kernel/alternative.c b/arch/x86/kernel/alternative.c',
      '--- a/arch/x86/kernel/alternative.c',
      '+++ b/arch/x86/kernel/alternative.c',
      '@@ -100,4 +100,7 @@ static void foo(void)',
      ' \tint ret;',
      '+static void do_text_poke(void *addr)',
      '+{',
      '+\ttext_poke(addr);',
      ' \treturn ret;',
      ' }',
      ' ',
      '@@ -200,3 +203,3 @@ void bar(void)',
      ' {',
      '-\ttext_poke_early(addr);',
      '+\tdo_text_poke(addr);',
      ' }',
      'diff --git a/arch/x86/kernel/ftrace.c b/arch/x86/kernel/ftrace.c',
      '--- a/arch/x86/kernel/ftrace.c',
      '+++ b/arch/x86/kernel/ftrace.c',
      '@@ -118,4 +118,5 @@ ftrace_modify_code_direct(unsigned long ip)',
      ' \t/* replace the text */',
      '-\tif (ftrace_poke_late)',
      '+\tif (ftrace_poke_late) {',
      '+\t\ttext_poke(addr);',
      ' \treturn 0;',
      ' }',
      '',
    ].join('\n'),
  );

  test('each paragraph goes on the block above it, in that block\'s file; the greeting stays on the message', () => {
    const reply = [
      'On Thu, Jun 01, 2023 at 01:12:56PM +0300, Mike Rapoport wrote:',
      '',
      '> +static void do_text_poke(void *addr)',
      '> +{',
      '> +\ttext_poke(addr);',
      '',
      "So I don't much like do_text_poke(); why?",
      '',
      '> diff --git a/arch/x86/kernel/ftrace.c b/arch/x86/kernel/ftrace.c',
      '> @@ -118,4 +118,5 @@ ftrace_modify_code_direct(unsigned long ip)',
      '>  \t/* replace the text */',
      '> -\tif (ftrace_poke_late)',
      '> +\tif (ftrace_poke_late) {',
      '',
      "And in the above case it's actively wrong.",
      'Second paragraph of the same point.',
      '',
    ].join('\n');
    const split = splitReview(reply, TWO);
    assert.deepEqual(
      split.anchors.map((a) => [a.path, a.side, a.startLine, a.line, a.text]),
      [
        ['arch/x86/kernel/alternative.c', 'new', 101, 103, "So I don't much like do_text_poke(); why?"],
        ['arch/x86/kernel/ftrace.c', 'new', 118, 119, "And in the above case it's actively wrong.\nSecond paragraph of the same point."],
      ],
    );
    assert.deepEqual(split.unplaced, ['On Thu, Jun 01, 2023 at 01:12:56PM +0300, Mike Rapoport wrote:']);
  });

  test('a block without a file header goes to the one file holding all its lines, not the file quoted before', () => {
    const reply = [
      '> diff --git a/arch/x86/kernel/ftrace.c b/arch/x86/kernel/ftrace.c',
      '> +\tif (ftrace_poke_late) {',
      'First.',
      '> -\ttext_poke_early(addr);',
      '> +\tdo_text_poke(addr);',
      'Second: this is alternative.c, whatever was quoted before.',
    ].join('\n');
    assert.deepEqual(
      splitReview(reply, TWO).anchors.map((a) => [a.path, a.side, a.line]),
      [
        ['arch/x86/kernel/ftrace.c', 'new', 119],
        ['arch/x86/kernel/alternative.c', 'new', 204],
      ],
    );
  });

  test('a quoted hunk header places lines that several files have', () => {
    // " }" is in both files; the hunk header says which.
    const reply = ['> @@ -118,4 +118,5 @@ ftrace_modify_code_direct(unsigned long ip)', '>  }', 'The end of ftrace_modify_code_direct.'].join('\n');
    assert.deepEqual(splitReview(reply, TWO).anchors.map((a) => [a.path, a.line]), [['arch/x86/kernel/ftrace.c', 122]]);
  });

  test('a block whose lines several files hold equally, with nothing to tell them apart, stays on the message', () => {
    const reply = ['>  }', 'Which closing brace?'].join('\n');
    const split = splitReview(reply, TWO);
    assert.deepEqual(split.anchors, []);
    assert.deepEqual(split.unplaced, ['Which closing brace?']);
  });

  test('quoted prose (the commit message, another reviewer) places nothing; text after the last block is under it', () => {
    const reply = ['> This series replaces module_alloc().', '', 'Why?', '', '> -\ttext_poke_early(addr);', 'Here.', '', 'Thanks,', 'Peter'].join('\n');
    const split = splitReview(reply, TWO);
    assert.deepEqual(split.unplaced, ['Why?']);
    assert.deepEqual(split.anchors.map((a) => [a.path, a.side, a.line, a.text]), [['arch/x86/kernel/alternative.c', 'old', 201, 'Here.\n\nThanks,\nPeter']]);
  });

  test('a removed line "-- x" quoted as "--- x" is a line, not a file header', () => {
    const files = parseDiffFiles(['--- a/lib/x.c', '+++ b/lib/x.c', '@@ -1,2 +1,1 @@', '--- i;', ' done();', ''].join('\n'));
    const split = splitReview(['> --- i;', '>  done();', 'ok'].join('\n'), files);
    assert.deepEqual(split.anchors.map((a) => [a.path, a.side, a.startLine, a.line]), [['lib/x.c', 'new', 1, 1]]);
  });
});
