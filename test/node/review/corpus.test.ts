/** Review replies of the corpus's v1 thread placed on the lines they quote. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { splitReview } from '../../../src/core/review/quotes';
import { groupSeries } from '../../../src/core/series/group';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

describe('interleaved review in the corpus', { skip: corpusMissing }, () => {
  test('v1 12/13: each of Peter Zijlstra\'s paragraphs is on the file whose quote it follows', async () => {
    const read = await readSources([path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox')]);
    const idx = groupSeries(read.messages, read);
    const v1 = idx.series.find((s) => s.title === 'mm: jit/text allocator' && s.version === 1)!;
    const p12 = v1.patches.find((p) => p.index === 12)!;
    const peter = p12.replies.find((m) => m.from.name === 'Peter Zijlstra')!;
    const anchors = splitReview(peter.body, p12.files).anchors;
    const on = (file: string) => anchors.filter((a) => a.path === file).map((a) => a.text);
    assert.deepEqual(on('arch/x86/kernel/ftrace.c'), ["And in the above case it's actively wrong for loosing the _queue()\nthing."]);
    assert.deepEqual(on('arch/x86/kernel/alternative.c'), ["So I don't much like do_text_poke(); why?"]);
    // The comment covers the quoted run: do_text_poke() from its first line to its closing brace.
    const alt = anchors.find((a) => a.path === 'arch/x86/kernel/alternative.c')!;
    assert.equal(alt.side, 'new');
    assert.ok(alt.line - alt.startLine >= 9, `the run ${alt.startLine}..${alt.line} covers the quoted function`);
  });

  test('every reply of every thread: what is placed is on a file of its patch, once; Song Liu\'s v1 04/13 review is on arm64', async () => {
    const read = await readSources([THREADS_DIR]);
    const idx = groupSeries(read.messages, read);
    let placed = 0;
    for (const v of idx.series) {
      for (const p of v.patches) {
        const paths = new Set(p.files.map((f) => f.path));
        for (const reply of p.replies) {
          const split = splitReview(reply.body, p.files);
          for (const a of split.anchors) {
            assert.ok(paths.has(a.path), `${reply.msgid}: ${a.path} is in ${p.message.subject}`);
            assert.ok(a.startLine <= a.line);
            assert.ok(!split.unplaced.includes(a.text));
          }
          placed += split.anchors.length;
        }
      }
    }
    // 283 replies to patches, most of them discussion that quotes prose; measured 134 comments on lines.
    assert.ok(placed >= 120, `${placed} comments placed on the threads' patches`);
    const v1 = idx.series.find((s) => s.title === 'mm: jit/text allocator' && s.version === 1)!;
    const p4 = v1.patches.find((p) => p.index === 4)!;
    const song = p4.replies.filter((m) => m.from.name === 'Song Liu').flatMap((m) => splitReview(m.body, p4.files).anchors);
    assert.ok(song.some((a) => a.path === 'arch/arm64/kernel/module.c'), JSON.stringify(song.map((a) => a.path)));
  });
});
