/**
 * A file replaced whole or not at all: written to `<file>.<pid>.tmp`,
 * flushed, renamed over the file, and the folder flushed, so that a crash
 * leaves either the old bytes or the new ones, never a mix.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** Writes `bytes` to `file` atomically; on failure the temp file is removed and the error names `file`. */
export function writeAtomically(file: string, bytes: Uint8Array | readonly Uint8Array[], what: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    for (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
      for (let at = 0; at < chunk.byteLength; ) at += writeSync(fd, chunk, at, chunk.byteLength - at);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
    throw new Error(`${file}: ${what} could not be written: ${(e as Error).message}`);
  }
  closeSync(fd);
  renameSync(tmp, file);
  flushFolder(dir);
}

/** Flushes a folder (a rename in it made durable). */
export function flushFolder(dir: string): void {
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Some file systems cannot flush a folder; the rename itself is still atomic.
  }
}
