/**
 * Sending a composed reply with the reviewer's own `git send-email` (Debian:
 * git-email) and its own configuration (sendemail.smtpServer and the rest):
 * the extension keeps no credentials and speaks no SMTP itself. The mail is
 * handed over as a file; its From, To and Cc are given on the command line
 * as the reviewer confirmed them, and git is told to add no one else (the
 * trailer of a reply would otherwise Cc its giver again) and to keep the
 * body's 8bit text as it is.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A mailbox as one argument git reads back as that mailbox (RFC 5322): a
 * name with anything but letters, digits and spaces quoted ("Edgecombe,
 * Rick P" would otherwise be two recipients), control characters dropped.
 */
export function mailboxArg(m: { name: string; address: string }): string {
  const address = m.address.replace(/[\u0000-\u0020\u007f<>]/g, '');
  const name = m.name.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!name) return address;
  return /^[A-Za-z0-9 ]+$/.test(name) ? `${name} <${address}>` : `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
}

export interface SendOptions {
  /** Where git runs (its repository's configuration applies). */
  cwd?: string;
  from: string;
  to: string[];
  cc: string[];
  env?: NodeJS.ProcessEnv;
  /** Longest it may take (ms). */
  timeout?: number;
}

/** Sends `mail` (RFC 5322 bytes); what git printed, or why it failed (git's own words). */
export async function sendWithGit(mail: Buffer, opts: SendOptions): Promise<{ ok: true; output: string } | { ok: false; error: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'execmem-send-'));
  const file = path.join(dir, 'reply.eml');
  // A file as git send-email reads one: LF line endings (it writes CRLF to the server itself).
  writeFileSync(file, Buffer.from(mail.toString('utf8').replace(/\r\n/g, '\n'), 'utf8'));
  const args = [
    'send-email',
    '--confirm=never',
    '--suppress-cc=all',
    '--no-thread',
    '--transfer-encoding=8bit',
    `--from=${opts.from}`,
    // Only the recipients given: none from sendemail.to, .cc, .bcc or their commands in the configuration.
    '--no-to',
    '--no-cc',
    '--no-bcc',
    ...opts.to.map((a) => `--to=${a}`),
    ...opts.cc.map((a) => `--cc=${a}`),
    file,
  ];
  try {
    return await new Promise((resolve) => {
      const child = execFile('git', args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeout ?? 120_000, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' }, (e, stdout, stderr) => {
        if (!e) return resolve({ ok: true, output: `${stdout}${stderr}`.trim() });
        const said = `${stderr}`.trim() || `${stdout}`.trim();
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : /is not a git command|git-send-email/.test(said) && /not a git command/.test(said) ? "git send-email is not installed (Debian: apt-get install git-email)" : null;
        resolve({ ok: false, error: missing ?? (said ? `git send-email failed: ${said}` : `git send-email failed: ${e.message}`) });
      });
      // No question can be answered here: git gets no terminal and no input.
      child.stdin?.end();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
