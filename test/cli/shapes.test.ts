/**
 * Shapes of real mail that the series reader used to lose without a word,
 * each as a small mbox written here and read through `execmem-lens series
 * --json`: every message must be somewhere, and the counts must add up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import type { SeriesJson } from '../../src/core/series/json';
import { type MailSpec, mbox, patchBody, seriesMail } from '../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-shapes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function read(specs: MailSpec[] | Uint8Array): Promise<SeriesJson> {
  const file = path.join(dir, `shape-${n++}.mbox`);
  writeFileSync(file, specs instanceof Uint8Array ? specs : mbox(...specs));
  let out = '';
  let err = '';
  const code = await runCli(['series', file, '--json'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  assert.equal(code, 0, err);
  return JSON.parse(out) as SeriesJson;
}

/** messages = covers + patches + replies + others + duplicates + errors, and no message in two places. */
function assertAccounted(json: SeriesJson, messages: number): void {
  const covers = json.series.filter((s) => s.cover).length;
  const patches = json.series.reduce((sum, s) => sum + s.patches.length, 0);
  assert.equal(json.messages, messages, 'every message read is counted');
  assert.equal(covers + patches + json.replies + json.others.length + json.duplicates.length + json.errors.length, messages, 'the buckets add up');
  const ids = [...json.series.flatMap((s) => [...(s.cover ? [s.cover.msgid] : []), ...s.patches.map((p) => p.msgid)]), ...json.others.map((o) => o.msgid)];
  assert.equal(new Set(ids).size, ids.length, `no message in two places: ${ids.join(' ')}`);
}

const diffOf = (file: string, change = 'new') => patchBody(file, { change });

