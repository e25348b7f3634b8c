import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { groupSeries } from '../../../src/core/series/group';
import type { SourcedMessage } from '../../../src/core/series/model';
import {
  answersOf,
  countMessages,
  groupThreads,
  nestMessages,
  quoteFolds,
  quoteRuns,
  readingOrder,
  renderThread,
  splitLines,
  threadRootOf,
  threadsOf,
  type FoldRange,
  type ThreadNode,
} from '../../../src/core/series/thread';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

const T0 = Date.UTC(2024, 3, 22, 8, 0, 0);

function msg(msgid: string, minutes: number, opts: { from?: string; subject?: string; body?: string } = {}): SourcedMessage {
  const time = minutes < 0 ? 0 : T0 + minutes * 60_000;
  return {
    msgid,
    syntheticId: false,
    subject: opts.subject ?? `Re: topic`,
    from: { name: opts.from ?? msgid.toUpperCase(), address: `${msgid}@example.org` },
    date: time ? new Date(time).toISOString() : null,
    time,
    inReplyTo: null,
    references: [],
    body: opts.body ?? `text of ${msgid}\n`,
    attachedPatches: [],
    size: 100,
    origin: `test.mbox, ${msgid}`,
    sourceId: 'test.mbox',
  };
}

/** The shape of a forest: "a(b(d) c)". */
function shape(nodes: readonly ThreadNode[]): string {
  return nodes.map((n) => (n.children.length ? `${n.msg.msgid}(${shape(n.children)})` : n.msg.msgid)).join(' ');
}

describe('nestMessages', () => {
  test('answers go under what they answer, by date; a message whose parent is not among them starts a thread', () => {
    // a ← b, a ← c (earlier than b), b ← d; e answers x, which is not given.
    const parentOf = new Map([['b', 'a'], ['c', 'a'], ['d', 'b'], ['e', 'x']]);
    const list = [msg('a', 0), msg('b', 5), msg('c', 3), msg('d', 6), msg('e', 1)];
    assert.equal(shape(nestMessages(list, parentOf)), 'a(c b(d)) e');
  });

  test('replies of a patch: the patch itself is not among them, so its direct answers are the roots', () => {
    const parentOf = new Map([['r1', 'patch'], ['r2', 'r1'], ['r3', 'patch']]);
    assert.equal(shape(nestMessages([msg('r1', 1), msg('r2', 2), msg('r3', 3)], parentOf)), 'r1(r2) r3');
  });

  test('a loop among the messages loses none of them', () => {
    const parentOf = new Map([['a', 'b'], ['b', 'a'], ['c', 'b']]);
    const roots = nestMessages([msg('a', 0), msg('b', 1), msg('c', 2)], parentOf);
    assert.equal(countMessages(roots), 3);
    assert.equal(roots.length, 1);
  });
});

describe('threadsOf and groupThreads', () => {
  test('threads carry their size and newest date, most recently active first', () => {
    const parentOf = new Map([['b', 'a'], ['c', 'b']]);
    const threads = threadsOf([msg('a', 0), msg('b', 100), msg('c', 5), msg('z', 50)], parentOf);
    assert.deepEqual(
      threads.map((t) => [t.root.msg.msgid, t.count, t.last]),
      [
        ['a', 3, T0 + 100 * 60_000],
        ['z', 1, T0 + 50 * 60_000],
      ],
    );
  });

  test('up to max threads are listed as they are; more are grouped by year, a crowded year by month', () => {
    const at = (iso: string, id: string) => ({ ...msg(id, 0), time: Date.parse(iso), date: iso });
    const list = [
      at('2024-05-01T00:00:00Z', 'm1'),
      at('2024-05-02T00:00:00Z', 'm2'),
      at('2024-06-01T00:00:00Z', 'm3'),
      at('2023-01-01T00:00:00Z', 'm4'),
      { ...msg('m5', -1) },
    ];
    const threads = threadsOf(list, new Map());
    assert.equal(groupThreads(threads, 5), null);
    const groups = groupThreads(threads, 2)!;
    assert.deepEqual(
      groups.map((g) => [g.key, g.threads.length, g.messages]),
      [
        ['2024', 3, 3],
        ['2023', 1, 1],
        ['undated', 1, 1],
      ],
    );
    assert.deepEqual(
      groups[0]!.groups!.map((g) => [g.key, g.threads.map((t) => t.root.msg.msgid)]),
      [
        ['2024-06', ['m3']],
        ['2024-05', ['m2', 'm1']],
      ],
    );
    assert.equal(groups[1]!.groups, null);
  });
});

