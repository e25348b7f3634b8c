import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions } from '../../../src/core/series/compare';
import { indexOf, type MailSpec, patchBody } from '../../support/mail';

const patch = (v: number, n: number, total: number, title: string, change = 'same'): MailSpec => ({
  id: `v${v}-${n}@x`,
  subject: `[PATCH v${v} ${n}/${total}] ${title}`,
  inReplyTo: n > 1 ? `v${v}-1@x` : undefined,
  body: patchBody(`${title.replace(/\W+/g, '_')}.c`, { change }),
});

test('comparing versions: added, dropped, changed and unchanged patches, matched by title', async () => {
  const idx = await indexOf([
    patch(1, 1, 3, 'mm: one'),
    patch(1, 2, 3, 'mm: two'),
    patch(1, 3, 3, 'mm: dropped later'),
    patch(2, 1, 3, 'mm: new first'),
    patch(2, 2, 3, 'mm: one'),
    patch(2, 3, 3, 'mm: two', 'reworked'),
  ]);
  const [v1, v2] = idx.series;
  const changes = compareVersions(v1!, v2!).map((c) => [c.kind, 'new' in c ? c.new.subject.title : c.old.subject.title]);
  assert.deepEqual(changes, [
    ['added', 'mm: new first'],
    ['unchanged', 'mm: one'],
    ['changed', 'mm: two'],
    ['dropped', 'mm: dropped later'],
  ]);
});
