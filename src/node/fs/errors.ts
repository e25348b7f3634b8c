/**
 * The one read failure the tree readers expect, and the words for the rest.
 * A path that is not there (a 6.1 tree has no execmem.h, a dangling symlink,
 * a file deleted while a checkout runs) is an answer; any other failure
 * (EISDIR, EACCES, EIO) is said with the file named (house style).
 */

/** Whether a failed read or stat only says the path is not there. */
export function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The error to throw for a read that failed some other way; Node's own message does not always name the file (EISDIR). */
export function unreadable(file: string, e: unknown): Error {
  return new Error(`${file}: could not be read: ${e instanceof Error ? e.message : String(e)}`);
}
