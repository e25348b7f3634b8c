import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SeriesVersion } from '../../../src/core/series/model';
import { versionStat } from '../../../src/core/series/group';
import { indexOf, type MailSpec, patchBody, seriesMail } from '../../support/mail';

const X86 = 'x86/module: use large ROX pages';
const only = (list: SeriesVersion[]) => {
  assert.equal(list.length, 1, `expected one series, got ${list.map((s) => `v${s.version} ${s.title}`).join('; ')}`);
  return list[0]!;
};

describe('series grouping', () => {
  test('a cover letter and its patches make one complete version', async () => {
    const idx = await indexOf(seriesMail({ prefix: 'PATCH v3', title: X86, total: 3, stem: 'v3' }));
    const s = only(idx.series);
    assert.equal(s.title, X86);
    assert.equal(s.version, 3);
    assert.equal(s.total, 3);
    assert.equal(s.cover?.msgid, 'v3-0@example.org');
    assert.deepEqual(s.patches.map((p) => p.index), [1, 2, 3]);
    assert.deepEqual(s.missing, []);
    assert.ok(s.complete && s.threaded && !s.superseded);
    assert.equal(s.patches[0]!.files[0]!.path, 'arch/x86/kernel/file1.c');
    assert.deepEqual(versionStat(s), { files: 3, additions: 3, deletions: 3 });
  });

  test('a series without a cover letter, patches threaded to the first', async () => {
    const s = only((await indexOf(seriesMail({ prefix: 'PATCH', title: 'no cover', total: 3, stem: 'nc', cover: false }))).series);
    assert.equal(s.cover, null);
    assert.equal(s.id, 'nc-1@example.org');
    assert.equal(s.title, 'part 1 of no cover');
    assert.deepEqual(s.patches.map((p) => p.index), [1, 2, 3]);
    assert.ok(s.threaded);
  });

  test('deep threading (each patch a reply to the one before) is one series', async () => {
    const s = only((await indexOf(seriesMail({ prefix: 'PATCH v2', title: 'deep', total: 4, stem: 'deep', threading: 'deep' }))).series);
    assert.deepEqual(s.patches.map((p) => p.index), [1, 2, 3, 4]);
    assert.ok(s.threaded);
  });

  test('out-of-order arrival changes nothing', async () => {
    const mail = seriesMail({ prefix: 'PATCH', title: 'shuffled', total: 4, stem: 'sh' });
    const s = only((await indexOf([mail[3]!, mail[0]!, mail[4]!, mail[2]!, mail[1]!])).series);
    assert.deepEqual(s.patches.map((p) => p.index), [1, 2, 3, 4]);
    assert.equal(s.cover?.msgid, 'sh-0@example.org');
  });

  test('an incomplete series lists the missing numbers', async () => {
    const s = only((await indexOf(seriesMail({ prefix: 'PATCH', title: 'holes', total: 5, stem: 'h', skip: [2, 5] }))).series);
    assert.deepEqual(s.missing, [2, 5]);
    assert.equal(s.complete, false);
  });

  test('a patch numbered beyond the total is kept as an extra', async () => {
    const mail = seriesMail({ prefix: 'PATCH', title: 'extra', total: 2, stem: 'ex' });
    mail.push({ id: 'ex-3@example.org', subject: '[PATCH 3/2] one more fix', inReplyTo: 'ex-0@example.org', body: patchBody('mm/execmem.c') });
    const s = only((await indexOf(mail)).series);
    assert.deepEqual(s.patches.map((p) => p.index), [1, 2]);
    assert.deepEqual(s.extras.map((p) => p.index), [3]);
  });

  test('an unnumbered [PATCH] is patch 1 of 1', async () => {
    const s = only((await indexOf([{ id: 'one@x', subject: '[PATCH] module: one fix', body: patchBody('kernel/module/main.c') }])).series);
    assert.equal(s.total, 1);
    assert.deepEqual(s.patches.map((p) => p.index), [1]);
    assert.equal(s.title, 'module: one fix');
  });

  test('a new version sent in reply to the old one joins its family', async () => {
    const v1 = seriesMail({ prefix: 'PATCH', title: 'mm: jit/text allocator', total: 2, stem: 'v1' });
    const v2 = seriesMail({ prefix: 'PATCH v2', title: 'mm: execmem allocator', total: 2, stem: 'v2', coverInReplyTo: 'v1-0@example.org' });
    const idx = await indexOf([...v1, ...v2]);
    assert.equal(idx.series.length, 2);
    assert.equal(idx.families.length, 1);
    assert.equal(idx.families[0]!.id, 'mm: jit/text allocator');
    assert.equal(idx.families[0]!.title, 'mm: execmem allocator');
    assert.deepEqual(idx.families[0]!.versions.map((v) => v.version), [1, 2]);
  });

  test('versions link by title (same author) and by change-id', async () => {
    const a = seriesMail({ prefix: 'PATCH', title: 'Same Title', total: 1, stem: 'a' });
    const b = seriesMail({ prefix: 'PATCH v2', title: 'same title', total: 1, stem: 'b' });
    const c = seriesMail({ prefix: 'PATCH v3', title: 'renamed entirely', total: 1, stem: 'c', coverBody: 'Cover.\n\n---\nchange-id: 20240101-execmem-1234\nbase-commit: 0123456789abcdef0123456789abcdef01234567\n' });
    const d = seriesMail({ prefix: 'PATCH v4', title: 'renamed again', total: 1, stem: 'd', coverBody: 'Cover.\n\nchange-id: 20240101-execmem-1234\n' });
    const other = seriesMail({ prefix: 'PATCH', title: 'same title', total: 1, stem: 'o', from: 'Someone Else <else@example.org>' });
    const idx = await indexOf([...a, ...b, ...c, ...d, ...other]);
    const fam = (stem: string) => idx.series.find((s) => s.id.startsWith(`${stem}-`))!.family;
    assert.equal(fam('a'), fam('b'));
    assert.equal(fam('c'), fam('d'));
    assert.notEqual(fam('a'), fam('o'), 'another author with the same title is another family');
    const c3 = idx.series.find((s) => s.id.startsWith('c-'))!;
    assert.equal(c3.changeId, '20240101-execmem-1234');
    assert.equal(c3.baseCommit, '0123456789abcdef0123456789abcdef01234567');
  });

  test('the same series sent twice: the complete, threaded copy wins, the other is superseded', async () => {
    // First sending broken up: the cover alone, then two unthreaded runs of patches.
    const broken = seriesMail({ prefix: 'PATCH v5', title: 'mm: jit/text allocator', total: 4, stem: 'b5', threading: 'none' });
    broken[2]!.inReplyTo = 'b5-1@example.org';
    broken[4]!.inReplyTo = 'b5-3@example.org';
    const whole = seriesMail({ prefix: 'PATCH v5', title: 'mm: jit/text allocator', total: 4, stem: 'w5' });
    const idx = await indexOf([...broken, ...whole]);
    assert.equal(idx.series.length, 2, 'the broken fragments are joined into one sending');
    const [first, second] = idx.series;
    assert.equal(first!.cover?.msgid, 'b5-0@example.org');
    assert.deepEqual(first!.patches.map((p) => p.index), [1, 2, 3, 4]);
    assert.equal(first!.threaded, false);
    assert.equal(first!.superseded, true);
    assert.equal(first!.supersededBy, second!.id);
    assert.equal(second!.superseded, false);
    assert.equal(idx.families.length, 1);
  });

  test('a revision sent again without a new version label gets the next version, inferred', async () => {
    const first = seriesMail({ prefix: 'PATCH', title: 'unlabeled', total: 2, stem: 'u1' });
    const again = seriesMail({ prefix: 'PATCH', title: 'unlabeled', total: 2, stem: 'u2', change: 'different' });
    const idx = await indexOf([...first, ...again]);
    assert.deepEqual(idx.series.map((s) => [s.version, s.versionInferred, s.superseded]), [
      [1, false, false],
      [2, true, false],
    ]);
    assert.equal(idx.families.length, 1);
  });

  test('a sending again whose diffs differ only in white space is a resend; any other change is a new version', async () => {
    const first = seriesMail({ prefix: 'PATCH', title: 'spaced', total: 2, stem: 's1' });
    const respaced = seriesMail({ prefix: 'PATCH', title: 'spaced', total: 2, stem: 's2' }).map((m) => ({ ...m, body: m.body?.replace(' context one', '\tcontext \t  one') }));
    const changed = seriesMail({ prefix: 'PATCH', title: 'spaced', total: 2, stem: 's3' }).map((m) => ({ ...m, body: m.body?.replace(' context one', ' context onE') }));
    assert.ok(respaced.some((m, i) => m.body !== first[i]!.body), 'the copy differs in white space');
    const idx = await indexOf([...first, ...respaced, ...changed]);
    assert.deepEqual(idx.series.map((s) => [s.id, s.version, s.versionInferred, s.resendOf]), [
      ['s1-0@example.org', 1, false, null],
      ['s2-0@example.org', 1, false, 's1-0@example.org'],
      ['s3-0@example.org', 2, true, null],
    ]);
  });

  test('one patch sent twice in a sending: the copy is a sending of its own, superseded by the whole one', async () => {
    const mail = seriesMail({ prefix: 'PATCH v7', title: X86, total: 3, stem: 'v7' });
    mail.push({ ...mail[2]!, id: 'v7-2-again@example.org' });
    const idx = await indexOf(mail);
    assert.equal(idx.series.length, 2);
    const [whole, copy] = idx.series;
    assert.deepEqual(whole!.patches.map((p) => p.message.msgid), ['v7-1@example.org', 'v7-2@example.org', 'v7-3@example.org']);
    assert.equal(whole!.superseded, false);
    assert.deepEqual(copy!.patches.map((p) => p.message.msgid), ['v7-2-again@example.org']);
    assert.equal(copy!.version, 7);
    assert.equal(copy!.superseded, true);
    assert.equal(copy!.supersededBy, whole!.id);
    assert.equal(idx.families.length, 1);
  });
});

