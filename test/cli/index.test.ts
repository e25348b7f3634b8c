/** `execmem-lens index` and `--index DIR` for search and series: the agreed JSON, and the same answers as a full read. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { corpusMissing, THREADS_DIR } from '../support/corpus';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-cli-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('execmem-lens index', { skip: corpusMissing }, () => {
  const threads = corpusMissing ? [] : readdirSync(THREADS_DIR).filter((f) => f.endsWith('.mbox')).map((f) => path.join(THREADS_DIR, f));

  test('builds the index, then reads nothing new; prints {messages, new, ms}', async () => {
    const idx = path.join(dir, 'a');
    const first = await run('index', ...threads, '--index', idx, '--json');
    assert.equal(first.code, 0, first.err);
    const j1 = JSON.parse(first.out) as Record<string, number>;
    assert.deepEqual(Object.keys(j1).sort(), ['messages', 'ms', 'new']);
    assert.ok(j1.messages! > 100);
    assert.equal(j1.new, j1.messages);
    const series = JSON.parse((await run('series', ...threads, '--json')).out) as { messages: number };
    assert.equal(j1.messages, series.messages, 'the index holds every message a full read counts');
    const again = JSON.parse((await run('index', ...threads, '--index', idx, '--json')).out) as Record<string, number>;
    assert.equal(again.new, 0);
    assert.equal(again.messages, j1.messages);
    const text = await run('index', ...threads, '--index', idx);
    assert.match(text.out, new RegExp(`^${j1.messages} messages in the index \\(0 read now\\)`));
  });

  test('search and series with --index answer as a full read does', async () => {
    const idx = path.join(dir, 'b');
    for (const q of ['dfn:arch/arm64/kernel/module.c', 's:ROX', 'b:kprobes AND f:rppt', 'jit_text_alloc', 'NOT b:the AND s:execmem', 'b:"module_alloc_base" OR s:ROX', 'f:rppt@kernel.org AND d:2023-06-01..2023-06-30', 'dfhh:module_alloc', 'c:linux-mm@kvack.org s:execmem', 't:akpm']) {
      const full = await run('search', q, ...threads, '--json');
      const indexed = await run('search', q, ...threads, '--json', '--index', idx);
      assert.equal(indexed.code, 0, indexed.err);
      assert.deepEqual(JSON.parse(indexed.out), JSON.parse(full.out), q);
      assert.ok((JSON.parse(full.out) as { total: number }).total > 0, `${q} finds something`);
    }
    const full = await run('series', ...threads, '--json');
    const indexed = await run('series', ...threads, '--json', '--index', idx);
    assert.deepEqual(JSON.parse(indexed.out), JSON.parse(full.out));
  });

  test('command-line errors name what is wrong', async () => {
    const noDir = await run('index', threads[0]!, '--index');
    assert.equal(noDir.code, 2);
    assert.match(noDir.err, /'--index' needs a folder/);
    const missing = await run('index', path.join(dir, 'nope.mbox'), '--index', path.join(dir, 'c'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.mbox: no such file or folder/);
    const none = await run('index', '--index', path.join(dir, 'c'));
    assert.equal(none.code, 2);
    assert.match(none.err, /no SOURCE given/);
  });
});
