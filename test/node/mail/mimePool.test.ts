import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, postalMimeParser } from '../../../src/core/mail/message';
import { MimeWorkerPool } from '../../../src/node/mail/mimePool';

const multipart = (n: number) =>
  new TextEncoder().encode(
    [
      'Subject: =?utf-8?q?Re=3A_[PATCH]_J=C3=BCrgen?=',
      'From: a@b',
      `Message-ID: <m${n}@x>`,
      'Content-Type: multipart/signed; boundary="S"; protocol="application/pgp-signature"',
      '',
      '--S',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `Reviewed-by: J=C3=BCrgen <j@x> number ${n}`,
      'a soft=',
      ' break',
      '--S',
      'Content-Type: application/pgp-signature',
      '',
      '-----BEGIN PGP SIGNATURE-----',
      '--S--',
      '',
    ].join('\n'),
  );

test('the worker pool parses as postal-mime does in-process, in and past the in-process start', async () => {
  const pool = new MimeWorkerPool();
  try {
    const n = MimeWorkerPool.IN_PROCESS_FIRST + 8;
    const viaPool = await Promise.all(Array.from({ length: n }, (_, i) => pool.parse(multipart(i), DEFAULT_LIMITS)));
    for (let i = 0; i < n; i++) {
      const direct = await postalMimeParser(multipart(i), DEFAULT_LIMITS);
      assert.equal(viaPool[i]!.text, direct.text);
      assert.equal(viaPool[i]!.subject, direct.subject);
      assert.deepEqual(viaPool[i]!.attachments.map((a) => a.mimeType), direct.attachments.map((a) => a.mimeType));
    }
    assert.match(viaPool[n - 1]!.text ?? '', /Reviewed-by: Jürgen <j@x> number 23\na soft break/);
  } finally {
    await pool.close();
  }
});
