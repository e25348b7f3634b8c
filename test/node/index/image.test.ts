/**
 * The model image: what is written and read back slice by slice is the
 * model grouping made (every family, version, patch, reply and trailer,
 * every message with its parent, each source's other mail, duplicates and
 * unreadable messages), on the corpus threads; a file's history reads only
 * the families that touched it; an image under another key, cut short or
 * damaged is not taken; new replies are put into the builder's model and
 * give the image a build from scratch gives.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { SeriesFamily, SeriesIndex, SourcedMessage } from '../../../src/core/series/model';
import { answersOf } from '../../../src/core/series/thread';
import { imageFileFor, imageKey, lazyIndex, ModelImage, writeImage } from '../../../src/node/index/image';
import { ModelBuilder } from '../../../src/node/index/model';
import { IndexWorker } from '../../../src/node/index/remote';
import { hitOf, searchEntries } from '../../../src/core/search/docs';
import { SearchPlan } from '../../../src/core/search/plan';
import { parseQuery, type Query } from '../../../src/core/search/query';
import { matchEntries } from '../../../src/node/search/match';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';
import { mbox, patchBody } from '../../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-image-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const noText = () => ({ text: () => ({ body: '', attachedPatches: [] }) });

/** What a test compares of a family: everything grouping decided, messages by their headers and facts. */
function familyView(f: SeriesFamily) {
  const m = (x: SourcedMessage | null) => x && { msgid: x.msgid, subject: x.subject, from: x.from, date: x.date, origin: x.origin, time: x.time, loc: x.loc, facts: x.facts, list: x.list, alsoOn: x.alsoOn, inReplyTo: x.inReplyTo, references: x.references };
  return {
    id: f.id,
    title: f.title,
    versions: f.versions.map((v) => ({
      ...v,
      cover: m(v.cover),
      coverReplies: v.coverReplies.map(m),
      patches: [...v.patches, ...v.extras].map((p) => ({ index: p.index, message: m(p.message), trailers: p.trailers, findings: p.findings, replies: p.replies.map(m), files: p.files.map((x) => ({ ...x })), stat: p.stat, subject: p.subject })),
      extras: v.extras.length,
    })),
  };
}

function sameModel(img: ModelImage, model: SeriesIndex): void {
  assert.equal(img.header.messageCount, model.messageCount);
  assert.equal(img.header.replyCount, model.replyCount);
  assert.deepEqual(
    img.header.families.map(([id]) => id),
    model.families.map((f) => f.id),
  );
  for (const f of model.families) assert.deepEqual(familyView(img.family(f.id)!), familyView(f), f.id);
  assert.deepEqual(
    img.versionStubs().map((v) => v.id),
    model.series.map((v) => v.id),
  );
  for (const [id, msg] of model.byId) {
    const got = img.message(id);
    assert.ok(got, id);
    assert.equal(got.subject, msg.subject);
    assert.equal(got.time, msg.time);
    assert.equal(img.parentOf(id), model.parentOf.get(id), `parent of ${id}`);
  }
  const sources = [...new Set(model.others.map((m) => m.sourceId))];
  for (const s of sources) {
    assert.deepEqual(
      img.others(s).map((m) => m.msgid).sort(),
      model.others.filter((m) => m.sourceId === s).map((m) => m.msgid).sort(),
    );
  }
  const lazy = lazyIndex(img, () => undefined);
  assert.deepEqual(
    lazy.duplicates.map((d) => [d.msgid, d.origin, d.identical, d.message.subject]),
    model.duplicates.map((d) => [d.msgid, d.origin, d.identical, d.message.subject]),
  );
  assert.deepEqual(lazy.errors, model.errors);
}

