/**
 * Sending with git send-email (Debian git-email) through a mail server the
 * test starts on 127.0.0.1: the reply arrives as composed (threading headers,
 * 8bit UTF-8 body, the Message-ID kept, the names as composed), to exactly
 * the To and Cc given (not the trailer's giver again, not the configuration's
 * own Cc and Bcc); a server that refuses gives git's error.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeMessage, mailboxesOf } from '../../../src/core/mail/message';
import { composeReply } from '../../../src/core/review/reply';
import { replyMail } from '../../../src/node/review/mail';
import { mailboxArg, sendWithGit } from '../../../src/node/review/send';
import { smtpGitConfig, startSmtp } from '../../support/smtp';

const dir = mkdtempSync(path.join(tmpdir(), 'execmem-send-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const noSendEmail = spawnSync('git', ['send-email', '--help'], { encoding: 'utf8' }).status !== 0 ? 'git send-email is not installed (Debian: git-email)' : false;

const me = { name: 'Rév Iewer', address: 'reviewer@example.org' };

function reply(): Buffer {
  const r = composeReply(
    {
      msgid: 'orig@kernel.org',
      subject: '[PATCH v1 04/13] mm: x',
      from: { name: 'Mike Rapoport', address: 'rppt@kernel.org' },
      date: '2023-06-01T10:12:48.000Z',
      to: [{ name: 'Andrew Morton', address: 'akpm@linux-foundation.org' }],
      cc: [{ name: '', address: 'linux-mm@kvack.org' }, me],
      inReplyTo: 'cover@kernel.org',
      references: ['cover@kernel.org'],
      body: 'The change.\n',
    },
    { me, comments: [{ path: '', side: 'new', line: 0, text: 'Ça va.' }], trailer: 'Reviewed-by', messageId: 'sent-1@example.org', date: new Date() },
  );
  assert.ok(r.ok);
  return replyMail(r.value);
}

describe('git send-email', { skip: noSendEmail }, () => {
  test('the reply reaches the server as composed, to exactly its To and Cc', async () => {
    const smtp = await startSmtp();
    try {
      const repo = path.join(dir, 'ok');
      execFileSync('git', ['init', '-q', repo]);
      for (const [k, v] of smtpGitConfig(smtp.port)) execFileSync('git', ['-C', repo, 'config', k, v]);
      // Recipients the configuration would add to every mail: not to this one.
      execFileSync('git', ['-C', repo, 'config', 'sendemail.cc', 'always-cc@example.org']);
      execFileSync('git', ['-C', repo, 'config', 'sendemail.bcc', 'always-bcc@example.org']);
      const r = await sendWithGit(reply(), {
        cwd: repo,
        from: mailboxArg(me),
        to: [mailboxArg({ name: 'Rapoport, Mike', address: 'rppt@kernel.org' })],
        cc: [mailboxArg({ name: 'Andrew "akpm" Morton', address: 'akpm@linux-foundation.org' }), mailboxArg({ name: '', address: 'linux-mm@kvack.org' })],
      });
      assert.ok(r.ok, !r.ok ? r.error : '');
      assert.equal(smtp.received.length, 1);
      const got = smtp.received[0]!;
      assert.equal(got.from, 'reviewer@example.org');
      assert.deepEqual([...got.to].sort(), ['akpm@linux-foundation.org', 'linux-mm@kvack.org', 'rppt@kernel.org']);
      const m = decodeMessage(got.raw, 'x');
      assert.ok('ok' in m && m.ok);
      assert.equal(m.value.msgid, 'sent-1@example.org');
      assert.equal(m.value.inReplyTo, 'orig@kernel.org');
      assert.deepEqual(m.value.references, ['cover@kernel.org', 'orig@kernel.org']);
      assert.equal(m.value.subject, 'Re: [PATCH v1 04/13] mm: x');
      assert.deepEqual(m.value.from, { name: 'Rév Iewer', address: 'reviewer@example.org' });
      // A name with a comma is one mailbox, with its name.
      assert.deepEqual(mailboxesOf(m.value.to), [{ name: 'Rapoport, Mike', address: 'rppt@kernel.org' }]);
      assert.deepEqual(mailboxesOf(m.value.cc).map((x) => x.address), ['akpm@linux-foundation.org', 'linux-mm@kvack.org']);
      assert.match(m.value.body, /^Ça va\.$/m);
      assert.match(m.value.body, /^Reviewed-by: Rév Iewer <reviewer@example\.org>$/m);
      assert.ok(!/^From: /m.test(m.value.body), 'git did not put a From line in the body (the sender is the author)');
    } finally {
      await smtp.close();
    }
  });

  test('a mailbox as one argument: quoted when its name needs it, never a line break', () => {
    assert.equal(mailboxArg({ name: 'Mike Rapoport', address: 'rppt@kernel.org' }), 'Mike Rapoport <rppt@kernel.org>');
    assert.equal(mailboxArg({ name: 'Edgecombe, Rick P', address: 'rick@x.org' }), '"Edgecombe, Rick P" <rick@x.org>');
    assert.equal(mailboxArg({ name: 'A "q" \\ b', address: 'a@x.org' }), '"A \\"q\\" \\\\ b" <a@x.org>');
    assert.equal(mailboxArg({ name: 'Evil\r\nCc: x@y', address: 'e@x.org' }), '"Evil Cc: x@y" <e@x.org>');
    assert.equal(mailboxArg({ name: '', address: 'a@x.org' }), 'a@x.org');
  });

  test('a server that refuses a recipient: not sent, and git says why', async () => {
    const smtp = await startSmtp({ refuse: (a) => a === 'rppt@kernel.org' });
    try {
      const repo = path.join(dir, 'refused');
      execFileSync('git', ['init', '-q', repo]);
      for (const [k, v] of smtpGitConfig(smtp.port)) execFileSync('git', ['-C', repo, 'config', k, v]);
      const r = await sendWithGit(reply(), { cwd: repo, from: 'Rév Iewer <reviewer@example.org>', to: ['rppt@kernel.org'], cc: [] });
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error : '', /^git send-email failed: .*(550|no mailbox)/s);
      assert.equal(smtp.received.length, 0);
    } finally {
      await smtp.close();
    }
  });
});
