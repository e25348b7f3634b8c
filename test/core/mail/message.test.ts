import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { splitMbox } from '../../../src/core/mail/mbox';
import { DEFAULT_LIMITS, parseMessage, parseMsgIds } from '../../../src/core/mail/message';

const enc = (s: string) => new TextEncoder().encode(s);

async function ok(text: string | Uint8Array, fallback = 'fallback@x') {
  const r = await parseMessage(typeof text === 'string' ? enc(text) : text, fallback);
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

describe('parseMessage', () => {
  test('plain kernel mail: ids, references, date, from', async () => {
    const m = await ok(
      'From: "Mike Rapoport (IBM)" <RPPT@kernel.org>\nSubject: Re: [PATCH] x\nDate: Mon, 22 Apr 2024 12:44:00 +0300\nMessage-ID: <a@b>\nIn-Reply-To: <p@b>\nReferences: <r@b>\n <p@b>\n\nhello\n',
    );
    assert.equal(m.msgid, 'a@b');
    assert.equal(m.syntheticId, false);
    assert.equal(m.inReplyTo, 'p@b');
    assert.deepEqual(m.references, ['r@b', 'p@b']);
    assert.equal(m.date, '2024-04-22T09:44:00.000Z');
    assert.deepEqual(m.from, { name: 'Mike Rapoport (IBM)', address: 'rppt@kernel.org' });
    assert.equal(m.body, 'hello\n');
  });

  test('folded, RFC 2047 encoded subject (Q and B)', async () => {
    const m = await ok('Subject: =?UTF-8?q?Re=3A_=5BPATCH=5D_J=C3=BCrgen?=\n =?utf-8?b?J3MgZml4?=\nFrom: a@b\n\nx\n');
    assert.equal(m.subject, "Re: [PATCH] Jürgen's fix");
  });

  test('quoted-printable and base64 bodies, with their charset', async () => {
    const qp = await ok('Subject: s\nFrom: a@b\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\nReviewed-by: J=C3=BCrgen <j@x>=\n tail\n');
    assert.equal(qp.body, 'Reviewed-by: Jürgen <j@x> tail\n');
    const b64 = await ok(`Subject: s\nFrom: a@b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${btoa('caf\xe9\n')}\n`);
    assert.equal(b64.body, 'café\n');
  });

  test('an invalid charset is tolerated (read as UTF-8)', async () => {
    const m = await ok('Subject: s\nFrom: a@b\nContent-Type: text/plain; charset=x-no-such-charset\n\nplain ascii\n');
    assert.equal(m.body, 'plain ascii\n');
  });

  test('multipart with a text/x-patch part: the text is the body, the patch is attached', async () => {
    const m = await ok(
      [
        'Subject: [PATCH] attached',
        'From: a@b',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="XX"',
        '',
        '--XX',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'See the attached patch.',
        '--XX',
        'Content-Type: text/x-patch; name="0001-fix.patch"',
        'Content-Disposition: attachment; filename="0001-fix.patch"',
        'Content-Transfer-Encoding: base64',
        '',
        btoa('diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n'),
        '--XX--',
        '',
      ].join('\n'),
    );
    assert.match(m.body, /See the attached patch/);
    assert.equal(m.attachedPatches.length, 1);
    assert.match(m.attachedPatches[0]!, /^diff --git a\/x.c/);
  });

  test('no Message-ID: the fallback id is used and marked', async () => {
    const m = await ok('From 1234 Mon Sep 17 00:00:00 2001\nFrom: a@b\nSubject: [PATCH 1/2] x\n\nbody\n'.split('\n').slice(1).join('\n'), '0001-x.patch');
    assert.equal(m.msgid, '0001-x.patch');
    assert.equal(m.syntheticId, true);
  });

  test('a repeated header: the first wins', async () => {
    const m = await ok('Subject: first\nSubject: second\nFrom: a@b\nMessage-ID: <one@x>\nMessage-ID: <two@x>\n\nx\n');
    assert.equal(m.subject, 'first');
    assert.equal(m.msgid, 'one@x');
  });

  test('CRLF line ends are read as LF', async () => {
    const m = await ok('Subject: s\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\n');
    assert.equal(m.subject, 's');
    assert.equal(m.body, 'line 1\nline 2\n');
  });

  describe('bad input becomes an error with a reason', () => {
    const bad = async (bytes: Uint8Array) => {
      const r = await parseMessage(bytes, 'f', { ...DEFAULT_LIMITS, maxMessageBytes: 1024 * 1024 });
      assert.equal(r.ok, false);
      return r.ok ? '' : r.error;
    };
    test('an absurdly long header', async () => {
      assert.match(await bad(enc(`Subject: ${'x'.repeat(300_000)}\nFrom: a@b\n\nbody\n`)), /header block is \d+ bytes, over the 262144-byte limit/);
    });
    test('an oversized message', async () => {
      assert.match(await bad(new Uint8Array(2 * 1024 * 1024).fill(0x61)), /message is 2\.0 MiB, over the 1 MiB limit/);
    });
    test('garbage bytes', async () => {
      assert.match(await bad(new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x0a, 0x41])), /not a mail message/);
    });
    test('an empty message', async () => {
      assert.match(await bad(new Uint8Array(0)), /no headers/);
    });
  });

  test('deeply nested multipart does not hang', async () => {
    let text = 'Subject: deep\nFrom: a@b\nContent-Type: multipart/mixed; boundary=b0\n\n';
    for (let i = 0; i < 500; i++) text += `--b${i}\nContent-Type: multipart/mixed; boundary=b${i + 1}\n\n`;
    const started = Date.now();
    const r = await parseMessage(enc(text), 'f');
    assert.ok(Date.now() - started < 5000);
    assert.ok(r.ok || /MIME/.test(r.error));
  });

  test('fuzz: any bytes give a result, never a throw, quickly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.array(fc.constantFrom('Subject: x', 'From: a@b', 'Content-Type: multipart/mixed; boundary=q', '--q', '--q--', 'Content-Transfer-Encoding: base64', 'Content-Transfer-Encoding: quoted-printable', '=C3=', '', 'body', '=?utf-8?q?x?=', ': :', '\r'), { maxLength: 40 }).map((ls) => enc(ls.join('\n'))),
        ),
        async (bytes) => {
          const r = await parseMessage(bytes, 'f');
          if (!r.ok) assert.ok(r.error.length > 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseMsgIds', () => {
  test('bracketed ids in order, and a bare one', () => {
    assert.deepEqual(parseMsgIds('<a@b> (comment) <c@d>'), ['a@b', 'c@d']);
    assert.deepEqual(parseMsgIds('bare@id'), ['bare@id']);
    assert.deepEqual(parseMsgIds(''), []);
    assert.deepEqual(parseMsgIds(undefined), []);
  });
});

describe('an mbox of good and bad messages', () => {
  test('fuzz: every good message is read, every bad one is one error, in any mix', async () => {
    const bad = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => new TextDecoder('latin1').decode(b.map((x) => (x === 0x0a ? 0x20 : x)))),
      fc.constant(`Subject: ${'z'.repeat(270_000)}\nFrom: a@b\n\nbody`),
      fc.constant('no header here\n\nbody'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constant('good' as const), bad), { minLength: 1, maxLength: 12 }), async (mix) => {
        const text = mix
          .map((m, i) => `From x Mon Jan  1 00:00:00 2024\n${m === 'good' ? `Subject: good ${i}\nFrom: a@b\nMessage-ID: <g${i}@x>\n\nok\n` : m.replace(/^From /gm, '>From ')}\n`)
          .join('');
        let good = 0;
        let errors = 0;
        for (const entry of splitMbox(enc(text))) {
          const r = await parseMessage(entry.bytes, 'f');
          if (r.ok && /^g\d+@x$/.test(r.value.msgid)) good++;
          else if (!r.ok) errors++;
        }
        assert.equal(good, mix.filter((m) => m === 'good').length);
        assert.equal(errors, mix.length - good);
      }),
      { numRuns: 100 },
    );
  });
});