describe('threads in reading order', () => {
  test('the root is found from any message; the order is depth first, each level by date', () => {
    const parentOf = new Map([['p1', 'cover'], ['p2', 'cover'], ['r1', 'p1'], ['r2', 'cover'], ['r3', 'r1']]);
    const byId = new Map(['cover', 'p1', 'p2', 'r1', 'r2', 'r3'].map((id, i) => [id, msg(id, [0, 1, 2, 10, 5, 11][i]!)]));
    assert.equal(threadRootOf('r3', parentOf), 'cover');
    assert.equal(threadRootOf('cover', parentOf), 'cover');
    const order = readingOrder(byId.get('cover')!, answersOf(parentOf, byId));
    assert.deepEqual(
      order.map((e) => [e.msg.msgid, e.depth, e.parent]),
      [
        ['cover', 0, -1],
        ['p1', 1, 0],
        ['r1', 2, 1],
        ['r3', 3, 2],
        ['p2', 1, 0],
        ['r2', 1, 0],
      ],
    );
  });

  test('a 10,000-deep thread is walked without recursion', () => {
    const n = 10_000;
    const byId = new Map<string, SourcedMessage>();
    const parentOf = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      byId.set(`m${i}`, msg(`m${i}`, i));
      if (i > 0) parentOf.set(`m${i}`, `m${i - 1}`);
    }
    assert.equal(threadRootOf(`m${n - 1}`, parentOf), 'm0');
    const order = readingOrder(byId.get('m0')!, answersOf(parentOf, byId));
    assert.equal(order.length, n);
    assert.equal(order[n - 1]!.depth, n - 1);
    assert.equal(countMessages(nestMessages(byId.values(), parentOf)), n);
    assert.ok(renderThread(order).text.includes(`(${n - 1}) `));
  });
});

describe('quoted runs and their folds', () => {
  const lines = ['On Monday, A wrote:', '> one', '>', '', '> two', '', 'My answer.', ' > not a quote', '> three'];

  test('quoted lines with blank lines between them are one run; a line indented is not a quote', () => {
    assert.deepEqual(quoteRuns(lines), [
      { start: 1, end: 4 },
      { start: 8, end: 8 },
    ]);
  });

  test('a fold starts on the line above the run, so that folded no quoted line shows', () => {
    assert.deepEqual(quoteFolds(lines), [
      { start: 0, end: 4, kind: 'quote' },
      { start: 7, end: 8, kind: 'quote' },
    ]);
    // A quote on the first line allowed cannot start above it: a one-line run there has no fold.
    assert.deepEqual(quoteFolds(['> only'], 0, 1, 0), []);
    assert.deepEqual(quoteFolds(['> a', '> b'], 0, 2, 0), [{ start: 0, end: 1, kind: 'quote' }]);
  });

  test('lines split as an editor splits them', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\u2028d\ne'), ['a', 'b', 'c', 'd', 'e']);
  });
});

