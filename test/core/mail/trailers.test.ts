import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { followupTrailers, parsePerson, patchTrailers, senderMismatch } from '../../../src/core/mail/trailers';
import { indexOf, seriesMail } from '../../support/mail';

describe('trailers as b4 collects them', () => {
  test('name forms: "Last, First" <a@b>, Name (Company) <a@b>, <a@b>, a bare address', () => {
    assert.deepEqual(parsePerson('"Rapoport, Mike" <rppt@kernel.org>'), { name: 'Rapoport, Mike', address: 'rppt@kernel.org' });
    assert.deepEqual(parsePerson('Mike Rapoport (IBM) <RPPT@kernel.org>'), { name: 'Mike Rapoport (IBM)', address: 'rppt@kernel.org' });
    assert.deepEqual(parsePerson('<song@kernel.org>'), { name: '', address: 'song@kernel.org' });
    assert.deepEqual(parsePerson('song@kernel.org'), { name: '', address: 'song@kernel.org' });
    assert.equal(parsePerson('me'), null);
  });

  test('a follow-up gives only its own lines: not quoted ones, not below the signature, not prose with a colon', () => {
    const body = [
      'On Mon, Mike wrote:',
      '> Reviewed-by: Quoted Person <quoted@x.org>',
      'Note: this is prose, not a trailer.',
      'Reviewed-by: me',
      'Acked-by: Song Liu <song@kernel.org>',
      'Reported-by: Web Page <https://example.org/a@b.c>',
      'Link: https://lore.kernel.org/r/20230601101257.530867-1-rppt@kernel.org',
      'Fixes: 0123456789ab ("mm: something")',
      '-- ',
      'Tested-by: Signature Person <sig@x.org>',
    ].join('\n');
    assert.deepEqual(
      followupTrailers(body).map((t) => `${t.name}: ${t.value}`),
      ['Acked-by: Song Liu <song@kernel.org>', 'Link: https://lore.kernel.org/r/20230601101257.530867-1-rppt@kernel.org', 'Fixes: 0123456789ab ("mm: something")'],
    );
  });

  test('HTML-mail leftovers are cleaned; a wrapped trailer is joined; "[for the x86 bits]" is its note', () => {
    const body = [
      'Reviewed-by: Jane Doe &lt;jane@example.org&gt;',
      'Acked-by: John Roe <john@example.org<mailto:john@example.org>>',
      'Tested-by: A Very Long Name Indeed',
      '<long@example.org>',
      'Acked-by: Peter Zijlstra (Intel) <peterz@infradead.org>',
      '[for the x86 bits]',
    ].join('\n');
    const got = followupTrailers(body);
    assert.deepEqual(
      got.map((t) => [t.name, t.person?.name, t.person?.address, t.note ?? null]),
      [
        ['Reviewed-by', 'Jane Doe', 'jane@example.org', null],
        ['Acked-by', 'John Roe', 'john@example.org', null],
        ['Tested-by', 'A Very Long Name Indeed', 'long@example.org', null],
        ['Acked-by', 'Peter Zijlstra (Intel)', 'peterz@infradead.org', '[for the x86 bits]'],
      ],
    );
  });

  test("a patch's own trailers, in order, link-like ones included", () => {
    const msg = ['mm: add execmem', '', 'Why.', '', 'Fixes: 0123456789ab ("x")', 'Suggested-by: S <s@x>', 'Signed-off-by: A <a@x>', 'Cc: stable@vger.kernel.org'].join('\n');
    assert.deepEqual(patchTrailers(msg).map((t) => t.name), ['Fixes', 'Suggested-by', 'Signed-off-by', 'Cc']);
  });

  test('a trailer naming someone else than its sender is flagged', () => {
    const [t] = followupTrailers('Reviewed-by: Colleague <colleague@x.org>\n');
    assert.equal(senderMismatch(t!, 'me@x.org'), true);
    assert.equal(senderMismatch(t!, 'Colleague@X.org'), false);
  });
});

describe('trailers on a series', () => {
  test('chain of custody: the patch\'s own first, then given ones as they came, the cover\'s for every patch; a repeat counts once; a mismatch is flagged', async () => {
    const mail = seriesMail({ prefix: 'PATCH v2', title: 'custody', total: 2, stem: 'cu' });
    mail.push(
      { id: 'r1@x', subject: 'Re: [PATCH v2 1/2] part 1 of custody', from: 'Song Liu <song@kernel.org>', inReplyTo: 'cu-1@example.org', body: 'Reviewed-by: Song Liu <song@kernel.org>\n' },
      { id: 'c1@x', subject: 'Re: [PATCH v2 0/2] custody', from: 'Kent <kent@x.org>', inReplyTo: 'cu-0@example.org', body: 'For the series:\nAcked-by: Kent <kent@x.org>\n' },
      { id: 'r2@x', subject: 'Re: [PATCH v2 1/2] part 1 of custody', from: 'Song Liu <song@kernel.org>', inReplyTo: 'r1@x', body: 'Again:\nReviewed-by: Song Liu <song@kernel.org>\n' },
      { id: 'r3@x', subject: 'Re: [PATCH v2 1/2] part 1 of custody', from: 'Forwarder <fwd@x.org>', inReplyTo: 'cu-1@example.org', body: 'Tested-by: Someone Else <else@x.org>\n' },
    );
    const [s] = (await indexOf(mail)).series;
    const p1 = s!.patches[0]!;
    assert.deepEqual(
      p1.trailers.map((t) => [t.name, t.from, t.via ?? '', t.mismatch ?? false]),
      [
        ['Signed-off-by', 'patch', '', false],
        ['Reviewed-by', 'followup', '', false],
        ['Acked-by', 'followup', 'cover', false],
        ['Tested-by', 'followup', '', true],
      ],
    );
    assert.deepEqual(s!.patches[1]!.trailers.map((t) => [t.name, t.via ?? '']), [['Signed-off-by', ''], ['Acked-by', 'cover']]);
  });
});