describe('follow-ups and trailers', () => {
  const series = () => seriesMail({ prefix: 'PATCH v2', title: 'execmem', total: 2, stem: 'f' });
  const reply = (id: string, to: string, body: string, from = 'Reviewer One <r1@example.org>'): MailSpec => ({
    id,
    subject: 'Re: [PATCH v2 1/2] part 1 of execmem',
    from,
    inReplyTo: to,
    references: ['f-0@example.org', to],
    body,
  });

  test('replies count per patch, nested ones included, and per series', async () => {
    const idx = await indexOf([
      ...series(),
      reply('r1@x', 'f-1@example.org', 'Looks fine.\n'),
      reply('r2@x', 'r1@x', 'Agreed.\n'),
      reply('r3@x', 'f-0@example.org', 'On the cover.\n'),
    ]);
    const s = only(idx.series);
    assert.deepEqual(s.patches.map((p) => p.replies.length), [2, 0]);
    assert.equal(s.coverReplies.length, 1);
    assert.equal(s.replyCount, 3);
    assert.equal(idx.replyCount, 3);
  });

  test('trailers come from the reply, not from what it quotes; the patch keeps its own apart', async () => {
    const idx = await indexOf([
      ...series(),
      reply('r1@x', 'f-1@example.org', '> Signed-off-by: Mike Rapoport (IBM) <rppt@kernel.org>\n> Acked-by: Quoted Person <q@x>\n\nReviewed-by: Reviewer One <r1@example.org>\n-- \nAcked-by: in the signature <sig@x>\n'),
    ]);
    const p1 = only(idx.series).patches[0]!;
    assert.deepEqual(p1.trailers.map((t) => [t.name, t.value, t.from]), [
      ['Signed-off-by', 'Mike Rapoport (IBM) <rppt@kernel.org>', 'patch'],
      ['Reviewed-by', 'Reviewer One <r1@example.org>', 'followup'],
    ]);
  });

  test('a trailer given on the cover applies to every patch', async () => {
    const idx = await indexOf([...series(), reply('r1@x', 'f-0@example.org', 'For the series:\n\nacked-BY: Maintainer <m@example.org>\n')]);
    for (const p of only(idx.series).patches) {
      assert.ok(p.trailers.some((t) => t.name === 'Acked-by' && t.value === 'Maintainer <m@example.org>' && t.from === 'followup'));
    }
  });

  test('a reply whose parent never arrived finds its patch by subject', async () => {
    const idx = await indexOf([...series(), { id: 'lost@x', subject: 'Re: [PATCH v2 2/2] part 2 of execmem', inReplyTo: 'not-in-archive@x', body: 'Tested-by: T <t@x>\n' }]);
    const p2 = only(idx.series).patches[1]!;
    assert.equal(p2.replies.length, 1);
    assert.deepEqual(p2.trailers.filter((t) => t.from === 'followup').map((t) => t.name), ['Tested-by']);
  });

  test('threads tolerate missing parents: References stand in for a lost In-Reply-To', async () => {
    const idx = await indexOf([...series(), { id: 'r@x', subject: 'Re: thoughts', inReplyTo: 'gone@x', references: ['f-0@example.org', 'f-2@example.org', 'gone@x'], body: 'hm\n' }]);
    assert.equal(only(idx.series).patches[1]!.replies.length, 1);
  });
});

