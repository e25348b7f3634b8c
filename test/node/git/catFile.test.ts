/**
 * A git cat-file process kept open: answers in the order asked (objects,
 * expressions, missing names), walks the new commits of a line of history
 * with their blobs `m`, says "cannot tell" (null) at a merge, a root or a
 * rewritten history, and is made again after its process ended.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { CatFile, CatFiles, commitsSince } from '../../../src/node/git/catFile';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-catfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (repo: string, args: string[], input?: string) => execFileSync('git', [`--git-dir=${repo}`, ...args], { encoding: 'utf8', env, input }).trim();

/** A bare repository whose commits each hold one blob `m` (as a public-inbox epoch's do). */
function epoch(name: string) {
  const repo = path.join(dir, name);
  execFileSync('git', ['init', '-q', '--bare', repo]);
  const commit = (text: string | null, ...parents: string[]) => {
    const tree = text === null ? git(repo, ['mktree'], '') : git(repo, ['mktree'], `100644 blob ${git(repo, ['hash-object', '-w', '--stdin'], text)}\tm\n`);
    return git(repo, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', 'msg']);
  };
  return { repo, commit };
}

describe('git cat-file kept open', () => {
  test('answers in the order asked: a commit, a blob by expression, a name that is not there', async () => {
    const { repo, commit } = epoch('order.git');
    const a = commit('first message\n');
    const b = commit('second message\n', a);
    const cat = new CatFile(repo);
    try {
      const [x, y, z, w] = await Promise.all([cat.object(b), cat.object(`${b}~1:m`), cat.object('0'.repeat(40)), cat.object(`${b}:m`)]);
      assert.equal(x?.type, 'commit');
      assert.equal(x?.oid, b);
      assert.match(x!.data.toString(), new RegExp(`^tree [0-9a-f]{40}\\nparent ${a}\\n`));
      assert.equal(y?.type, 'blob');
      assert.equal(y?.data.toString(), 'first message\n');
      assert.equal(z, null, 'a name the repository does not have');
      assert.equal(w?.data.toString(), 'second message\n');
      await assert.rejects(cat.object('a\nb'), /not an object name/);
    } finally {
      cat.close();
    }
    await assert.rejects(cat.object(b), /was closed/);
  });

  test('the commits after the one indexed, oldest first, with their messages; the walk crosses batches', async () => {
    const { repo, commit } = epoch('line.git');
    let tip = commit('m0\n');
    const from = tip;
    const added: string[] = [];
    // More than one batch of the walk (16), one commit without a blob m.
    for (let i = 1; i <= 40; i++) added.push((tip = commit(i === 7 ? null : `m${i}\n`, tip)));
    const cat = new CatFile(repo);
    try {
      const walked = await commitsSince(cat, tip, from);
      assert.ok(walked);
      assert.deepEqual(
        walked.map((c) => c.oid),
        added,
      );
      assert.deepEqual(
        walked.map((c) => c.m?.data.toString() ?? null),
        added.map((_, i) => (i + 1 === 7 ? null : `m${i + 1}\n`)),
      );
      assert.deepEqual(await commitsSince(cat, tip, tip), [], 'nothing new');
      assert.equal(await commitsSince(cat, tip, from, 10), null, 'more than the limit: git is asked instead');
    } finally {
      cat.close();
    }
  });

  test('cannot tell (null) at a merge, at a root before the commit indexed, or when that commit is gone from the history', async () => {
    const { repo, commit } = epoch('shapes.git');
    const base = commit('base\n');
    const left = commit('left\n', base);
    const right = commit('right\n', base);
    const merge = commit('merge\n', left, right);
    const after = commit('after\n', merge);
    const other = commit('another root\n');
    const cat = new CatFile(repo);
    try {
      assert.equal(await commitsSince(cat, after, base), null, 'a merge on the way');
      assert.deepEqual(
        (await commitsSince(cat, after, merge))!.map((c) => c.oid),
        [after],
        'a merge before the commit indexed does not matter',
      );
      assert.equal(await commitsSince(cat, left, other), null, 'a root reached first: history rewritten');
    } finally {
      cat.close();
    }
  });

  test('a process that ended is made again by the pool', async () => {
    const { repo, commit } = epoch('again.git');
    const a = commit('x\n');
    const pool = new CatFiles();
    try {
      const first = pool.of(repo);
      assert.equal((await first.object(a))?.oid, a);
      assert.equal(pool.of(repo), first, 'kept while usable');
      first.close();
      const second = pool.of(repo);
      assert.notEqual(second, first);
      assert.equal((await second.object(a))?.oid, a);
    } finally {
      pool.close();
    }
  });
});