describe('model image', { skip: corpusMissing }, () => {
  test('the corpus threads, built on an index: every family, message, parent and other mail read back as grouped', async () => {
    const idx = path.join(dir, 'idx');
    const builder = new ModelBuilder();
    const file = imageFileFor(idx, [THREADS_DIR]);
    const report = await builder.build(idx, [THREADS_DIR], 'inputs-1', file);
    assert.equal(report.grouped, 'whole');
    assert.equal(report.failed.length, 0);
    assert.ok(report.counts.versions >= 22, `versions: ${report.counts.versions}`);
    const img = ModelImage.open(file, imageKey('inputs-1'), noText);
    assert.ok(img, 'the image opens under its key');
    try {
      sameModel(img, builder.model!);
      // A thread, from the header and the slices it touches: as answersOf finds it in the whole model.
      const model = builder.model!;
      const v1 = model.series.find((v) => v.title === 'mm: jit/text allocator' && v.version === 1)!;
      const thread = img.thread(v1.cover!.msgid);
      const whole = answersOf(model.parentOf, model.byId);
      const reach = (id: string): string[] => [id, ...(whole.get(id) ?? []).flatMap((m) => reach(m.msgid))];
      assert.deepEqual(thread.messages.map((m) => m.msgid).sort(), reach(v1.cover!.msgid).sort());
      // A file's history reads the families whose patches touched it, and no other.
      const before = img.slicesRead;
      const touching = img.familiesTouching((p) => p === 'arch/arm64/kernel/module.c');
      assert.ok(touching.some((f) => f.title === 'mm: jit/text allocator' || f.versions.some((v) => v.title === 'mm: jit/text allocator')), touching.map((f) => f.title).join('; '));
      assert.ok(img.slicesRead - before <= touching.length + 1, 'only those families and the table of paths were read');
      const expected = model.families.filter((f) => f.versions.some((v) => [...v.patches, ...v.extras].some((p) => p.message.facts!.files.some((x) => x.path === 'arch/arm64/kernel/module.c' || x.oldPath === 'arch/arm64/kernel/module.c'))));
      assert.deepEqual(touching.map((f) => f.id).sort(), expected.map((f) => f.id).sort());
      // The same objects while they are held.
      assert.equal(img.family(v1.family), img.family(v1.family));
    } finally {
      img.close();
    }
    // Under another key, cut short, or not an image at all: not taken.
    assert.equal(ModelImage.open(file, imageKey('inputs-2'), noText), undefined);
    const cut = path.join(dir, 'cut.bin');
    copyFileSync(file, cut);
    truncateSync(cut, statSync(cut).size - 10);
    assert.equal(ModelImage.open(cut, imageKey('inputs-1'), noText), undefined);
    writeFileSync(cut, 'From nobody\n');
    assert.equal(ModelImage.open(cut, imageKey('inputs-1'), noText), undefined);
  });

  test('new replies at the end of an mbox are put into the kept model, and the image is what a build from scratch writes', async () => {
    const list = path.join(dir, 'list.mbox');
    const names = readdirSync(THREADS_DIR).filter((n) => n.startsWith('PATCH-00-13-'));
    copyFileSync(path.join(THREADS_DIR, names[0]!), list);
    appendFileSync(list, mbox({ id: 'other-1@x', subject: 'a question about vmalloc', body: 'Why?\n' }));
    const idx = path.join(dir, 'idx-append');
    const file = path.join(dir, 'append.bin');
    const kept = new ModelBuilder();
    assert.equal((await kept.build(idx, [list], 'a', file)).grouped, 'whole');
    const cover = kept.model!.series[0]!.cover!;
    appendFileSync(
      list,
      mbox(
        { id: 'new-reply-1@x', subject: `Re: ${cover.subject}`, inReplyTo: cover.msgid, body: 'Looks good.\n\nReviewed-by: Some One <some@x>\n' },
        { id: 'new-other-2@x', subject: 'Re: a question about vmalloc', inReplyTo: 'other-1@x', body: 'Because.\n' },
      ),
    );
    const again = await kept.build(idx, [list], 'b', file);
    assert.equal(again.grouped, 'extended', 'the replies were put into the model kept');
    const fresh = new ModelBuilder();
    const file2 = path.join(dir, 'append-fresh.bin');
    assert.equal((await fresh.build(idx, [list], 'b', file2)).grouped, 'whole');
    const a = ModelImage.open(file, imageKey('b'), noText)!;
    const b = ModelImage.open(file2, imageKey('b'), noText)!;
    try {
      sameModel(a, fresh.model!);
      sameModel(b, fresh.model!);
      assert.deepEqual(a.header.states, b.header.states);
      assert.deepEqual(a.header.summary, b.header.summary);
      assert.equal(a.message('new-reply-1@x')?.subject, `Re: ${cover.subject}`);
      assert.equal(a.parentOf('new-other-2@x'), 'other-1@x');
    } finally {
      a.close();
      b.close();
    }
    // Again, on the image that append made (its directory the start of the next): a reply to a patch,
    // a reply to the new reply, a new thread of other mail.
    const patch = kept.model!.series[0]!.patches[3]!.message;
    appendFileSync(
      list,
      mbox(
        { id: 'new-reply-3@x', subject: `Re: ${patch.subject}`, inReplyTo: patch.msgid, body: 'A nit.\n' },
        { id: 'new-reply-4@x', subject: `Re: ${cover.subject}`, inReplyTo: 'new-reply-1@x', body: 'Thanks.\n' },
        { id: 'new-other-5@x', subject: 'an unrelated question', body: 'Hm?\n' },
      ),
    );
    const third = await kept.build(idx, [list], 'c', file);
    assert.equal(third.grouped, 'extended');
    assert.ok(third.image.written < third.image.bytes / 2, `only what changed was written (${third.image.written} of ${third.image.bytes} bytes)`);
    const fresh3 = new ModelBuilder();
    await fresh3.build(idx, [list], 'c', file2);
    const c = ModelImage.open(file, imageKey('c'), noText)!;
    try {
      sameModel(c, fresh3.model!);
      assert.equal(c.parentOf('new-reply-4@x'), 'new-reply-1@x');
      assert.equal(c.familyHolding('new-reply-3@x')?.id, kept.model!.series[0]!.family);
      assert.equal(c.familyHolding('new-other-5@x'), undefined);
    } finally {
      c.close();
    }
  });

  test('a source changed other than at its end is grouped again and written whole: nothing kept from the last image', async () => {
    const list = path.join(dir, 'rewritten.mbox');
    const first = { id: 'rw-0@x', subject: '[PATCH 0/1] mm: first subject', body: 'Cover.\n' };
    const patch = { id: 'rw-1@x', subject: '[PATCH 1/1] mm: first subject', inReplyTo: 'rw-0@x', body: patchBody('mm/a.c') };
    const other = { id: 'rw-o@x', subject: 'unrelated', body: 'Hello.\n' };
    writeFileSync(list, mbox(first, patch, other));
    const idx = path.join(dir, 'idx-rewritten');
    const file = path.join(dir, 'rewritten.bin');
    const kept = new ModelBuilder();
    await kept.build(idx, [list], 'r1', file);
    // The same counts everywhere, but the cover's subject and every message's place in the file changed.
    writeFileSync(list, mbox({ ...first, subject: '[PATCH 0/1] mm: second subject, longer' }, patch, other));
    const again = await kept.build(idx, [list], 'r2', file);
    assert.equal(again.grouped, 'whole');
    assert.equal(again.image.written, again.image.bytes - 20, 'written whole');
    const fresh = new ModelBuilder();
    await fresh.build(path.join(dir, 'idx-rewritten-2'), [list], 'r2', path.join(dir, 'rewritten-2.bin'));
    const img = ModelImage.open(file, imageKey('r2'), noText)!;
    try {
      sameModel(img, fresh.model!);
      assert.match(img.message('rw-0@x')!.subject, /second subject/);
    } finally {
      img.close();
    }
  });

  test('an image another writer replaced since is not added to: it is written whole', async () => {
    const list = path.join(dir, 'two-writers.mbox');
    const names = readdirSync(THREADS_DIR).filter((n) => n.startsWith('PATCH-00-13-'));
    copyFileSync(path.join(THREADS_DIR, names[0]!), list);
    const idx = path.join(dir, 'idx-two');
    const file = path.join(dir, 'two.bin');
    const a = new ModelBuilder();
    const b = new ModelBuilder();
    await a.build(idx, [list], 't1', file);
    // Another window's worker writes the same sources' image (a new file renamed over it).
    await b.build(idx, [list], 't1', file);
    const cover = a.model!.series[0]!.cover!;
    appendFileSync(list, mbox({ id: 'two-reply@x', subject: `Re: ${cover.subject}`, inReplyTo: cover.msgid, body: 'Fine.\n' }));
    const again = await a.build(idx, [list], 't2', file);
    assert.equal(again.grouped, 'extended');
    assert.equal(again.image.written, again.image.bytes - 20, 'written whole, not added to a file it did not write');
    const img = ModelImage.open(file, imageKey('t2'), noText)!;
    try {
      sameModel(img, a.model!);
    } finally {
      img.close();
    }
  });

  test('a model with a patch read in full (no index) is refused, and no image is left', () => {
    const file = path.join(dir, 'refused.bin');
    const msg = { msgid: 'p@x', subject: '[PATCH] x', from: { name: '', address: 'a@x' }, date: null, time: 0, inReplyTo: null, references: [], body: patchBody('mm/a.c'), attachedPatches: [], origin: 'x', sourceId: 's' } as unknown as SourcedMessage;
    const version = { id: 'p@x', family: 'f', patches: [{ index: 1, message: msg, trailers: [], replies: [], findings: [], files: [] }], extras: [], cover: null, coverReplies: [], coverTrailers: [], replyCount: 0 };
    const index = { messageCount: 1, replyCount: 0, series: [version], families: [{ id: 'f', title: 'x', versions: [version] }], others: [], duplicates: [], errors: [], byId: new Map([['p@x', msg]]), parentOf: new Map() } as unknown as SeriesIndex;
    assert.throws(() => writeImage(file, imageKey('x'), index, [], { version: 1, seriesVersions: 1, sources: [] }, new Map()), /indexed mail only/);
    assert.throws(() => statSync(file), /ENOENT/);
  });
});

