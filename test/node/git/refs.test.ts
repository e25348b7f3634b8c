/**
 * refTips reads the same object names as `git for-each-ref`, in its order,
 * from loose and packed refs, and gives up (null) where its files do not say
 * it plainly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { refTips } from '../../../src/node/git/refs';
import { corpusMissing, epochRepo } from '../../support/corpus';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-refs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const git = (repo: string, ...args: string[]) => execFileSync('git', [`--git-dir=${repo}`, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
const byGit = (repo: string) => [...new Set(git(repo, 'for-each-ref', '--format=%(objectname)').split('\n').filter(Boolean))];

function repo(name: string): { repo: string; commit: (msg: string, parent?: string) => string } {
  const r = path.join(dir, name);
  execFileSync('git', ['init', '-q', '--bare', r]);
  const tree = git(r, 'mktree').trim();
  return { repo: r, commit: (msg, parent) => git(r, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', msg).trim() };
}

describe('the tips of a repository read from its ref files', () => {
  test('loose, packed, both (the loose one wins), tags: as git for-each-ref says', async () => {
    const { repo: r, commit } = repo('mixed.git');
    const a = commit('a');
    const b = commit('b', a);
    const c = commit('c', b);
    git(r, 'update-ref', 'refs/heads/master', a);
    git(r, 'update-ref', 'refs/heads/zeta', b);
    git(r, 'tag', '-a', '-m', 'annotated', 'v1', b);
    git(r, 'pack-refs', '--all');
    // After packing: master moves (a loose ref over the packed one), a new loose branch.
    git(r, 'update-ref', 'refs/heads/master', c);
    git(r, 'update-ref', 'refs/heads/alpha/one', a);
    assert.deepEqual(await refTips(r), byGit(r));
    const tips = (await refTips(r))!;
    assert.ok(tips.includes(c) && tips.includes(a) && tips.includes(git(r, 'rev-parse', 'refs/tags/v1').trim()), 'the loose master, and the tag object as git gives it');
    assert.equal(tips.length, 4);
  });

  test('an empty repository has no tips', async () => {
    const { repo: r } = repo('empty.git');
    assert.deepEqual(await refTips(r), []);
    assert.deepEqual(byGit(r), []);
  });

  test('a symbolic ref, a damaged ref file, a reftable repository: null, for git to answer', async () => {
    const { repo: r, commit } = repo('odd.git');
    git(r, 'update-ref', 'refs/heads/master', commit('a'));
    git(r, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/master');
    assert.equal(await refTips(r), null);
    const { repo: d, commit: c2 } = repo('damaged.git');
    git(d, 'update-ref', 'refs/heads/master', c2('a'));
    writeFileSync(path.join(d, 'refs', 'heads', 'master'), 'not an object name\n');
    assert.equal(await refTips(d), null);
    const { repo: t } = repo('reftable.git');
    execFileSync('mkdir', [path.join(t, 'reftable')]);
    assert.equal(await refTips(t), null);
  });

  test('the linux-modules epoch of the corpus: as git says', { skip: corpusMissing }, async () => {
    assert.deepEqual(await refTips(epochRepo()), byGit(epochRepo()));
  });
});
