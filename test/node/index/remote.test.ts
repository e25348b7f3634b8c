/**
 * The extension's way to its indexes: SQLite on a worker thread. What it
 * gives is what loadSource gives on this thread (first read, an extension by
 * new mail, a read after rows were taken out), kept MIME texts are had
 * synchronously, the worker ends when idle and starts again when needed.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadSource } from '../../../src/node/index/indexer';
import { IndexWorker } from '../../../src/node/index/remote';
import { mbox, patchBody } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-remote-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const multipart = ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'];

/** What a test compares of a load: every message as JSON-able facts and its body, and the counts. */
function view(l: Awaited<ReturnType<typeof loadSource>>) {
  return {
    messages: l.read.messages.map((m) => ({ msgid: m.msgid, subject: m.subject, to: m.to, cc: m.cc, facts: m.facts, body: m.body, loc: m.loc })),
    duplicates: l.read.duplicates.map((d) => d.msgid),
    errors: l.read.errors.map((e) => e.message),
    seen: l.read.seen,
    fresh: l.fresh,
    extended: l.extended,
    // The generation names the index file (two files here): the rest of the mark must agree.
    mark: { ...l.mark, generation: typeof l.mark.generation },
  };
}

describe('IndexWorker', () => {
  test('gives what loadSource gives: a first read, new mail, a rewritten file; kept texts on demand; ends when idle', async () => {
    const file = path.join(dir, 'list.mbox');
    writeFileSync(
      file,
      mbox(
        { id: 'p1@x', subject: '[PATCH] mm: one', body: patchBody('mm/vmalloc.c'), headers: ['To: A <a@x>', 'Cc: b@x, C <c@x>'] },
        { id: 'm1@x', subject: 'Re: [PATCH] mm: one', inReplyTo: 'p1@x', headers: multipart, body: '--b1\nContent-Type: text/plain\n\nLooks fine.\n\nReviewed-by: A <a@x>\n--b1--\n' },
      ),
    );
    const here = path.join(dir, 'here');
    const there = path.join(dir, 'there');
    const w = new IndexWorker(300);
    try {
      const a = await loadSource(here, file);
      const b = await w.load(there, file);
      assert.deepEqual(view(b), view(a));
      assert.equal(b.read.messages[1]!.body.includes('Looks fine.'), true, 'the kept MIME text, asked of the worker');
      assert.equal(b.read.messages[0]!.cc, 'b@x, c@x');

      // New mail at the end: the earlier read is extended.
      appendFileSync(file, mbox({ id: 'm2@x', subject: 'Re: [PATCH] mm: one', inReplyTo: 'p1@x', body: 'Acked-by: D <d@x>\n' }));
      const a2 = await loadSource(here, file, {}, { read: a.read, mark: a.mark });
      const b2 = await w.load(there, file, {}, { read: b.read, mark: b.mark });
      assert.equal(b2.extended, true);
      assert.deepEqual(view(b2), view(a2));

      // Rewritten: read whole again.
      writeFileSync(
        file,
        mbox(
          { id: 'p9@x', subject: '[PATCH] x86: two', body: patchBody('arch/x86/kernel/module.c') },
          { id: 'm9@x', subject: 'Re: [PATCH] x86: two', inReplyTo: 'p9@x', headers: multipart, body: '--b1\nContent-Type: text/plain\n\nNot yet.\n--b1--\n' },
        ),
      );
      const a3 = await loadSource(here, file, {}, { read: a2.read, mark: a2.mark });
      const b3 = await w.load(there, file, {}, { read: b2.read, mark: b2.mark });
      assert.equal(b3.extended, false);
      assert.deepEqual(view(b3), view(a3));
      assert.deepEqual(b3.notes, a3.notes);

      // Idle: the worker ends; a kept text starts it again.
      assert.equal(w.running, true);
      for (const end = Date.now() + 10_000; w.running && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      assert.equal(w.running, false, 'the worker ended when idle');
      assert.equal(b3.read.messages[1]!.body.includes('Not yet.'), true, 'a kept text after the worker ended');
      assert.equal(w.running, true, 'started again for it');
    } finally {
      await w.dispose();
    }
  });

  test('a load that comes while the idle worker is ending is answered by the next one', async () => {
    const file = path.join(dir, 'again.mbox');
    writeFileSync(file, mbox({ id: 'q1@x', subject: '[PATCH] mm: q', body: patchBody('mm/vmalloc.c') }));
    const w = new IndexWorker(50);
    try {
      await w.load(path.join(dir, 'again'), file);
      for (const end = Date.now() + 10_000; w.running && Date.now() < end; ) await new Promise((r) => setImmediate(r));
      // The old worker may still be ending (terminate() is not done): its end must not fail this load.
      const again = await w.load(path.join(dir, 'again'), file);
      assert.equal(again.read.messages.length, 1);
      // Readied ahead of reading bodies: started again, without this thread waiting.
      for (const end = Date.now() + 10_000; w.running && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(w.running, false);
      await w.warm(path.join(dir, 'again'), file);
      assert.equal(w.running, true, 'warm() started the worker');
    } finally {
      await w.dispose();
    }
  });
});
