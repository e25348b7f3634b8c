import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { corpusMissing, THREADS_DIR } from '../support/corpus';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

interface Hit {
  msgid: string;
  subject: string;
  from: string;
  date: string | null;
  role: string;
  series: { title: string; version: number } | null;
}

const V1 = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');

describe('execmem-lens search', { skip: corpusMissing }, () => {
  test('dfn: finds the patches of v1 that touch arch/arm64/kernel/module.c, in the agreed JSON shape, newest first', async () => {
    const r = await run('search', 'dfn:arch/arm64/kernel/module.c', V1, '--json');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { total: number; hits: Hit[] };
    assert.deepEqual(Object.keys(json).sort(), ['hits', 'total']);
    assert.equal(json.total, json.hits.length);
    assert.ok(json.total >= 1);
    for (const h of json.hits) {
      assert.deepEqual(Object.keys(h).sort(), ['date', 'from', 'msgid', 'role', 'series', 'subject']);
      assert.equal(h.role, 'patch');
      assert.equal(h.series?.title, 'mm: jit/text allocator');
      assert.equal(h.series?.version, 1);
    }
    // 04/13 converts arm64's module_alloc: it must be among them.
    assert.ok(json.hits.some((h) => /^\[PATCH 04\/13\]/.test(h.subject)), json.hits.map((h) => h.subject).join('\n'));
    const dates = json.hits.map((h) => h.date ?? '');
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  test('f: and s: together narrow to one reviewer\'s replies; NOT takes them out again', async () => {
    const songs = JSON.parse((await run('search', 'f:song@kernel.org s:jitalloc', V1, '--json')).out) as { hits: Hit[] };
    assert.ok(songs.hits.length > 0);
    for (const h of songs.hits) {
      assert.match(h.from, /song@kernel\.org/);
      assert.equal(h.role, 'reply');
    }
    const none = JSON.parse((await run('search', 'f:song@kernel.org AND NOT f:song', V1, '--json')).out) as { total: number };
    assert.equal(none.total, 0);
  });

  test('the whole thread folder: m: finds one message by its Message-ID', async () => {
    const first = JSON.parse((await run('search', 'dfn:arch/arm64/kernel/module.c', V1, '--json')).out) as { hits: Hit[] };
    const id = first.hits[0]!.msgid;
    const r = JSON.parse((await run('search', `m:<${id}>`, THREADS_DIR, '--json')).out) as { total: number; hits: Hit[] };
    assert.equal(r.total, 1);
    assert.equal(r.hits[0]!.msgid, id);
  });

  test('a query that cannot be read exits 2 naming what is wrong; a missing source exits 1', async () => {
    const bad = await run('search', 's:"open', V1);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unclosed quote/);
    const date = await run('search', 'd:2023-13-01', V1);
    assert.equal(date.code, 2);
    assert.match(date.err, /cannot read the date '2023-13-01'/);
    const missing = await run('search', 's:x', '/nonexistent/mail.mbox');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nonexistent/);
    assert.equal((await run('search')).code, 2);
  });
});
