/**
 * "applied" in the Mailing-List History view: a commit of the patch's title
 * in the file's git history, renames followed; a file git does not track
 * says nothing either way.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseSubject } from '../../../src/core/mail/subject';
import { appliedIn, committedSubjects } from '../../../src/node/git/applied';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-applied-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, stdio: 'pipe' });
}

describe('applied or not, from git', () => {
  const tree = path.join(dir, 'linux');
  const module_ = path.join(tree, 'arch', 'arm64', 'kernel', 'module.c');

  test('a commit of the same title, even after the file was renamed', async () => {
    mkdirSync(path.dirname(module_), { recursive: true });
    git('init', '-q', tree);
    const at = (...a: string[]) => git('-C', tree, ...a);
    writeFileSync(path.join(tree, 'arch', 'arm64', 'kernel', 'mod.c'), 'void *module_alloc(unsigned long size)\n{\n\treturn NULL;\n}\n');
    at('add', '.');
    at('commit', '-q', '-m', 'arm64: module: add module_alloc');
    at('mv', 'arch/arm64/kernel/mod.c', 'arch/arm64/kernel/module.c');
    at('commit', '-q', '-m', 'arm64: rename mod.c');
    writeFileSync(module_, 'void *module_alloc(unsigned long size)\n{\n\treturn execmem_alloc(EXECMEM_MODULE_TEXT, size);\n}\n');
    at('commit', '-q', '-am', 'arm64: extend execmem_info for generated code allocations');
    const subjects = await committedSubjects(module_);
    assert.ok(subjects);
    // The title as the patch of a series gives it (its [PATCH] prefix taken off), in other spacing and case.
    const title = parseSubject('[PATCH v4 07/15] arm64:  Extend execmem_info for generated code allocations').title;
    assert.equal(appliedIn(subjects, title), true);
    assert.equal(appliedIn(subjects, 'arm64: module: add module_alloc'), true, 'a commit before the rename is followed');
    assert.equal(appliedIn(subjects, 'arm64: drop module_alloc'), false);
  });

  test('a file git does not track: not known', async () => {
    const loose = path.join(tree, 'untracked.c');
    writeFileSync(loose, 'int x;\n');
    const subjects = await committedSubjects(loose);
    assert.equal(subjects, null);
    assert.equal(appliedIn(subjects, 'anything'), undefined);
    const outside = path.join(dir, 'no-repo', 'module.c');
    mkdirSync(path.dirname(outside), { recursive: true });
    writeFileSync(outside, 'int y;\n');
    assert.equal(await committedSubjects(outside), null);
  });
});
