/**
 * Lines of the documents a patch's file is shown in, mapped to the lines of
 * its sides: rebuilt from the hunks (each line where its header puts it), and
 * the new side applied to a tree that moved (each hunk found where it landed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePatch } from 'diff';
import { appliedLines, hunkSides, sideLineOf } from '../../../src/core/patch/sides';

const DIFF = [
  '--- a/mm/a.c',
  '+++ b/mm/a.c',
  '@@ -3,3 +3,4 @@',
  ' three',
  '-four',
  '+FOUR',
  '+four and a half',
  ' five',
  '@@ -10,2 +11,2 @@',
  ' ten',
  '-eleven',
  '+ELEVEN',
  '',
].join('\n');

describe('the sides of a patch', () => {
  const patch = parsePatch(DIFF)[0]!;

  test('rebuilt from the hunks: each line on its own line number', () => {
    const s = hunkSides(patch);
    assert.equal(sideLineOf(s.new, 4), 3);
    assert.equal(s.new.text.split('\n')[3], 'FOUR');
    assert.equal(s.new.fileLines[4], 5);
    assert.equal(sideLineOf(s.old, 4), 3);
    assert.equal(s.old.text.split('\n')[3], 'four');
    assert.equal(sideLineOf(s.new, 8), -1, 'no hunk shows line 8');
  });

  test('applied to a tree 2 lines longer above: the hunks found where they landed', () => {
    const applied = ['x', 'y', 'one', 'two', 'three', 'FOUR', 'four and a half', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'ELEVEN', ''].join('\n');
    const map = appliedLines(applied, patch);
    // "three" is new line 3 of the patch, line 5 (index 4) of the applied text.
    assert.equal(map[4], 3);
    assert.equal(map[5], 4);
    assert.equal(map[6], 5);
    assert.equal(map[7], 6);
    assert.equal(map[12], 11);
    assert.equal(map[13], 12);
    assert.equal(map[0], 0);
    assert.equal(map[9], 0, 'between the hunks: no line of the patch');
  });

  test('a hunk not in the text maps nothing', () => {
    assert.deepEqual(appliedLines('nothing\nlike it\n', patch), [0, 0, 0]);
  });
});
