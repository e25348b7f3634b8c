/**
 * Saving a composed reply instead of sending it: appended to an mbox (the
 * workspace's `.execmem-lens/outbox.mbox`, or a setting), as mboxrd writes
 * a message (a "From " separator line, each ">*From " line of the mail given
 * one more ">"), so that any mail client, `git send-email` or this
 * extension's own reader takes it back. A failed write leaves the file as it
 * was.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import * as path from 'node:path';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The separator line: "From addr Tue Dec  1 09:00:00 2026" (asctime, UTC). */
export function separatorLine(sender: string, d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const addr = /^[^\s]+$/.test(sender) ? sender : 'MAILER-DAEMON';
  return `From ${addr} ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Appends one mail (RFC 5322 bytes) to the mbox `file`, creating it and its folder; gives the file's size before and after. */
export function appendToMbox(file: string, mail: Buffer, sender: string, now: Date): { from: number; to: number } {
  mkdirSync(path.dirname(file), { recursive: true });
  const text = mail.toString('utf8').replace(/\r\n/g, '\n');
  const escaped = text.replace(/^(>*From )/gm, '>$1');
  const fd = openSync(file, 'a+', 0o644);
  try {
    const size = fstatSync(fd).size;
    // A message before ends with a blank line; the separator starts a line of its own.
    let lead = '';
    if (size > 0) {
      const tail = Buffer.alloc(Math.min(2, size));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      const t = tail.toString('latin1');
      lead = t.endsWith('\n\n') || (size === 1 && t === '\n') ? '' : t.endsWith('\n') ? '\n' : '\n\n';
    }
    const out = Buffer.from(`${lead}${separatorLine(sender, now)}\n${escaped.endsWith('\n') ? escaped : `${escaped}\n`}\n`, 'utf8');
    try {
      for (let done = 0; done < out.length; ) done += writeSync(fd, out, done, out.length - done);
      fsyncSync(fd);
    } catch (e) {
      // Nothing half-written: the file goes back to what it was.
      try {
        ftruncateSync(fd, size);
      } catch {
        // The error below says what failed.
      }
      throw new Error(`${file}: the reply could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { from: size, to: size + out.length };
  } finally {
    closeSync(fd);
  }
}