test('a patch someone else sends into a series thread joins the family but does not rename it', async () => {
  const v1 = seriesMail({ prefix: 'PATCH', title: 'x86/module: use large ROX pages', total: 2, stem: 'rox' });
  const other: MailSpec = {
    id: 'pz@x',
    subject: '[PATCH] x86: Disable EXECMEM_ROX support',
    from: 'Peter Zijlstra <peterz@infradead.org>',
    inReplyTo: 'rox-1@example.org',
    body: patchBody('arch/x86/Kconfig'),
  };
  const idx = await indexOf([...v1, other]);
  assert.equal(idx.families.length, 1);
  assert.equal(idx.families[0]!.title, 'x86/module: use large ROX pages');
  assert.equal(idx.series.length, 2);
});

test('a reply to a second copy of a patch is filed under that copy; its trailer counts for the same patch of the whole version', async () => {
  const mail = seriesMail({ prefix: 'PATCH v7', title: 'rox', total: 3, stem: 'dup' });
  mail.push({ ...mail[2]!, id: 'dup-2-again@example.org' });
  mail.push({ id: 'rev@x', subject: 'Re: [PATCH v7 2/3] part 2 of rox', from: 'R <r@x>', inReplyTo: 'dup-2-again@example.org', body: 'Reviewed-by: R <r@x>\n' });
  const idx = await indexOf(mail);
  const [whole, copy] = idx.series;
  assert.deepEqual(copy!.patches[0]!.replies.map((m) => m.msgid), ['rev@x']);
  assert.deepEqual(whole!.patches.map((p) => p.replies.length), [0, 0, 0]);
  const given = whole!.patches.map((p) => p.trailers.filter((t) => t.from === 'followup').length);
  assert.deepEqual(given, [0, 1, 0]);
  assert.equal(whole!.coverReplies.length, 0);
});
