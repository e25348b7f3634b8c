import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { groupSeries } from '../../../src/core/series/group';
import { detectSource, readSources } from '../../../src/node/mail/read';
import { message, patchBody } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A public-inbox epoch made with git plumbing: one commit per message, blob `m`. */
function publicInbox(repo: string, messages: string[]): void {
  execFileSync('git', ['init', '--quiet', '--bare', repo]);
  const git = (args: string[], input?: string) => execFileSync('git', ['-C', repo, ...args], { input, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
  let parent: string | undefined;
  for (const m of messages) {
    const blob = git(['hash-object', '-w', '--stdin'], m);
    const tree = git(['mktree'], `100644 blob ${blob}\tm\n`);
    parent = git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'msg']);
  }
  // A commit without a message blob, as a damaged archive might have.
  const emptyTree = git(['mktree'], '');
  parent = git(['commit-tree', emptyTree, '-p', parent!, '-m', 'no m']);
  git(['update-ref', 'refs/heads/master', parent]);
}

describe('reading mail sources', () => {
  test('a folder of git format-patch files (no Message-IDs) is one series', async () => {
    const folder = path.join(dir, 'v2-patches');
    mkdirSync(folder);
    const fp = (n: number, subject: string, body: string) =>
      `From 1234567890abcdef1234567890abcdef1234567${n} Mon Sep 17 00:00:00 2001\n${message({ subject, date: `Mon, ${n + 1} Jan 2024 10:00:00 +0000`, body })}`;
    writeFileSync(path.join(folder, '0000-cover-letter.patch'), fp(0, '[PATCH v2 0/2] execmem: tidy up', 'Cover.\n'));
    writeFileSync(path.join(folder, '0001-a.patch'), fp(1, '[PATCH v2 1/2] mm: a', patchBody('mm/execmem.c')));
    writeFileSync(path.join(folder, '0002-b.patch'), fp(2, '[PATCH v2 2/2] x86: b', patchBody('arch/x86/mm/init.c')));
    writeFileSync(path.join(folder, 'notes.txt'), 'not mail');
    assert.equal(await detectSource(folder), 'folder');
    const read = await readSources([folder]);
    assert.equal(read.messages.length, 3);
    assert.ok(read.messages.every((m) => m.syntheticId));
    const idx = groupSeries(read.messages);
    assert.equal(idx.series.length, 1);
    assert.equal(idx.series[0]!.title, 'execmem: tidy up');
    assert.deepEqual(idx.series[0]!.patches.map((p) => p.files[0]!.path), ['mm/execmem.c', 'arch/x86/mm/init.c']);
  });

  test('a public-inbox repository: bare epoch and the v2 layout, read through one cat-file', async () => {
    const msgs = [
      message({ id: 'c@x', subject: '[PATCH 0/1] pi', body: 'cover\n' }),
      message({ id: 'p@x', subject: '[PATCH 1/1] pi one', inReplyTo: 'c@x', body: patchBody('kernel/kprobes.c') }),
      'garbage without headers',
    ];
    const v2 = path.join(dir, 'inbox');
    publicInbox(path.join(v2, 'git', '0.git'), msgs);
    assert.equal(await detectSource(v2), 'public-inbox');
    assert.equal(await detectSource(path.join(v2, 'git', '0.git')), 'public-inbox');
    const read = await readSources([v2]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['c@x', 'p@x']);
    assert.equal(read.errors.length, 2);
    assert.match(read.errors[0]!.message, /not a mail message|no headers|From, Subject/);
    assert.match(read.errors[1]!.message, /no message blob m/);
    assert.match(read.errors[1]!.origin, /^0\.git [0-9a-f]{12}$/);
    assert.equal(groupSeries(read.messages).series[0]!.patches.length, 1);
  });

  test('a path that is not there is an error naming it', async () => {
    await assert.rejects(readSources([path.join(dir, 'nope.mbox')]), /nope\.mbox: no such file or folder/);
  });

  test('a source that is there but cannot be read says why, not "no such file"', async () => {
    // A symlink loop fails stat with ELOOP, which root cannot get past either.
    const loop = path.join(dir, 'loop.mbox');
    symlinkSync('loop.mbox', loop);
    await assert.rejects(readSources([loop]), (e: Error) => {
      assert.match(e.message, new RegExp(`^${loop.replace(/[/.]/g, '\\$&')}: could not be read: ELOOP: too many symbolic links encountered`));
      return true;
    });
  });

  test('a cancelled read stops', async () => {
    const file = path.join(dir, 'big.mbox');
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `From x Mon Jan  1 00:00:00 2024\n${message({ id: `${i}@x`, subject: 's' })}\n`).join(''));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(readSources([file], { signal: ac.signal }), /abort/i);
  });
});

describe('bad input in a real mbox', () => {
  test('a 50 MB message is one error; the messages around it are read', async () => {
    const file = path.join(dir, 'huge.mbox');
    const huge = `Subject: huge\nFrom: a@b\nMessage-ID: <huge@x>\n\n${'x'.repeat(1023)}\n`.padEnd(50 * 1024 * 1024, 'y\n');
    writeFileSync(
      file,
      `From x Mon Jan  1 00:00:00 2024\n${message({ id: 'before@x', subject: 'before' })}\nFrom x Mon Jan  1 00:00:00 2024\n${huge}\nFrom x Mon Jan  1 00:00:00 2024\n${message({ id: 'after@x', subject: 'after' })}\n`,
    );
    const read = await readSources([file]);
    assert.deepEqual(read.messages.map((m) => m.msgid), ['before@x', 'after@x']);
    assert.equal(read.errors.length, 1);
    assert.equal(read.errors[0]!.msgid, 'huge@x');
    assert.match(read.errors[0]!.message, /message is 50\.0 MiB, over the 32 MiB limit/);
    assert.equal(read.errors[0]!.origin, 'huge.mbox, message 2');
  });
});

describe('an mbox read whole into one Buffer', () => {
  // Regression: the worker pool copied a message with Buffer#slice, which is a view in Node, and
  // transferred its ArrayBuffer: the whole file was detached and every later message vanished
  // without an error (the linux-modules epoch as one mbox gave 454 of 10,570 messages).
  test('multipart mail past the in-process start does not detach the file: every message is read', async () => {
    const file = path.join(dir, 'multipart.mbox');
    const parts: string[] = [];
    for (let i = 0; i < 60; i++) {
      const multipart = i % 2 === 1;
      const headers = [`From: a${i}@x`, `Subject: message ${i}`, `Message-ID: <mp${i}@x>`];
      const body = multipart
        ? ['Content-Type: multipart/mixed; boundary="B"', '', '--B', 'Content-Type: text/plain', '', `text ${i}`, '--B--', ''].join('\n')
        : `\ntext ${i}\n`;
      parts.push(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${headers.join('\n')}\n${body}\n`);
    }
    writeFileSync(file, parts.join(''));
    const read = await readSources([file]);
    assert.deepEqual(read.errors, []);
    assert.equal(read.messages.length, 60);
    assert.deepEqual(
      read.messages.map((m) => m.body.trim()),
      Array.from({ length: 60 }, (_, i) => `text ${i}`),
    );
  });
});
