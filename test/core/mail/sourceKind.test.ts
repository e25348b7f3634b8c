import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMailSource } from '../../../src/core/mail/sourceKind';

describe('classifyMailSource', () => {
  test('files by their ending', () => {
    assert.equal(classifyMailSource({ kind: 'file', name: 'PATCH-00-13-mm-jit-text-allocator.mbox' }).kind, 'mbox');
    assert.equal(classifyMailSource({ kind: 'file', name: 'x.MBOXRD' }).kind, 'mbox');
    assert.equal(classifyMailSource({ kind: 'file', name: '0001-mm-introduce-execmem.patch' }).kind, 'patch-folder');
    assert.equal(classifyMailSource({ kind: 'file', name: 'notes.txt' }).kind, 'unknown');
  });

  test('a bare git repository is one public-inbox epoch', () => {
    const info = classifyMailSource({ kind: 'directory', name: 'linux-modules.git', children: ['HEAD', 'config', 'objects', 'refs', 'packed-refs'] });
    assert.deepEqual(info, { kind: 'public-inbox', summary: 'public-inbox epoch (bare git)' });
  });

  test('a folder of epochs, and the v2 layout with git/', () => {
    assert.deepEqual(classifyMailSource({ kind: 'directory', name: 'git', children: ['0.git', '1.git', 'README'] }), {
      kind: 'public-inbox',
      summary: 'public-inbox, 2 epochs',
    });
    assert.equal(classifyMailSource({ kind: 'directory', name: 'linux-modules', children: ['git', 'msgmap.sqlite3'] }).kind, 'public-inbox');
  });

  test('folders of mboxes and of patches, counted', () => {
    const threads = Array.from({ length: 25 }, (_, i) => `thread-${i}.mbox`).concat(['index.tsv']);
    assert.deepEqual(classifyMailSource({ kind: 'directory', name: 'threads', children: threads }), {
      kind: 'mbox-folder',
      summary: 'folder, 25 mbox files',
    });
    assert.deepEqual(classifyMailSource({ kind: 'directory', name: 'v3', children: ['0000-cover-letter.patch', '0001-a.patch', 'x.eml'] }), {
      kind: 'patch-folder',
      summary: 'folder, 3 patch files',
    });
    assert.deepEqual(classifyMailSource({ kind: 'directory', name: 'one', children: ['only.mbox'] }).summary, 'folder, 1 mbox file');
  });

  test('nothing to read', () => {
    assert.deepEqual(classifyMailSource({ kind: 'missing', name: 'gone.mbox' }), { kind: 'unknown', summary: 'not found' });
    assert.equal(classifyMailSource({ kind: 'directory', name: 'empty', children: [] }).kind, 'unknown');
  });
});
