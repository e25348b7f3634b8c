/**
 * Review state per patch: how events move it (a first comment starts a
 * review, a reply with a trailer ends it, a reply with comments and no
 * trailer asks for changes, the reviewer can set any state), what the mail
 * says (my trailers, on the patch or the cover), which of the two counts,
 * a version's summary, and a stored or imported book checked entry by entry.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveState, emptyBook, needsReview, parseBook, stateFromMail, transition, versionSummary, type ReviewState } from '../../../src/core/review/state';
import type { GivenTrailer, PatchEntry, SeriesVersion } from '../../../src/core/series/model';

const me = { name: 'Rév Iewer', address: 'Reviewer@example.org' };
const T0 = '2026-12-01T09:00:00.000Z';
const T1 = '2026-12-01T10:00:00.000Z';

function trailer(name: string, address: string, msgid: string, from: GivenTrailer['from'] = 'followup'): GivenTrailer {
  return { name, value: `X <${address}>`, person: { name: 'X', address }, from, by: { name: 'X', address }, msgid };
}

const patch = (trailers: GivenTrailer[]) => ({ trailers }) as unknown as PatchEntry;

describe('review state', () => {
  test('events: a first comment starts a review; a reply with a trailer ends it; comments alone ask for changes; the reviewer sets anything', () => {
    const c = transition(undefined, { kind: 'comment' }, T0);
    assert.deepEqual(c, { state: 'in-review', by: 'comment', at: T0 });
    assert.equal(transition(c!, { kind: 'comment' }, T1), null, 'more comments do not move it');
    assert.deepEqual(transition(c!, { kind: 'reply', trailer: 'Reviewed-by', comments: 1, msgid: 'r@x' }, T1), { state: 'reviewed', by: 'reply', at: T1, msgid: 'r@x' });
    assert.equal(transition(c!, { kind: 'reply', trailer: 'Tested-by', comments: 0, msgid: 'r@x' }, T1)!.state, 'reviewed');
    assert.equal(transition(c!, { kind: 'reply', trailer: 'Acked-by', comments: 0, msgid: 'r@x' }, T1)!.state, 'acked');
    assert.equal(transition(c!, { kind: 'reply', comments: 2, msgid: 'r@x' }, T1)!.state, 'changes-requested');
    assert.equal(transition(c!, { kind: 'reply', trailer: 'Reported-by', comments: 0, msgid: 'r@x' }, T1), null, 'a Reported-by says nothing of the review');
    const reviewed = { state: 'reviewed' as ReviewState, by: 'reply' as const, at: T0 };
    assert.equal(transition(reviewed, { kind: 'comment' }, T1), null, 'a comment does not reopen a review that ended');
    assert.deepEqual(transition(reviewed, { kind: 'set', state: 'new' }, T1), { state: 'new', by: 'you', at: T1 });
    assert.equal(transition({ state: 'new', by: 'you', at: T0 }, { kind: 'set', state: 'new' }, T1), null);
  });

  test('the mail: my latest trailer on the patch or its cover counts; others’ do not, nor the patch’s own', () => {
    const times: Record<string, number> = { a: Date.parse(T0), b: Date.parse(T1) };
    const timeOf = (id: string) => times[id] ?? 0;
    assert.equal(stateFromMail(patch([trailer('Reviewed-by', 'someone@else.org', 'a')]), me, timeOf), null);
    assert.equal(stateFromMail(patch([trailer('Reviewed-by', 'reviewer@example.org', 'a', 'patch')]), me, timeOf), null);
    const both = stateFromMail(patch([trailer('Acked-by', 'reviewer@example.org', 'b'), trailer('Reviewed-by', 'REVIEWER@example.org', 'a')]), me, timeOf);
    assert.deepEqual(both, { state: 'acked', by: 'mail', at: T1, msgid: 'b' });
    const cover = { ...trailer('Reviewed-by', 'reviewer@example.org', 'a'), via: 'cover' as const };
    assert.equal(stateFromMail(patch([cover]), me, timeOf)!.state, 'reviewed', 'given on the cover, for the series');
  });

  test('the later of what was kept and what the mail says is shown', () => {
    const kept = { state: 'changes-requested' as ReviewState, by: 'you' as const, at: T0 };
    const mail = { state: 'reviewed' as ReviewState, by: 'mail' as const, at: T1, msgid: 'b' };
    assert.equal(effectiveState(kept, mail), mail);
    assert.equal(effectiveState({ ...kept, at: '2026-12-02T00:00:00.000Z' }, mail)!.state, 'changes-requested');
    assert.equal(effectiveState(undefined, mail), mail);
    assert.equal(effectiveState(kept, null), kept);
    assert.equal(effectiveState(undefined, null), undefined);
  });

  test('a version in numbers: "9/13 reviewed"; what still needs me', () => {
    const states: ReviewState[] = ['reviewed', 'acked', 'new', 'changes-requested', 'in-review'];
    const version = { patches: states.map((s) => ({ state: s })) } as unknown as SeriesVersion;
    const s = versionSummary(version, (p) => (p as unknown as { state: ReviewState }).state);
    assert.equal(s.text, '2/5 reviewed, 1 with changes requested');
    assert.deepEqual(s.counts, { new: 1, 'in-review': 1, reviewed: 1, 'changes-requested': 1, acked: 1 });
    assert.deepEqual(states.filter(needsReview), ['new', 'in-review']);
  });

  test('a book read back: every entry checked, the first problem named', () => {
    const book = emptyBook();
    book.patches['p@x'] = { state: 'acked', by: 'mail', at: T0, msgid: 'r@x' };
    assert.deepEqual(parseBook(JSON.parse(JSON.stringify(book))), { ok: true, value: book });
    assert.deepEqual(parseBook({ version: 2, patches: {} }), { ok: false, error: 'version 2: only version 1 is read' });
    assert.deepEqual(parseBook({ version: 1, patches: { 'p@x': { state: 'done', by: 'you', at: T0 } } }), { ok: false, error: 'p@x: state "done" is not one of new, in-review, reviewed, changes-requested, acked' });
    assert.deepEqual(parseBook({ version: 1, patches: { 'p@x': { state: 'new', by: 'you', at: 'yesterday' } } }), { ok: false, error: 'p@x: "at" is not a date' });
    assert.deepEqual(parseBook('x'), { ok: false, error: 'not a JSON object' });
  });
});
