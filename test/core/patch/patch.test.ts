import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { diffStat, hasDiff, parseDiffFiles, splitPatchBody } from '../../../src/core/patch/patch';
import { hunkSides, sideLineOf } from '../../../src/core/patch/sides';
import { patchBody } from '../../support/mail';

describe('patches in mail', () => {
  test('the body splits into commit message and diff; the signature is not diff', () => {
    const parts = splitPatchBody(patchBody('mm/execmem.c', { message: 'mm: add execmem\n\nWhy.' }));
    assert.match(parts.message, /^mm: add execmem\n\nWhy\.\n\nSigned-off-by/);
    assert.doesNotMatch(parts.message, /---/);
    assert.match(parts.diff, /^diff --git a\/mm\/execmem.c/);
    assert.doesNotMatch(parts.diff, /2\.43\.0/);
  });

  test('files with status and counts; diffstat adds up', () => {
    const files = parseDiffFiles(
      [
        'diff --git a/a.c b/a.c', '--- a/a.c', '+++ b/a.c', '@@ -1,2 +1,3 @@', ' x', '-y', '+y2', '+y3',
        'diff --git a/new.c b/new.c', 'new file mode 100644', '--- /dev/null', '+++ b/new.c', '@@ -0,0 +1 @@', '+n',
        'diff --git a/old.c b/old.c', 'deleted file mode 100644', '--- a/old.c', '+++ /dev/null', '@@ -1 +0,0 @@', '-o',
        'diff --git a/p.c b/q.c', 'similarity index 100%', 'rename from p.c', 'rename to q.c', '',
      ].join('\n'),
    );
    assert.deepEqual(files.map((f) => [f.path, f.status, f.additions, f.deletions]), [
      ['a.c', 'modified', 2, 1],
      ['new.c', 'added', 1, 0],
      ['old.c', 'deleted', 0, 1],
      ['q.c', 'renamed', 0, 0],
    ]);
    assert.deepEqual(diffStat(files), { files: 4, additions: 3, deletions: 2 });
  });

  test('text without a diff has none', () => {
    assert.equal(hasDiff('Just a reply.\n--- not a diff\n'), false);
    assert.deepEqual(parseDiffFiles('no diff here'), []);
  });

  test('law: the sides rebuilt from hunks are what applyPatch makes of the old side', () => {
    const lines = fc.array(fc.stringMatching(/^[a-z]{0,6}$/), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(lines, fc.array(fc.nat(), { maxLength: 8 }), (before, edits) => {
        const after = [...before];
        for (const e of edits) {
          const at = e % (after.length + 1);
          if (e % 3 === 0 && after.length > 1) after.splice(Math.min(at, after.length - 1), 1);
          else after.splice(at, 0, `new${e}`);
        }
        const oldText = `${before.join('\n')}\n`;
        const newText = `${after.join('\n')}\n`;
        fc.pre(oldText !== newText);
        const diff = createTwoFilesPatch('a/f.c', 'b/f.c', oldText, newText, '', '', { context: 1000 });
        const [file] = parseDiffFiles(diff);
        assert.ok(file);
        // With every line inside the hunks (context covers the file), the sides are whole files.
        const sides = hunkSides(file.structured);
        const strip = (t: string) => t.split('\n').filter((l) => !l.startsWith('⋯ @@')).join('\n');
        assert.equal(strip(sides.new.text), newText);
        assert.equal(strip(sides.old.text), oldText);
        assert.equal(applyPatch(oldText, file.structured), newText);
        for (let line = 1; line <= after.length; line++) assert.equal(sides.new.text.split('\n')[sideLineOf(sides.new, line)], after[line - 1]);
      }),
    );
  });
});


describe('sides rebuilt from hunks', () => {
  test('each line stands on the line number its hunk header gives; the gaps are blank and as long on both sides', () => {
    const [file] = parseDiffFiles(
      ['--- a/k.c', '+++ b/k.c', '@@ -17,3 +17,4 @@ int f(void)', ' a', '-b', '+b2', '+b3', ' c', '@@ -40,2 +41,2 @@', ' x', '-y', '+z', ''].join('\n'),
    );
    const sides = hunkSides(file!.structured);
    const lines = (t: string) => t.split('\n');
    assert.equal(lines(sides.new.text)[16], 'a');
    assert.equal(lines(sides.new.text)[17], 'b2');
    assert.equal(lines(sides.old.text)[17], 'b');
    assert.equal(lines(sides.new.text)[15], '⋯ @@ -17,3 +17,4 @@ ⋯');
    assert.equal(lines(sides.new.text)[40], 'x');
    assert.equal(lines(sides.old.text)[39], 'x');
    assert.equal(sideLineOf(sides.new, 42), 41);
    assert.equal(sideLineOf(sides.old, 41), 40);
    // The text between the hunks is as long on both sides: 40 - 20 = 41 - 21 unchanged lines.
    assert.equal(lines(sides.old.text).slice(19, 39).join('|'), lines(sides.new.text).slice(20, 40).join('|'));
    assert.ok(sides.new.fileLines.every((n, i) => n === 0 || n === i + 1));
  });
});

describe('paths from patches', () => {
  test('only plain relative paths inside a tree are accepted', async () => {
    const { isTreeRelative } = await import('../../../src/core/patch/paths.js');
    for (const ok of ['arch/arm64/kernel/module.c', 'Makefile', 'a/b..c/d']) assert.equal(isTreeRelative(ok), true, ok);
    for (const bad of ['', '/etc/passwd', '../../.ssh/id_rsa', 'a/../../b', './x', 'a//b', 'a\\..\\b']) assert.equal(isTreeRelative(bad), false, bad);
  });
});