describe('search on the index worker', { skip: corpusMissing }, () => {
  test('answers as the plan over the whole model does, bodies read there; a later build is searched anew', async () => {
    const idx = path.join(dir, 'idx-search');
    const file = imageFileFor(idx, [THREADS_DIR]);
    const w = new IndexWorker(2_000);
    try {
      const built = await w.model(idx, [THREADS_DIR], 'search-1', file);
      assert.equal(built.failed.length, 0);
      // The same model made on this thread, searched by the plan the extension used before.
      const here = new ModelBuilder();
      await here.build(path.join(dir, 'idx-search-here'), [THREADS_DIR], 'x', path.join(dir, 'search-here.bin'));
      const plan = new SearchPlan(searchEntries(here.model!));
      for (const q of ['s:execmem', 'f:rppt@kernel.org', 'dfn:mm/execmem.c s:ROX', 'dfhh:module_alloc', 'b:VM_FLUSH_RESET_PERMS', 'NOT s:execmem d:2024-01-01..']) {
        const parsed = parseQuery(q);
        assert.ok(parsed.ok, q);
        const expected = (await matchEntries(plan, parsed.value)).map(hitOf).sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || (a.msgid < b.msgid ? -1 : 1));
        const got = await w.search(idx, file, 'search-1', parsed.value, true);
        assert.equal(got.total, expected.length, q);
        assert.deepEqual(got.hits, expected.slice(0, 2000), q);
        assert.ok(got.total > 0 || q.startsWith('NOT'), `${q} finds something in the corpus`);
        const fast = await w.search(idx, file, 'search-1', parsed.value, false);
        assert.ok(fast.hits.every((h) => got.hits.some((g) => g.msgid === h.msgid)), `${q}: what headers decide is a part of the answer`);
        assert.equal(fast.hits.length + fast.undecided >= got.total, true, q);
      }
      // An image written again (another key) is searched as it is now, not as the worker last held it.
      await w.model(idx, [THREADS_DIR], 'search-2', file);
      const again = await w.search(idx, file, 'search-2', (parseQuery('s:execmem') as { ok: true; value: Query }).value, false);
      assert.ok(again.total > 0);
      await assert.rejects(w.search(idx, path.join(dir, 'none.bin'), 'search-2', (parseQuery('s:x') as { ok: true; value: Query }).value, false), /no model image/);
    } finally {
      await w.dispose();
    }
  });
});