describe('renderThread', () => {
  const parentOf = new Map([['reply', 'cover'], ['answer', 'reply']]);
  const byId = new Map([
    ['cover', msg('cover', 0, { from: 'Mike Rapoport', subject: '[PATCH 0/2] mm: execmem', body: 'The cover.\n' })],
    ['reply', msg('reply', 5, { from: 'Mark Rutland', subject: 'Re: [PATCH 0/2] mm: execmem', body: 'Hi,\n\nOn Mon, Mike wrote:\n> The cover.\n> More.\n\nI agree.\r\nThanks.\n' })],
    ['answer', msg('answer', 9, { from: 'Song Liu', subject: 'Re: [PATCH 0/2] mm: execmem (was: other)', body: '> > The cover.\n> I agree.\nMe too.\n' })],
  ]);
  const doc = renderThread(readingOrder(byId.get('cover')!, answersOf(parentOf, byId)));
  const lines = doc.text.split('\n');

  test('a heading, one contents line per message, then each message with its headers', () => {
    assert.equal(lines[0], 'Thread: [PATCH 0/2] mm: execmem');
    assert.match(lines[1]!, /^3 messages, 2024-04-22 to 2024-04-22, in reading order/);
    const contents = lines.filter((l) => /^\s+\d  2024-04-22 /.test(l));
    assert.equal(contents.length, 3);
    // Indented by depth; the subject only where it changes.
    assert.match(contents[0]!, /  Mike Rapoport: \[PATCH 0\/2\] mm: execmem$/);
    assert.match(contents[1]!, / {4}Mark Rutland$/);
    assert.match(contents[2]!, / {6}Song Liu: Re: \[PATCH 0\/2\] mm: execmem \(was: other\)$/);
    const at = doc.lineOf.get('reply')!;
    assert.match(lines[at]!, /^──── 2\/3 · Mark Rutland · 2024-04-22 08:05 ─+$/);
    assert.deepEqual(lines.slice(at + 1, at + 6), [
      'From: Mark Rutland <reply@example.org>',
      'Date: 2024-04-22T08:05:00.000Z',
      'Subject: Re: [PATCH 0/2] mm: execmem',
      'Message-ID: <reply>',
      'In-Reply-To: <cover> (1/3)',
    ]);
  });

  test('folds: the contents, each message, and every quoted line hidden behind the line above its run', () => {
    const quotes = doc.folds.filter((f) => f.kind === 'quote');
    const hidden = new Set(quotes.flatMap((f) => Array.from({ length: f.end - f.start }, (_, i) => f.start + 1 + i)));
    lines.forEach((l, i) => {
      if (l.startsWith('>')) assert.ok(hidden.has(i), `quoted line ${i} "${l}" is not folded`);
    });
    for (const f of quotes) assert.ok(!lines[f.start]!.startsWith('>'), `fold at ${f.start} starts on a quoted line`);
    assert.equal(lines[quotes[0]!.start], 'On Mon, Mike wrote:');
    // The answer's body starts with a quote: its fold starts on the blank line under the headers.
    assert.equal(lines[quotes[1]!.start], '');
    assert.ok(!hidden.has(lines.indexOf('I agree.')));
    // Sorted by start and properly nested, as the editor wants them.
    const open: FoldRange[] = [];
    for (const f of doc.folds) {
      while (open.length && open.at(-1)!.end < f.start) open.pop();
      const outer = open.at(-1);
      if (outer) assert.ok(outer.start < f.start && f.end <= outer.end, `fold ${f.start}-${f.end} overlaps ${outer.start}-${outer.end}`);
      open.push(f);
    }
    assert.equal(doc.folds.filter((f) => f.kind === 'message').length, 3);
    // A CR alone in the mail is a line break in the editor: the text has none left to disagree on.
    assert.ok(!doc.text.includes('\r'));
  });
});

describe('a corpus thread', { skip: corpusMissing }, () => {
  test('v1 of "mm: jit/text allocator": 21 replies to the cover, nested; the whole thread in reading order', async () => {
    const r = await readSources([path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox')]);
    const index = groupSeries(r.messages, { errors: r.errors, duplicates: r.duplicates });
    const v1 = index.series[0]!;
    const roots = nestMessages(v1.coverReplies, index.parentOf);
    assert.equal(countMessages(roots), 21);
    assert.deepEqual(roots.map((n) => n.msg.from.name), ['Mark Rutland', 'Song Liu']);
    const order = readingOrder(v1.cover!, answersOf(index.parentOf, index.byId));
    assert.equal(order.length, index.byId.size);
    assert.equal(threadRootOf(v1.patches[11]!.replies.at(-1)!.msgid, index.parentOf), v1.cover!.msgid);
    // Every answer comes after the message it answers.
    const at = new Map(order.map((e, i) => [e.msg.msgid, i]));
    for (const [id, parent] of index.parentOf) assert.ok(at.get(parent)! < at.get(id)!);
    const doc = renderThread(order);
    assert.equal(doc.lineOf.size, 55);
    assert.ok(doc.folds.filter((f) => f.kind === 'quote').length > 20);
  });
});
