/**
 * The mail index: built, brought up to date reading only new mail (appended
 * mbox, new commits, a new epoch, changed files), rebuilt when its source was
 * rewritten, surviving a crash mid-write, and rebuilt with a note when its
 * file is damaged or old. After every step the series it gives are those a
 * full read of the same mail gives.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { accountFor } from '../../../src/core/series/accounting';
import { groupSeries } from '../../../src/core/series/group';
import { seriesJson } from '../../../src/core/series/json';
import { CatFiles } from '../../../src/node/git/catFile';
import { indexFileFor, type IndexOptions, indexSources, listNameOf, loadIndex, loadSource, readIndex } from '../../../src/node/index/indexer';
import { IndexStore, SCHEMA_VERSION } from '../../../src/node/index/store';
import { expandSources, readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';
import { mbox, message, patchBody, seriesMail } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => path.join(dir, `${name}-${++n}`);

/** The series of `sources` read in full, and from their index in `indexDir` (brought up to date); they must be the same. */
async function sameAsFullRead(indexDir: string, sources: string[], opts: IndexOptions = {}): Promise<{ new: number; messages: number; notes: string[] }> {
  const { run, open } = await indexSources(indexDir, sources, opts);
  try {
    const loaded = loadIndex(open).index;
    const read = await readSources(sources);
    const full = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
    assert.deepEqual(seriesJson(loaded), seriesJson(full), 'the index gives the series a full read gives');
    const a = accountFor(loaded);
    assert.equal(a.unaccounted, 0);
    assert.equal(a.messages, read.seen, 'every message read is in the index');
    assert.equal(run.messages, read.seen);
    return { new: run.new, messages: run.messages, notes: run.notes };
  } finally {
    open.close();
  }
}

const git = (repo: string, args: string[], input?: string) =>
  execFileSync('git', [`--git-dir=${repo}`, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' },
  }).trim();

/** Appends one commit per message (blob `m`) to a public-inbox epoch, creating it when needed. */
function addCommits(repo: string, messages: string[]): void {
  if (!existsSync(path.join(repo, 'HEAD'))) execFileSync('git', ['init', '--quiet', '--bare', repo]);
  let parent: string | undefined;
  try {
    parent = git(repo, ['rev-parse', '--verify', '-q', 'refs/heads/master']);
  } catch {
    parent = undefined;
  }
  for (const m of messages) {
    const blob = git(repo, ['hash-object', '-w', '--stdin'], m);
    const tree = git(repo, ['mktree'], `100644 blob ${blob}\tm\n`);
    parent = git(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'msg']);
  }
  git(repo, ['update-ref', 'refs/heads/master', parent!]);
}

const series = (stem: string, title: string, total: number) => seriesMail({ prefix: 'PATCH', title, total, stem }).map((m, i) => ({ ...m, body: i === 0 ? m.body : patchBody(`mm/${stem}${i}.c`) }));

