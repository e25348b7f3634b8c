/** Draft comments: added, edited, deleted, listed in line order, cleared once sent, and read back from storage checked. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDraft, clearDraftsOf, deleteDraft, draftsOf, editDraft, emptyDrafts, parseDrafts } from '../../../src/core/review/drafts';

const T = '2026-12-01T09:00:00.000Z';

describe('draft comments', () => {
  test('add, edit, delete; listed by file and line, the whole-message ones last; cleared per message', () => {
    let book = emptyDrafts();
    const a = addDraft(book, 'p@x', { path: 'mm/b.c', side: 'new', line: 9, text: 'b9' }, T);
    book = a.book;
    book = addDraft(book, 'p@x', { path: '', side: 'new', line: 0, text: 'overall' }, T).book;
    book = addDraft(book, 'p@x', { path: 'mm/a.c', side: 'old', line: 30, text: 'a30' }, T).book;
    book = addDraft(book, 'q@x', { path: 'mm/a.c', side: 'new', line: 1, text: 'other patch' }, T).book;
    book = addDraft(book, 'p@x', { path: 'mm/a.c', side: 'new', line: 3, text: 'a3' }, T).book;
    assert.deepEqual(draftsOf(book, 'p@x').map((d) => d.text), ['a3', 'a30', 'b9', 'overall']);
    const edited = editDraft(book, a.draft.id, 'b9 again', '2026-12-01T10:00:00.000Z');
    assert.equal(draftsOf(edited, 'p@x').find((d) => d.id === a.draft.id)!.text, 'b9 again');
    assert.equal(draftsOf(book, 'p@x').find((d) => d.id === a.draft.id)!.text, 'b9', 'the old book is not changed');
    assert.equal(draftsOf(deleteDraft(edited, a.draft.id), 'p@x').length, 3);
    const cleared = clearDraftsOf(edited, 'p@x');
    assert.deepEqual(cleared.drafts.map((d) => d.msgid), ['q@x']);
    assert.equal(new Set(book.drafts.map((d) => d.id)).size, book.drafts.length, 'ids are unique');
  });

  test('read back from storage: the same book; ids go on after the highest; a damaged entry is named', () => {
    const book = addDraft(addDraft(emptyDrafts(), 'p@x', { path: 'a.c', side: 'new', line: 2, startLine: 1, text: 'x' }, T).book, 'p@x', { path: 'a.c', side: 'new', line: 5, text: 'y' }, T).book;
    const back = parseDrafts(JSON.parse(JSON.stringify(book)));
    assert.deepEqual(back, { ok: true, value: book });
    const noNext = parseDrafts({ version: 1, drafts: book.drafts });
    assert.ok(noNext.ok && noNext.value.next === 3);
    assert.deepEqual(parseDrafts({ version: 1, drafts: [{ ...book.drafts[0], side: 'left' }] }), { ok: false, error: 'draft 1: "side" is "left"' });
    assert.deepEqual(parseDrafts({ version: 1, drafts: [{ ...book.drafts[0], line: -1 }] }), { ok: false, error: 'draft 1: "line" is not a line number' });
    assert.deepEqual(parseDrafts({ version: 1, drafts: 'x' }), { ok: false, error: '"drafts" is not a list' });
  });
});
