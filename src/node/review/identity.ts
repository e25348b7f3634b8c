/**
 * Who the reviewer is, as git send-email would say: `sendemail.from`, else
 * `user.name` and `user.email`, from the git configuration that applies in
 * `cwd` (the repository's, the user's, the system's). The extension stores no
 * identity of its own.
 */
import { execFile } from 'node:child_process';
import type { Mailbox } from '../../core/mail/message';
import { parsePerson } from '../../core/mail/trailers';

function gitConfig(key: string, cwd: string | undefined, env: NodeJS.ProcessEnv | undefined): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--get', key], { cwd, env, encoding: 'utf8' }, (e, out) => resolve(e ? null : out.trim() || null));
  });
}

/** The identity git gives, or why there is none. */
export async function gitIdentity(cwd?: string, env?: NodeJS.ProcessEnv): Promise<{ ok: true; value: Mailbox; source: string } | { ok: false; error: string }> {
  const from = await gitConfig('sendemail.from', cwd, env);
  if (from) {
    const p = parsePerson(from);
    if (p?.address) return { ok: true, value: p, source: 'sendemail.from' };
    return { ok: false, error: `git config sendemail.from is '${from}', not "Name <address>"` };
  }
  const [name, email] = await Promise.all([gitConfig('user.name', cwd, env), gitConfig('user.email', cwd, env)]);
  if (email) return { ok: true, value: { name: name ?? '', address: email }, source: 'user.name and user.email' };
  return { ok: false, error: 'git config has neither sendemail.from nor user.email: set one (git config --global user.email you@example.org), or give the sender' };
}
