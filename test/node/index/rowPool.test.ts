/**
 * The indexer's row collector: rows made on the worker thread are the rows
 * made on the indexer's own thread, in reading order, errors included; a
 * worker that goes away with messages on it fails the update, naming why.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { RowCollector } from '../../../src/node/index/rowPool';
import type { MessageRow } from '../../../src/node/index/store';
import { readCommits, readMboxFile } from '../../../src/node/mail/read';
import { corpusMissing, epochRepo, THREADS_DIR } from '../../support/corpus';
import { mbox, message, patchBody } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small mbox with what each path must treat alike: a patch, a multipart message, one that is not mail. */
function oddMail(): string {
  const file = path.join(dir, 'odd.mbox');
  const multipart = [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
  ];
  const text = new TextDecoder().decode(
    mbox(
      { id: 'p1@x', subject: '[PATCH] mm: one', body: patchBody('mm/vmalloc.c') },
      { id: 'm1@x', subject: 'Re: [PATCH] mm: one', inReplyTo: 'p1@x', headers: multipart, body: '--b1\nContent-Type: text/plain\n\nLooks fine.\n\nReviewed-by: A <a@x>\n--b1--\n' },
    ),
  );
  // A "message" with none of From, Subject or Message-ID: an error row with its place.
  writeFileSync(file, `${text}From mboxrd@z Thu Jan  1 00:00:00 1970\nX-Nothing: here\n\nnot mail\n`);
  return file;
}

/** Every message of `read` made into rows by a collector that starts its worker after `inProcessFirst` messages. */
async function rowsOf(read: (c: RowCollector) => Promise<void>, inProcessFirst: number): Promise<{ rows: MessageRow[]; byWorker: number }> {
  const rows: MessageRow[] = [];
  const c: RowCollector = new RowCollector('linux-modules', { inProcessFirst, drain: { every: 300, run: async () => void rows.push(...(await c.take(false))) } });
  try {
    await read(c);
    rows.push(...(await c.take(true)));
    assert.equal(rows.length, c.seen, 'one row for every slot filed');
    return { rows, byWorker: c.madeByWorker };
  } finally {
    await c.close();
  }
}

describe('RowCollector', () => {
  test('the worker makes the rows this thread makes, in reading order, errors and failures included', async () => {
    const file = oddMail();
    const threads = readdirSync(THREADS_DIR).filter((n) => n.endsWith('.mbox')).sort().slice(0, 6).map((n) => path.join(THREADS_DIR, n));
    const read = async (c: RowCollector) => {
      await readMboxFile(file, 'src', c);
      c.fail('src', 'gone.mbox', 'could not be read: test', 'gone.mbox#');
      for (const t of threads) await readMboxFile(t, 'src', c);
    };
    const here = await rowsOf(read, Infinity);
    const there = await rowsOf(read, 0);
    assert.equal(here.byWorker, 0);
    assert.equal(there.byWorker > 0, true, 'the worker made rows');
    assert.deepEqual(there.rows, here.rows);
    assert.deepEqual(
      here.rows.slice(0, 4).map((r) => [r.kind, r.msgid, r.text === null ? null : 'text']),
      [
        ['message', 'p1@x', null],
        ['message', 'm1@x', 'text'],
        ['error', null, null],
        ['error', null, null],
      ],
    );
    assert.match(here.rows[2]!.error!, /none of From, Subject or Message-ID/);
    assert.equal(here.rows[3]!.loc, 'gone.mbox#');
  });

  test('a list epoch: the same rows whichever thread makes them', { skip: corpusMissing }, async () => {
    const repo = epochRepo();
    const commits = execFileSync('git', [`--git-dir=${repo}`, 'rev-list', '--reverse', '--all'], { encoding: 'utf8' }).split('\n').filter(Boolean).slice(0, 1500);
    const read = (c: RowCollector) => readCommits(repo, commits, path.resolve(repo), c);
    const here = await rowsOf(read, Infinity);
    const there = await rowsOf(read, 100);
    assert.equal(here.rows.length, 1500);
    assert.equal(there.byWorker > 0, true, 'the worker made rows');
    assert.deepEqual(there.rows, here.rows);
  });

  test('a failure filed between two messages on their way to the worker keeps its place', async () => {
    // A public-inbox commit without a message blob is filed as a failure between the messages around it.
    // All in one turn of the event loop, as catFileBatch files them from one chunk of git's output.
    const bytes = new TextEncoder().encode(message({ id: 'a@x', subject: '[PATCH] a', body: patchBody('a.c') }));
    const c = new RowCollector('l', { inProcessFirst: 0 });
    try {
      await c.add(bytes, 'src', 'epoch 1233', 'x@invalid', '0.git/1233');
      c.fail('src', 'epoch 1234', 'commit has no message blob m', '0.git/1234');
      await c.add(bytes, 'src', 'epoch 1235', 'y@invalid', '0.git/1235');
      const rows = await Promise.race([c.take(true), new Promise<never>((_, no) => setTimeout(() => no(new Error('take(true) did not end')), 20_000))]);
      assert.deepEqual(
        rows.map((r) => [r.kind, r.msgid, r.loc]),
        [
          ['message', 'a@x', '0.git/1233'],
          ['error', null, '0.git/1234'],
          ['message', 'a@x', '0.git/1235'],
        ],
      );
      assert.equal(c.madeByWorker, 2);
    } finally {
      await c.close();
    }
  });

  test('a worker gone with messages on it fails the read, naming why', async () => {
    const c = new RowCollector('l', { inProcessFirst: 0 });
    const file = path.join(dir, 'many.mbox');
    // More than the worker can have answered by the time the reading ends (it is still starting).
    writeFileSync(file, mbox(...Array.from({ length: 3000 }, (_, i) => ({ id: `m${i}@x`, subject: `[PATCH] x ${i}`, body: patchBody('a.c') }))));
    await readMboxFile(file, 'src', c);
    // The worker is stopped under the batches it has.
    await c.close();
    await assert.rejects(c.take(true), /row worker (exited|is gone)/);
  });
});