describe('shapes that used to vanish', () => {
  test("Mercurial's patchbomb subjects: [PATCH 0 of 2], [PATCH 1 of 2]", async () => {
    const json = await read([
      { id: 'hg0@x', subject: '[PATCH 0 of 2] hg: two changes' },
      { id: 'hg1@x', subject: '[PATCH 1 of 2] hg: first', inReplyTo: 'hg0@x', body: diffOf('a.c') },
      { id: 'hg2@x', subject: '[PATCH 2 of 2] hg: second', inReplyTo: 'hg0@x', body: diffOf('b.c') },
    ]);
    assertAccounted(json, 3);
    assert.equal(json.series.length, 1);
    const [s] = json.series;
    assert.equal(s!.title, 'hg: two changes');
    assert.equal(s!.total, 2);
    assert.deepEqual(s!.patches.map((p) => p.index), [1, 2]);
    assert.deepEqual(s!.missing, []);
  });

  test('more patches than the total says: [PATCH 3/2] and [PATCH 4/n] after a 0/2 cover are extras of that series', async () => {
    const mail = seriesMail({ prefix: 'PATCH', title: 'two and more', total: 2, stem: 'more' });
    mail.push({ id: 'more-3@x', subject: '[PATCH 3/2] one more', inReplyTo: 'more-0@example.org', body: diffOf('c.c') });
    mail.push({ id: 'more-4@x', subject: '[PATCH 4/n] and another', inReplyTo: 'more-0@example.org', body: diffOf('d.c') });
    const json = await read(mail);
    assertAccounted(json, 5);
    assert.equal(json.series.length, 1);
    assert.deepEqual(json.series[0]!.patches.map((p) => [p.index, p.msgid]), [
      [1, 'more-1@example.org'],
      [2, 'more-2@example.org'],
      [3, 'more-3@x'],
      [4, 'more-4@x'],
    ]);
  });

  test('a second revision sent unlabeled in reply to the first ([PATCH 1/2] again under [PATCH 2/2]) is v2, inferred', async () => {
    const json = await read([
      { id: 'a1@x', subject: '[PATCH 1/2] mm: thing', body: diffOf('a.c', 'first') },
      { id: 'a2@x', subject: '[PATCH 2/2] mm: other thing', inReplyTo: 'a1@x', body: diffOf('b.c', 'first') },
      { id: 'b1@x', subject: '[PATCH 1/2] mm: thing', inReplyTo: 'a2@x', references: ['a1@x', 'a2@x'], body: diffOf('a.c', 'second') },
      { id: 'b2@x', subject: '[PATCH 2/2] mm: other thing', inReplyTo: 'b1@x', references: ['a1@x', 'a2@x', 'b1@x'], body: diffOf('b.c', 'second') },
    ]);
    assertAccounted(json, 4);
    assert.deepEqual(
      json.series.map((s) => [s.version, s.patches.map((p) => p.msgid)]),
      [
        [1, ['a1@x', 'a2@x']],
        [2, ['b1@x', 'b2@x']],
      ],
    );
    assert.equal(json.series[0]!.family, json.series[1]!.family);
  });

  test('a diff posted in a series\' thread without an n/m label is a patch of its own, not a reply', async () => {
    const mail = seriesMail({ prefix: 'PATCH', title: 'with an orphan', total: 3, stem: 'orph' });
    mail.push({ id: 'orphan@x', subject: '[PATCH] This is an orphaned patch!', inReplyTo: 'orph-2@example.org', references: ['orph-0@example.org', 'orph-2@example.org'], body: diffOf('orphan.c') });
    const json = await read(mail);
    assertAccounted(json, 5);
    assert.equal(json.replies, 0);
    const orphan = json.series.find((s) => s.patches.some((p) => p.msgid === 'orphan@x'))!;
    assert.equal(orphan.total, 1);
    assert.equal(orphan.patches.length, 1);
    assert.equal(json.series.find((s) => s.title === 'with an orphan')!.patches.length, 3);
  });

  test('the same series sent three times in quick succession: three series, each complete, the later ones resends', async () => {
    const mail = [1, 2, 3].flatMap((k) => seriesMail({ prefix: 'PATCH v4', title: 'sent thrice', total: 2, stem: `thrice${k}` }));
    const json = await read(mail);
    assertAccounted(json, 9);
    assert.equal(json.series.length, 3);
    for (const s of json.series) {
      assert.equal(s.patches.length, 2);
      assert.deepEqual(s.missing, []);
      assert.ok(s.cover);
    }
    let out = '';
    await runCli(['series', path.join(dir, `shape-${n - 1}.mbox`)], { stdout: (t) => (out += t), stderr: () => undefined });
    assert.equal(out.match(/^ {2}v4 /gm)?.length, 1, out);
    assert.equal(out.match(/^ {2}RESEND v4 /gm)?.length, 2, out);
  });

  test('a Message-ID seen twice with different content: both kept, the second listed as a duplicate whose content differs', async () => {
    const json = await read([
      { id: 'same@x', subject: 'First text', body: 'one\n' },
      { id: 'same@x', subject: 'First text', body: 'another text under the same id\n' },
      { id: 'same@x', subject: 'First text', body: 'one\n', date: undefined },
    ]);
    assertAccounted(json, 3);
    assert.deepEqual(json.duplicates.map((d) => d.msgid), ['same@x', 'same@x']);
    assert.deepEqual(json.others.map((o) => o.msgid), ['same@x']);
    let out = '';
    await runCli(['series', path.join(dir, `shape-${n - 1}.mbox`)], { stdout: (t) => (out += t), stderr: () => undefined });
    assert.match(out, /duplicate, content differs: <same@x> shape-\d+\.mbox, message 2 \(first read: shape-\d+\.mbox, message 1\)/);
  });

  test('what makes a patch: a combined-diff "@@@" hunk or only a binary diff, and the trailers given in reply are kept', async () => {
    const combined = [
      'Merge fix.',
      '',
      'Signed-off-by: A <a@x>',
      '---',
      'diff --cc kernel/module/main.c',
      'index 1111111,2222222..3333333',
      '--- a/kernel/module/main.c',
      '+++ b/kernel/module/main.c',
      '@@@ -1,3 -1,3 +1,3 @@@',
      '  one',
      '- two',
      ' -deux',
      '++zwei',
      '  three',
      '',
    ].join('\n');
    const binary = ['Add firmware.', '', 'Signed-off-by: A <a@x>', '---', 'GIT binary patch', 'literal 5', 'McmZQzU|?c^00%7ra{vGU', '', 'literal 0', 'HcmV?d00001', ''].join('\n');
    const json = await read([
      { id: 'cc@x', subject: '[PATCH] module: merge resolution', body: combined },
      { id: 'bin@x', subject: '[PATCH] firmware: add blob', body: binary },
      { id: 'r-cc@x', subject: 'Re: [PATCH] module: merge resolution', inReplyTo: 'cc@x', from: 'R <r@x>', body: 'Reviewed-by: R <r@x>\n' },
      { id: 'r-bin@x', subject: 'Re: [PATCH] firmware: add blob', inReplyTo: 'bin@x', from: 'T <t@x>', body: 'Tested-by: T <t@x>\n' },
    ]);
    assertAccounted(json, 4);
    assert.equal(json.series.length, 2);
    assert.equal(json.replies, 2);
    const trailers = json.series.flatMap((s) => s.patches.flatMap((p) => p.trailers.filter((t) => t.from === 'followup').map((t) => `${p.msgid} ${t.name}`)));
    assert.deepEqual(trailers.sort(), ['bin@x Tested-by', 'cc@x Reviewed-by']);
  });

  test('numbers outside 1..total, 0/0, negative and absurd numbers and versions are patches, never dropped', async () => {
    const json = await read([
      { id: 'z@x', subject: '[PATCH 0/0] zero of zero', body: diffOf('z.c') },
      { id: 'neg@x', subject: '[PATCH -1/3] negative', body: diffOf('n.c') },
      { id: 'huge@x', subject: '[PATCH 99999999999/1] huge number', body: diffOf('h.c') },
      { id: 'total@x', subject: '[PATCH 1/99999999999] huge total', body: diffOf('t.c') },
      { id: 'ver@x', subject: '[PATCH v99999999999999999999 1/1] huge version', body: diffOf('v.c') },
      { id: 'nine@x', subject: '[PATCH 9/8] nine of eight', body: diffOf('e.c') },
    ]);
    assertAccounted(json, 6);
    const all = json.series.flatMap((s) => s.patches.map((p) => p.msgid)).sort();
    assert.deepEqual(all, ['huge@x', 'neg@x', 'nine@x', 'total@x', 'ver@x', 'z@x']);
    const total = json.series.find((s) => s.patches.some((p) => p.msgid === 'total@x'))!;
    assert.deepEqual(total.missing, [], 'a total of 99999999999 is not enumerated');
  });

  test('a four-message mbox of two revisions: all four are in series', async () => {
    const json = await read([
      { id: 'f1@x', subject: '[PATCH 1/2] x86: one', body: diffOf('one.c', 'v1') },
      { id: 'f2@x', subject: '[PATCH 2/2] x86: two', inReplyTo: 'f1@x', body: diffOf('two.c', 'v1') },
      { id: 'g1@x', subject: '[PATCH 1/2] x86: one', inReplyTo: 'f1@x', body: diffOf('one.c', 'v2') },
      { id: 'g2@x', subject: '[PATCH 2/2] x86: two', inReplyTo: 'g1@x', body: diffOf('two.c', 'v2') },
    ]);
    assertAccounted(json, 4);
    assert.equal(json.series.reduce((k, s) => k + s.patches.length, 0), 4);
  });
});