describe('mail index', () => {
  test('list names as lore gives them', () => {
    assert.equal(listNameOf('/m/linux-arch/git/0.git', 'public-inbox'), 'linux-arch');
    assert.equal(listNameOf('/m/linux-arch.vger.kernel.org.0/repo', 'public-inbox'), 'linux-arch');
    assert.equal(listNameOf('/m/linux-mm.kvack.org', 'public-inbox'), 'linux-mm');
    assert.equal(listNameOf('/m/threads/v1.mbox', 'mbox'), 'v1');
  });

  test('an mbox: built, then only appended mail is read; a rewritten file is indexed again', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...series('a', 'first series', 3)));
    assert.deepEqual((await sameAsFullRead(idx, [file])).new, 4);
    assert.equal((await sameAsFullRead(idx, [file])).new, 0, 'nothing new: nothing read');
    // Replies to the first series and a second series, appended.
    appendFileSync(file, mbox({ id: 'r1@x', subject: 'Re: [PATCH 1/3] first series', inReplyTo: 'a-1@example.org', from: 'Song Liu <song@kernel.org>', body: '> x\n\nReviewed-by: Song Liu <song@kernel.org>\n' }, ...series('b', 'second series', 2)));
    const appended = await sameAsFullRead(idx, [file]);
    assert.equal(appended.new, 5, 'the four appended messages were read, and the last one before them again (it may have been cut short)');
    assert.equal(appended.messages, 8);
    // Rewritten: the first message changed (same length or not), the index starts again.
    const text = readFileSync(file, 'utf8').replace('first series', 'FIRST series');
    writeFileSync(file, text);
    const rewritten = await sameAsFullRead(idx, [file]);
    assert.equal(rewritten.new, 8);
    assert.match(rewritten.notes.join('\n'), /rewritten since it was indexed/);
    // Shorter: the same.
    writeFileSync(file, mbox(...series('c', 'third', 1)));
    const shorter = await sameAsFullRead(idx, [file]);
    assert.equal(shorter.new, 2);
    assert.equal(shorter.messages, 2);
  });

  test('an mbox indexed while a message was being delivered: that message is read again, whole, with what follows', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    const whole = Buffer.from(mbox(...series('a', 'first series', 1), { id: 'late@x', subject: 'Re: [PATCH 1/1] first series', inReplyTo: 'a-1@example.org', body: 'Reviewed-by: Late Reviewer <late@x.org>\n\nand a long paragraph\n' }));
    // Cut in the middle of the last message's body, as a delivery under way leaves it.
    const cut = whole.indexOf('and a long');
    writeFileSync(file, whole.subarray(0, cut));
    const first = await sameAsFullRead(idx, [file]);
    assert.equal(first.new, 3);
    appendFileSync(file, whole.subarray(cut));
    appendFileSync(file, mbox(...series('b', 'second series', 1)));
    const after_ = await sameAsFullRead(idx, [file]);
    assert.equal(after_.new, 3, 'the cut message again, whole, and the two new ones');
    assert.equal(after_.messages, 5);
  });

  test('a public-inbox repository: new commits only, a new epoch, a rewritten epoch indexed again', async () => {
    const idx = fresh('idx');
    const inbox = fresh('linux-arch');
    const epoch0 = path.join(inbox, 'git', '0.git');
    mkdirSync(path.dirname(epoch0), { recursive: true });
    addCommits(epoch0, series('a', 'first series', 2).map(message));
    assert.equal((await sameAsFullRead(idx, [inbox])).new, 3);
    addCommits(epoch0, [message({ id: 'r@x', subject: 'Re: [PATCH 2/2] first series', inReplyTo: 'a-2@example.org', body: 'Acked-by: A <a@x.org>\n' })]);
    assert.equal((await sameAsFullRead(idx, [inbox])).new, 1, 'one new commit, one message read');
    // A new epoch, as public-inbox starts one when an epoch grows large.
    addCommits(path.join(inbox, 'git', '1.git'), series('b', 'second series', 2).map(message));
    const withEpoch = await sameAsFullRead(idx, [inbox]);
    assert.equal(withEpoch.new, 3);
    assert.equal(withEpoch.messages, 7);
    // Epoch 0 rewritten: its history no longer has the commit indexed last.
    rmSync(epoch0, { recursive: true });
    addCommits(epoch0, series('c', 'third series', 1).map(message));
    const rewritten = await sameAsFullRead(idx, [inbox]);
    assert.match(rewritten.notes.join('\n'), /no longer has the commit indexed last/);
    assert.equal(rewritten.new, 2);
    assert.equal(rewritten.messages, 5);
  });

  test('new commits walked through a git process kept open: the same index, a rewritten epoch still found, a merge asked of git', async () => {
    const idx = fresh('idx');
    const inbox = fresh('linux-mm');
    const epoch = path.join(inbox, 'git', '0.git');
    mkdirSync(path.dirname(epoch), { recursive: true });
    const pool = new CatFiles();
    try {
      const opts = { git: pool };
      addCommits(epoch, series('a', 'first series', 2).map(message));
      assert.equal((await sameAsFullRead(idx, [inbox], opts)).new, 3);
      assert.equal(pool.of(epoch).asked, 0, 'a first read asks git for the whole history, not the kept process');
      addCommits(epoch, [
        message({ id: 'r1@x', subject: 'Re: [PATCH 2/2] first series', inReplyTo: 'a-2@example.org', body: 'Acked-by: A <a@x.org>\n' }),
        message({ id: 'r2@x', subject: 'Re: [PATCH 1/2] first series', inReplyTo: 'a-1@example.org', body: 'Reviewed-by: B <b@x.org>\n' }),
      ]);
      assert.equal((await sameAsFullRead(idx, [inbox], opts)).new, 2);
      assert.ok(pool.of(epoch).asked >= 4, 'the new commits and their messages were asked of the kept process');
      // Purged in place: the walk meets a root before the commit indexed, and git is asked as before.
      const blob = git(epoch, ['hash-object', '-w', '--stdin'], message(series('b', 'kept series', 1)[0]!));
      const tree = git(epoch, ['mktree'], `100644 blob ${blob}\tm\n`);
      const purged = git(epoch, ['commit-tree', tree, '-m', 'purged']);
      git(epoch, ['update-ref', 'refs/heads/master', purged]);
      const r = await sameAsFullRead(idx, [inbox], opts);
      assert.match(r.notes.join('\n'), /rewritten/);
      assert.equal(r.messages, 1);
      // A merge on the way: git's own walk reads what the walk could not.
      const side = git(epoch, ['commit-tree', tree, '-p', purged, '-m', 'side']);
      const mergeBlob = git(epoch, ['hash-object', '-w', '--stdin'], message({ id: 'm@x', subject: 'Re: [PATCH] kept series', inReplyTo: 'b-0@example.org', body: 'ok\n' }));
      const mergeTree = git(epoch, ['mktree'], `100644 blob ${mergeBlob}\tm\n`);
      git(epoch, ['update-ref', 'refs/heads/master', git(epoch, ['commit-tree', mergeTree, '-p', purged, '-p', side, '-m', 'merge'])]);
      const merged = await sameAsFullRead(idx, [inbox], opts);
      assert.equal(merged.new, 2);
      assert.equal(merged.messages, 3);
    } finally {
      pool.close();
    }
  });

  test('the table of addresses read last is taken again only from the file it was read from, as it was left', async () => {
    const idx = fresh('idx');
    const list = fresh('addr') + '.mbox';
    const to = (id: string, addrs: string[]) => ({ id, subject: `note ${id}`, headers: [`To: ${addrs.join(', ')}`], body: 'x\n' });
    writeFileSync(list, mbox(to('a1@x', ['one@x.org', 'two@x.org'])));
    const first = await loadSource(idx, list);
    assert.deepEqual(first.addresses.slice(1), ['one@x.org', 'two@x.org']);
    // New mail naming an address known and a new one: numbered after the table taken from the last read.
    appendFileSync(list, mbox(to('a2@x', ['two@x.org', 'three@x.org'])));
    const second = await loadSource(idx, list, {}, { read: first.read, mark: first.mark, addresses: first.addresses });
    assert.deepEqual(second.addresses.slice(1), ['one@x.org', 'two@x.org', 'three@x.org']);
    const { store } = await IndexStore.open(indexFileFor(idx, list));
    try {
      assert.deepEqual(store.addressTable(), second.addresses, 'the table written is the one read afresh');
      // The same generation and the same last number: taken (the same array); else read from the file.
      const kept = [...second.addresses];
      store.knowAddresses(second.mark.generation, kept);
      assert.notEqual(store.addressTable(), kept, 'a table read already is not replaced');
    } finally {
      store.close();
    }
    const check = async (generation: string, table: string[], taken: boolean) => {
      const { store: s } = await IndexStore.open(indexFileFor(idx, list));
      try {
        s.knowAddresses(generation, table);
        assert.equal(s.addressTable() === table, taken, `${generation} ${table.length}`);
        assert.deepEqual(s.addressTable().slice(1), second.addresses.slice(1));
      } finally {
        s.close();
      }
    };
    await check(second.mark.generation, [...second.addresses], true);
    await check('another-generation', [...second.addresses], false);
    await check(second.mark.generation, second.addresses.slice(0, -1), false);
    // The file built again (another generation): the read before is not this file's, and its table is not taken.
    rmSync(indexFileFor(idx, list));
    writeFileSync(list, mbox(to('b1@x', ['four@x.org'])));
    const rebuilt = await loadSource(idx, list, {}, { read: second.read, mark: second.mark, addresses: second.addresses });
    assert.deepEqual(rebuilt.addresses.slice(1), ['four@x.org']);
  });

  test('an epoch rewritten in place (its old commits still in the repository) is indexed again', async () => {
    const idx = fresh('idx');
    const epoch = path.join(fresh('inbox'), 'git', '0.git');
    mkdirSync(path.dirname(epoch), { recursive: true });
    addCommits(epoch, series('a', 'first series', 2).map(message));
    assert.equal((await sameAsFullRead(idx, [path.dirname(path.dirname(epoch))])).messages, 3);
    // A purge: the branch now points at a new history; the old commits stay until gc.
    const blob = git(epoch, ['hash-object', '-w', '--stdin'], message(series('b', 'kept series', 1)[0]!));
    const tree = git(epoch, ['mktree'], `100644 blob ${blob}\tm\n`);
    git(epoch, ['update-ref', 'refs/heads/master', git(epoch, ['commit-tree', tree, '-m', 'purged'])]);
    const r = await sameAsFullRead(idx, [path.dirname(path.dirname(epoch))]);
    assert.match(r.notes.join('\n'), /rewritten/);
    assert.equal(r.messages, 1);
  });

  test('a folder: an unreadable entry is one error however often it is indexed; a changed file keeps its place', async () => {
    const idx = fresh('idx');
    const folder = fresh('folder');
    mkdirSync(path.join(folder, 'bad.patch'), { recursive: true });
    const same = { id: 'x@y', subject: 'a message in two files', date: 'Mon, 1 Jan 2024 09:00:00 +0000', body: 'text\n' };
    writeFileSync(path.join(folder, 'a.mbox'), mbox(same));
    writeFileSync(path.join(folder, 'b.mbox'), mbox({ ...same, body: 'other text\n' }));
    for (let i = 0; i < 3; i++) {
      const r = await sameAsFullRead(idx, [folder]);
      assert.equal(r.messages, 3, `run ${i + 1}: two messages and one error`);
    }
    // a.mbox grows: its rows are written again, after b's, but a full read still meets a first.
    appendFileSync(path.join(folder, 'a.mbox'), mbox({ id: 'z@y', subject: 'more', body: 'x\n' }));
    utimesSync(path.join(folder, 'a.mbox'), new Date(), new Date(Date.now() + 5000));
    const { open } = await indexSources(idx, [folder]);
    try {
      const loaded = loadIndex(open).index;
      assert.match(loaded.byId.get('x@y')!.origin, /^a\.mbox/, 'the copy that counts is a.mbox\'s, as in a full read');
    } finally {
      open.close();
    }
  });

  test('multipart mail keeps its text in the index; read after the index closed, and refused once the file was rebuilt', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    const multipart = {
      id: 'mime@x',
      subject: 'a multipart message',
      headers: ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      body: '--b1\nContent-Type: text/plain; charset=utf-8\n\nthe text part\n--b1--\n',
    };
    writeFileSync(file, mbox(multipart));
    const { open } = await indexSources(idx, [file]);
    const loaded = loadIndex(open);
    open.close();
    const m = loaded.index.byId.get('mime@x')!;
    assert.equal(m.mime, true);
    assert.match(m.body, /the text part/, 'read from the kept text, the index opened again for it');
    // Rebuilt under it (another generation): the old messages no longer read from it.
    rmSync(indexFileFor(idx, file));
    (await indexSources(idx, [file])).open.close();
    // (Still open from the read above, it would answer from what it held, which is right; once closed, it must not reopen another index.)
    open.stores[0]!.close();
    assert.doesNotMatch(m.body, /the text part/);
  });

  test('a folder of patches: changed and new files are read, removed ones forgotten', async () => {
    const idx = fresh('idx');
    const folder = fresh('patches');
    mkdirSync(folder);
    const fp = (k: number, title: string) => `From 1234567890abcdef1234567890abcdef1234567${k} Mon Sep 17 00:00:00 2001\n${message({ subject: `[PATCH ${k}/2] ${title}`, body: patchBody(`mm/f${k}.c`) })}`;
    writeFileSync(path.join(folder, '0001-a.patch'), fp(1, 'x'));
    writeFileSync(path.join(folder, '0002-b.patch'), fp(2, 'x'));
    assert.equal((await sameAsFullRead(idx, [folder])).new, 2);
    writeFileSync(path.join(folder, '0002-b.patch'), fp(2, 'x changed'));
    utimesSync(path.join(folder, '0002-b.patch'), new Date(), new Date(Date.now() + 5000));
    assert.equal((await sameAsFullRead(idx, [folder])).new, 1, 'only the changed file');
    rmSync(path.join(folder, '0001-a.patch'));
    const removed = await sameAsFullRead(idx, [folder]);
    assert.equal(removed.new, 0);
    assert.equal(removed.messages, 1);
    assert.match(removed.notes.join('\n'), /0001-a\.patch is gone/);
  });

  test('a crash while the index is written leaves the old index whole', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...series('a', 'first series', 3)));
    await sameAsFullRead(idx, [file]);
    const indexFile = indexFileFor(idx, file);
    const before = readFileSync(indexFile);
    appendFileSync(file, mbox(...series('b', 'second series', 2)));
    // A writer killed halfway through writing the new index.
    const script = `require('./src/node/index/indexer').indexSources(${JSON.stringify(idx)}, [${JSON.stringify(file)}])`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '..', '..', '..'), env: { ...process.env, EXECMEM_LENS_TEST_CRASH_INDEX_WRITE: 'half' }, encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', `the writer was killed mid-write (${r.stderr})`);
    assert.ok(existsSync(`${indexFile}-journal`), 'it left a hot journal');
    assert.notDeepEqual(readFileSync(indexFile), before, 'it had begun writing the index file itself');
    // The next reader plays the journal back: the old index, byte for byte.
    const { store } = await IndexStore.open(indexFile);
    assert.equal(store.count(), 4);
    store.close();
    assert.deepEqual(readFileSync(indexFile), before, 'the index file is the old one, byte for byte');
    assert.ok(!existsSync(`${indexFile}-journal`), 'the journal is gone');
    assert.ok(!existsSync(`${indexFile}.lock`), "the dead writer's lock was taken over and let go");
    // The appended mail is read now.
    const after_ = await sameAsFullRead(idx, [file]);
    assert.equal(after_.new, 4, 'the three appended, and the last one before them again');
    assert.equal(after_.notes.length, 0);
  });

  test('a read extended with what was added gives what a whole read gives, and only when it can', async () => {
    const idx = fresh('idx');
    const inbox = fresh('inbox');
    const e0 = path.join(inbox, 'git', '0.git');
    const e1 = path.join(inbox, 'git', '1.git');
    addCommits(e0, series('a', 'first series', 2).map(message));
    addCommits(e1, series('b', 'second series', 2).map(message));
    const whole = async (p = inbox) => {
      const { store } = await IndexStore.open(indexFileFor(idx, p));
      try {
        return readIndex(store, path.resolve(p)).read;
      } finally {
        store.close();
      }
    };
    const same = (a: { messages: { msgid: string; origin: string }[]; duplicates: { msgid: string; origin: string }[]; errors: unknown[]; seen: number }, b: typeof a) => {
      assert.deepEqual(
        a.messages.map((m) => [m.msgid, m.origin]),
        b.messages.map((m) => [m.msgid, m.origin]),
      );
      assert.deepEqual(
        a.duplicates.map((d) => [d.msgid, d.origin]),
        b.duplicates.map((d) => [d.msgid, d.origin]),
      );
      assert.equal(a.errors.length, b.errors.length);
      assert.equal(a.seen, b.seen);
    };
    const first = await loadSource(idx, inbox);
    assert.equal(first.extended, false);
    // New mail in the last epoch, one of them a copy of a message read before: extended.
    addCommits(e1, [...series('c', 'third series', 1), series('a', 'first series', 2)[0]!].map(message));
    const next = await loadSource(idx, inbox, {}, first);
    assert.equal(next.extended, true);
    assert.equal(next.fresh, 3);
    same(next.read, await whole());
    assert.equal(next.read.duplicates.length, 1, 'the copy is a duplicate of the message read before');
    // New mail in an earlier epoch: a whole read meets it before the later epoch's, so the read is not extended.
    addCommits(e0, series('d', 'fourth series', 1).map(message));
    const again = await loadSource(idx, inbox, {}, next);
    assert.equal(again.extended, false);
    same(again.read, await whole());
    // An mbox that grew: its last message is read again, and came out as it was: extended.
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...series('e', 'fifth series', 2)));
    const m1 = await loadSource(idx, file);
    appendFileSync(file, mbox(...series('f', 'sixth series', 1)));
    const m2 = await loadSource(idx, file, {}, m1);
    assert.equal(m2.extended, true);
    assert.equal(m2.read.seen, 5);
    same(m2.read, await whole(file));
    // Its last message was cut short when it was read (a delivery under way): read again it differs, so the read is whole.
    const cut = `${fresh('cut')}.mbox`;
    const text = mbox(...series('g', 'seventh series', 2));
    const half = text.length - 40;
    writeFileSync(cut, text.subarray(0, half));
    const c1 = await loadSource(idx, cut);
    appendFileSync(cut, Buffer.concat([text.subarray(half), mbox(...series('h', 'eighth series', 1))]));
    const c2 = await loadSource(idx, cut, {}, c1);
    assert.equal(c2.extended, false);
    same(c2.read, await whole(cut));
    assert.equal(c2.read.seen, 5);
  });

  test('a full disk while new mail is written: an error naming the index and the reason, and the index as it was', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...series('a', 'first series', 2)));
    await sameAsFullRead(idx, [file]);
    const indexFile = indexFileFor(idx, file);
    const before = readFileSync(indexFile);
    appendFileSync(file, mbox(...series('b', 'second series', 2)));
    process.env.EXECMEM_LENS_TEST_CRASH_INDEX_WRITE = 'enospc';
    try {
      await assert.rejects(indexSources(idx, [file]), (e: Error) => {
        assert.ok(e.message.startsWith(indexFile), e.message);
        assert.match(e.message, /could not be written \(ENOSPC: no space left on device/);
        assert.match(e.message, /left as it was before this update/);
        return true;
      });
    } finally {
      delete process.env.EXECMEM_LENS_TEST_CRASH_INDEX_WRITE;
    }
    // Whatever was half done is undone: the next reader finds the old index, then reads the new mail.
    const { store } = await IndexStore.open(indexFile);
    assert.equal(store.count(), 3);
    store.close();
    assert.deepEqual(readFileSync(indexFile), before, 'the index file is the old one, byte for byte');
    const after_ = await sameAsFullRead(idx, [file]);
    assert.equal(after_.messages, 6);
    assert.ok(!existsSync(`${indexFile}.lock`), 'no lock is left');
  });

  test('two processes updating one index at once: one waits for the other, and the index is whole', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...Array.from({ length: 30 }, (_, i) => series(`s${i}`, `series number ${i}`, 3)).flat()));
    const script = `require('./src/node/index/indexer').indexSources(${JSON.stringify(idx)}, [${JSON.stringify(file)}]).then(({ run, open }) => { open.close(); console.log(JSON.stringify(run)); })`;
    const cwd = path.resolve(__dirname, '..', '..', '..');
    const { spawn } = await import('node:child_process');
    const one = () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd });
        let out = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('close', (code) => resolve({ code, out, err }));
      });
    const [a, b] = await Promise.all([one(), one()]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const runs = [a, b].map((r) => JSON.parse(r.out) as { messages: number; new: number });
    assert.deepEqual(
      runs.map((r) => r.messages),
      [120, 120],
    );
    // One of them indexed the mail; the other, once it had the index, found nothing new.
    assert.deepEqual(runs.map((r) => r.new).sort((x, y) => x - y), [0, 120]);
    const again = await sameAsFullRead(idx, [file]);
    assert.equal(again.new, 0);
    assert.equal(again.messages, 120);
    assert.ok(!existsSync(`${indexFileFor(idx, file)}.lock`), 'no lock is left');
  });

  test('a damaged or old index file is rebuilt, with a note saying why, and the old file kept aside', async () => {
    const idx = fresh('idx');
    const file = `${fresh('mail')}.mbox`;
    writeFileSync(file, mbox(...series('a', 'first series', 2)));
    await sameAsFullRead(idx, [file]);
    const indexFile = indexFileFor(idx, file);
    // Damaged: its pages overwritten past the header.
    const bytes = readFileSync(indexFile);
    bytes.fill(0x55, 100, bytes.length);
    writeFileSync(indexFile, bytes);
    const damaged = await sameAsFullRead(idx, [file]);
    assert.equal(damaged.new, 3);
    assert.match(damaged.notes.join('\n'), /damaged.*built again.*\.broken/);
    assert.ok(existsSync(`${indexFile}.broken`));
    // Not a database at all.
    writeFileSync(indexFile, 'hello');
    assert.match((await sameAsFullRead(idx, [file])).notes.join('\n'), /not a SQLite database/);
    // Written by another schema version.
    const { store } = await IndexStore.open(indexFile);
    store.close();
    const old = readFileSync(indexFile);
    // PRAGMA user_version lives at byte 60 of the header (https://www.sqlite.org/fileformat.html).
    old.writeUInt32BE(SCHEMA_VERSION + 7, 60);
    writeFileSync(indexFile, old);
    const other = await sameAsFullRead(idx, [file]);
    assert.match(other.notes.join('\n'), new RegExp(`another version of Execmem Lens \\(index schema ${SCHEMA_VERSION + 7}, this one reads ${SCHEMA_VERSION}\\)`));
    assert.equal(other.new, 3);
  });

  test('two lists with the same message: one message, "also on" the other list', async () => {
    const idx = fresh('idx');
    const mm = path.join(fresh('lists'), 'linux-mm.mbox');
    const arch = path.join(path.dirname(mm), 'linux-arch.mbox');
    mkdirSync(path.dirname(mm), { recursive: true });
    // Dates fixed: message() would give each copy a new one.
    const mail = series('a', 'shared series', 2).map((m, i) => ({ ...m, date: `Mon, 1 Jan 2024 10:0${i}:00 +0000` }));
    writeFileSync(mm, mbox(...mail));
    writeFileSync(arch, mbox(...mail));
    const { open } = await indexSources(idx, [mm, arch]);
    try {
      const loaded = loadIndex(open).index;
      const cover = loaded.byId.get('a-0@example.org')!;
      assert.equal(cover.list, 'linux-mm');
      assert.deepEqual(cover.alsoOn, ['linux-arch']);
      assert.equal(loaded.duplicates.length, 3, 'the copies are still counted, as duplicates');
      assert.ok(loaded.duplicates.every((d) => d.identical));
    } finally {
      open.close();
    }
  });

  test('a folder of lists in the grokmirror/lei layout is each of its lists; a message on two is one, "also on" the other', async () => {
    const idx = fresh('idx');
    const mirrors = fresh('mirrors');
    const mail = series('a', 'shared series', 2).map((m, i) => ({ ...m, date: `Mon, 1 Jan 2024 11:0${i}:00 +0000` }));
    addCommits(path.join(mirrors, 'linux-mm', 'git', '0.git'), mail.map(message));
    addCommits(path.join(mirrors, 'linux-arch', 'git', '0.git'), [...mail, ...series('b', 'arch only', 1)].map(message));
    const lists = await expandSources([mirrors]);
    assert.deepEqual(lists.map((l) => path.basename(l)), ['linux-arch', 'linux-mm']);
    const { open } = await indexSources(idx, lists);
    try {
      const loaded = loadIndex(open).index;
      assert.equal(loaded.series.length, 2);
      const cover = loaded.byId.get('a-0@example.org')!;
      assert.equal(cover.list, 'linux-arch');
      assert.deepEqual(cover.alsoOn, ['linux-mm']);
      assert.equal(accountFor(loaded).unaccounted, 0);
    } finally {
      open.close();
    }
    // A folder with mail of its own, or a public-inbox itself, is not expanded.
    assert.deepEqual(await expandSources([path.join(mirrors, 'linux-mm')]), [path.join(mirrors, 'linux-mm')]);
  });

  test('the corpus threads: the same series from the index, bodies read again on demand', { skip: corpusMissing }, async () => {
    const idx = fresh('idx');
    const files = readdirSync(THREADS_DIR).filter((f) => f.endsWith('.mbox')).map((f) => path.join(THREADS_DIR, f));
    const first = await sameAsFullRead(idx, files);
    assert.equal(first.new, first.messages);
    const again = await sameAsFullRead(idx, files);
    assert.equal(again.new, 0);
    const { open } = await indexSources(idx, files);
    const full = await readSources(files);
    const byId = new Map(full.messages.map((m) => [m.msgid, m]));
    try {
      const loaded = loadIndex(open).index;
      for (const v of loaded.series.slice(0, 3)) {
        for (const p of v.patches.slice(0, 2)) {
          assert.equal(p.message.body, byId.get(p.message.msgid)!.body, 'the body read again is the one read first');
        }
      }
    } finally {
      open.close();
    }
  });
});

// The index folder is a cache: copying an index file does not make it another source's.
test('an index file copied to another source is not taken for it', async () => {
  const idx = fresh('idx');
  const a = `${fresh('a')}.mbox`;
  const b = `${fresh('b')}.mbox`;
  writeFileSync(a, mbox(...series('a', 'series a', 1)));
  writeFileSync(b, mbox(...series('b', 'series b', 2)));
  await sameAsFullRead(idx, [a]);
  mkdirSync(idx, { recursive: true });
  copyFileSync(indexFileFor(idx, a), indexFileFor(idx, b));
  const r = await sameAsFullRead(idx, [b]);
  assert.equal(r.messages, 3);
});
