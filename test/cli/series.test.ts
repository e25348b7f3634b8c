import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { mbox, seriesMail } from '../support/mail';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-cli-series-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('execmem-lens series', () => {
  const file = path.join(dir, 'two.mbox');
  writeFileSync(
    file,
    mbox(
      ...seriesMail({ prefix: 'PATCH v2', title: 'mm: execmem', total: 3, stem: 'c', skip: [3] }),
      { id: 'r@x', subject: 'Re: [PATCH v2 1/3] part 1 of mm: execmem', inReplyTo: 'c-1@example.org', body: '> quoted\nReviewed-by: R <r@x>\n' },
      { id: 'bad', subject: 'x'.repeat(10), headers: [`X-Long: ${'y'.repeat(300_000)}`] },
    ),
  );

  test('--json prints the agreed shape', async () => {
    const r = await run('series', file, '--json');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(Object.keys(json).sort(), ['duplicates', 'errors', 'messages', 'others', 'replies', 'series']);
    // Every message read: cover, two patches, a reply, and the unreadable one.
    assert.equal(json.messages, 5);
    assert.deepEqual(json.others, []);
    assert.deepEqual(json.duplicates, []);
    assert.equal(json.replies, 1);
    assert.equal(json.errors.length, 1);
    assert.equal(json.errors[0].msgid, 'bad');
    assert.match(json.errors[0].message, /header block is \d+ bytes/);
    const [s] = json.series;
    assert.deepEqual(Object.keys(s).sort(), ['cover', 'date', 'family', 'missing', 'patches', 'replies', 'superseded', 'title', 'total', 'version']);
    assert.equal(s.title, 'mm: execmem');
    assert.equal(s.version, 2);
    assert.equal(s.total, 3);
    assert.deepEqual(s.missing, [3]);
    assert.equal(s.superseded, false);
    assert.deepEqual(s.cover, { msgid: 'c-0@example.org', subject: '[PATCH v2 0/3] mm: execmem' });
    assert.equal(s.replies, 1);
    assert.match(s.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(Object.keys(s.patches[0]).sort(), ['index', 'msgid', 'replies', 'subject', 'trailers']);
    assert.deepEqual(s.patches[0].trailers, [
      { name: 'Signed-off-by', value: 'Mike Rapoport (IBM) <rppt@kernel.org>', from: 'patch' },
      { name: 'Reviewed-by', value: 'R <r@x>', from: 'followup' },
    ]);
  });

  test('without --json: a summary per family', async () => {
    const r = await run('series', file);
    assert.equal(r.code, 0);
    assert.match(r.out, /^mm: execmem\n {2}v2 +2\/3 /m);
    assert.match(r.out, /missing 3/);
    assert.match(r.out, /5 messages: 1 covers, 2 patches, 1 replies, 0 other mail, 0 duplicates, 1 unreadable\n1 series versions in 1 families/);
  });

  test('control characters from mail do not reach the terminal', async () => {
    const evil = path.join(dir, 'evil.mbox');
    writeFileSync(evil, mbox(...seriesMail({ prefix: 'PATCH', title: 'red \u001b[31m alert \u0007', total: 1, stem: 'e' })));
    const r = await run('series', evil);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.out, /[\u001b\u0007]/);
    assert.match(r.out, /red �\[31m alert �/);
  });

  test('usage errors exit 2, unreadable paths exit 1, each naming the problem', async () => {
    assert.equal((await run('series')).code, 2);
    assert.match((await run('series', '--frob', file)).err, /unknown option '--frob'/);
    const missing = await run('series', path.join(dir, 'nope.mbox'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.mbox: no such file or folder/);
  });
});
