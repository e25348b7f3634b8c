/**
 * A SQLite VFS over Node's file API, for the WebAssembly build of SQLite.
 *
 * Why one of our own: that build's "unix" VFS writes to Emscripten's
 * in-memory file system, and its persistent VFSes are the browser's (OPFS,
 * kvvfs). Without one, an index is a database held whole in WebAssembly
 * memory, read whole to open it and written whole at every change: tens of
 * megabytes that a process keeps (WebAssembly memory never shrinks), a
 * rewrite of the whole file for each new message, and a hard wall at 4 GiB.
 * Through this VFS SQLite reads and writes the pages it needs, keeps a page
 * cache of its own size, and makes a change atomic the way it does on every
 * platform: a rollback journal written and flushed before the database is
 * touched, and played back by the next reader if the writer died mid-way
 * (https://www.sqlite.org/atomiccommit.html).
 *
 * Locking: Node has no byte-range locks, so a database is locked whole, by
 * a lock file beside it (`<db>.lock`, created exclusively, holding the
 * owner's process id), as SQLite's own "unix-dotfile" VFS does: readers and
 * writers of other connections wait (SQLITE_BUSY) while one holds it. A lock
 * file whose process is gone is taken over.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm' with { 'resolution-mode': 'import' };

export const VFS_NAME = 'execmem-node';

/**
 * Set by tests: 'half' kills the process halfway through its first write to
 * a main database file; 'enospc' makes every such write fail as a full disk
 * would.
 */
const CRASH_ENV = 'EXECMEM_LENS_TEST_CRASH_INDEX_WRITE';

/** What the file system last said when an operation failed (SQLite itself reports only "disk I/O error"). */
let lastIoError = '';

/** The file system's reason for the last failed operation, once (then forgotten). */
export function takeIoError(): string {
  const e = lastIoError;
  lastIoError = '';
  return e;
}

interface Handle {
  fd: number;
  file: string;
  main: boolean;
  deleteOnClose: boolean;
  /** The lock level SQLite asked for (NONE..EXCLUSIVE). */
  level: number;
}

/** The lock files this process holds, and the handle that holds each. */
const held = new Map<string, Handle>();

/** Whether a process is alive (EPERM: it is, only not ours to signal). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file of a database, or says it is taken (by another process, or another connection here). */
function takeLock(h: Handle): boolean {
  const lock = `${h.file}.lock`;
  const mine = held.get(lock);
  if (mine) return mine === h;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      held.set(lock, h);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!staleLock(lock)) return false;
  }
  return false;
}

/** A lock file left by a process that is gone (taken away), or by a live one (kept). */
function staleLock(lock: string): boolean {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8').trim();
  } catch {
    return true;
  }
  const pid = Number(text);
  // An empty file: its writer died between creating and writing it, or is writing now; its age tells.
  if (text === '' || !Number.isInteger(pid) || pid <= 0) {
    try {
      const fd = openSync(lock, 'r');
      const age = Date.now() - fstatSync(fd).mtimeMs;
      closeSync(fd);
      if (age < 10_000) return false;
    } catch {
      return true;
    }
  } else if (pid === process.pid || alive(pid)) {
    // Ours, but no handle of this process holds it: a connection that died without unlocking.
    if (pid !== process.pid || held.has(lock)) return false;
  }
  try {
    unlinkSync(lock);
  } catch {
    // Someone else took it away first.
  }
  return true;
}

function dropLock(h: Handle): void {
  const lock = `${h.file}.lock`;
  if (held.get(lock) !== h) return;
  held.delete(lock);
  try {
    unlinkSync(lock);
  } catch {
    // Gone already.
  }
}

/** Flushes a folder's entries (a created or deleted journal) to disk, where the file system can. */
function syncDir(file: string): void {
  try {
    const fd = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot flush a folder.
  }
}

/*
 * The parts of SQLite's JavaScript API a VFS uses, typed loosely: the
 * package's own types say a method returns its result-code union, where a
 * VFS method returns any SQLite code (SQLITE_IOERR_SHORT_READ, ...).
 */
interface Struct {
  readonly pointer: number;
  dispose(): void;
  [field: `$${string}`]: unknown;
}
type Method = (...args: never[]) => number;
interface VfsApi {
  capi: Record<string, unknown> & {
    sqlite3_io_methods: new () => Struct;
    sqlite3_vfs: new () => Struct;
    sqlite3_file: (new (p: number) => Struct) & { structInfo: { sizeof: number } };
  };
  wasm: { heap8u(): Uint8Array; poke32(p: number, v: number): void; poke64(p: number, v: bigint): void; cstrToJs(p: number): string | null };
  vfs: { installVfs(o: { io: { struct: Struct; methods: Record<string, Method> }; vfs: { struct: Struct; name: string; methods: Record<string, Method> } }): void };
}

const installed = new WeakSet<object>();

/** Registers the VFS with this SQLite (once); databases opened with `{ vfs: VFS_NAME }` use it. */
export function installFileVfs(sqlite: Sqlite3Static): void {
  if (installed.has(sqlite)) return;
  const api = sqlite as unknown as VfsApi;
  const capi = api.capi;
  const wasm = api.wasm;
  const code = (name: string): number => {
    const v = capi[name];
    if (typeof v !== 'number') throw new Error(`SQLite has no ${name}`);
    return v;
  };
  const K = {
    BUSY: code('SQLITE_BUSY'),
    CANTOPEN: code('SQLITE_CANTOPEN'),
    IOCAP_POWERSAFE_OVERWRITE: code('SQLITE_IOCAP_POWERSAFE_OVERWRITE'),
    IOERR_CHECKRESERVEDLOCK: code('SQLITE_IOERR_CHECKRESERVEDLOCK'),
    IOERR_CLOSE: code('SQLITE_IOERR_CLOSE'),
    IOERR_DELETE: code('SQLITE_IOERR_DELETE'),
    IOERR_DELETE_NOENT: code('SQLITE_IOERR_DELETE_NOENT'),
    IOERR_FSTAT: code('SQLITE_IOERR_FSTAT'),
    IOERR_FSYNC: code('SQLITE_IOERR_FSYNC'),
    IOERR_LOCK: code('SQLITE_IOERR_LOCK'),
    IOERR_READ: code('SQLITE_IOERR_READ'),
    IOERR_SHORT_READ: code('SQLITE_IOERR_SHORT_READ'),
    IOERR_TRUNCATE: code('SQLITE_IOERR_TRUNCATE'),
    IOERR_UNLOCK: code('SQLITE_IOERR_UNLOCK'),
    IOERR_WRITE: code('SQLITE_IOERR_WRITE'),
    NOTFOUND: code('SQLITE_NOTFOUND'),
    OPEN_CREATE: code('SQLITE_OPEN_CREATE'),
    OPEN_DELETEONCLOSE: code('SQLITE_OPEN_DELETEONCLOSE'),
    OPEN_EXCLUSIVE: code('SQLITE_OPEN_EXCLUSIVE'),
    OPEN_MAIN_DB: code('SQLITE_OPEN_MAIN_DB'),
    OPEN_READONLY: code('SQLITE_OPEN_READONLY'),
  };
  const handles = new Map<number, Handle>();
  let crashAfter = process.env[CRASH_ENV] === 'half' ? 1 : 0;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));

  const io = new capi.sqlite3_io_methods();
  const vfs = new capi.sqlite3_vfs();
  const fail = (code: number, e: unknown): number => {
    lastIoError = e instanceof Error ? e.message : String(e);
    return code;
  };
  const handle = (pFile: number): Handle => {
    const h = handles.get(pFile);
    if (!h) throw new Error('no such file handle');
    return h;
  };

  io.$iVersion = 1;
  vfs.$iVersion = 2;
  vfs.$szOsFile = capi.sqlite3_file.structInfo.sizeof;
  vfs.$mxPathname = 1024;

  api.vfs.installVfs({
    io: {
      struct: io,
      methods: {
        xClose(pFile: number): number {
          const h = handles.get(pFile);
          if (!h) return 0;
          handles.delete(pFile);
          try {
            if (h.main) dropLock(h);
            closeSync(h.fd);
            if (h.deleteOnClose) unlinkSync(h.file);
            return 0;
          } catch (e) {
            return fail(K.IOERR_CLOSE, e);
          }
        },
        xRead(pFile: number, pDest: number, n: number, offset: bigint | number): number {
          try {
            const h = handle(pFile);
            const at = Number(offset);
            let got = 0;
            while (got < n) {
              // The view is taken again each time: growing WebAssembly memory detaches the old one.
              const r = readSync(h.fd, wasm.heap8u(), Number(pDest) + got, n - got, at + got);
              if (r === 0) break;
              got += r;
            }
            if (got < n) {
              wasm.heap8u().fill(0, Number(pDest) + got, Number(pDest) + n);
              return K.IOERR_SHORT_READ;
            }
            return 0;
          } catch (e) {
            return fail(K.IOERR_READ, e);
          }
        },
        xWrite(pFile: number, pSrc: number, n: number, offset: bigint | number): number {
          try {
            const h = handle(pFile);
            if (h.main && process.env[CRASH_ENV] === 'enospc') throw new Error(`ENOSPC: no space left on device, write (${h.file})`);
            if (h.main && crashAfter > 0 && --crashAfter === 0) {
              // Tests: half of this write reaches the file, then the process dies.
              writeSync(h.fd, wasm.heap8u(), Number(pSrc), n >> 1, Number(offset));
              fsyncSync(h.fd);
              process.kill(process.pid, 'SIGKILL');
            }
            const at = Number(offset);
            for (let put = 0; put < n; ) put += writeSync(h.fd, wasm.heap8u(), Number(pSrc) + put, n - put, at + put);
            return 0;
          } catch (e) {
            return fail(K.IOERR_WRITE, e);
          }
        },
        xTruncate(pFile: number, size: bigint | number): number {
          try {
            ftruncateSync(handle(pFile).fd, Number(size));
            return 0;
          } catch (e) {
            return fail(K.IOERR_TRUNCATE, e);
          }
        },
        xSync(pFile: number): number {
          try {
            fsyncSync(handle(pFile).fd);
            return 0;
          } catch (e) {
            return fail(K.IOERR_FSYNC, e);
          }
        },
        xFileSize(pFile: number, pSize: number): number {
          try {
            wasm.poke64(pSize, BigInt(fstatSync(handle(pFile).fd).size));
            return 0;
          } catch (e) {
            return fail(K.IOERR_FSTAT, e);
          }
        },
        xLock(pFile: number, level: number): number {
          try {
            const h = handle(pFile);
            if (h.level === 0 && level > 0 && !takeLock(h)) return K.BUSY;
            h.level = Math.max(h.level, level);
            return 0;
          } catch (e) {
            return fail(K.IOERR_LOCK, e);
          }
        },
        xUnlock(pFile: number, level: number): number {
          try {
            const h = handle(pFile);
            if (level === 0 && h.level > 0) dropLock(h);
            h.level = Math.min(h.level, level);
            return 0;
          } catch (e) {
            return fail(K.IOERR_UNLOCK, e);
          }
        },
        xCheckReservedLock(pFile: number, pOut: number): number {
          try {
            const h = handle(pFile);
            const lock = `${h.file}.lock`;
            const other = held.has(lock) ? held.get(lock) !== h : existsSync(lock) && !staleLock(lock);
            wasm.poke32(pOut, other ? 1 : 0);
            return 0;
          } catch (e) {
            return fail(K.IOERR_CHECKRESERVEDLOCK, e);
          }
        },
        xFileControl(): number {
          return K.NOTFOUND;
        },
        xSectorSize(): number {
          return 4096;
        },
        xDeviceCharacteristics(): number {
          // A page write either replaces the page or not on the file systems in use; nothing else is promised.
          return K.IOCAP_POWERSAFE_OVERWRITE;
        },
      },
    },
    vfs: {
      struct: vfs,
      name: VFS_NAME,
      methods: {
        xOpen(_pVfs: number, zName: number, pFile: number, flags: number, pOutFlags: number): number {
          try {
            let file = (zName ? wasm.cstrToJs(zName) : '') ?? '';
            const temp = !file;
            // SQLite asks for a nameless temporary file at times (large sorts); one in the OS's folder, removed on close.
            if (temp) file = path.join(tmpdir(), `execmem-sqlite-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
            const readOnly = (flags & K.OPEN_READONLY) !== 0;
            const create = (flags & K.OPEN_CREATE) !== 0;
            const mode = readOnly ? constants.O_RDONLY : constants.O_RDWR | (create ? constants.O_CREAT : 0) | ((flags & K.OPEN_EXCLUSIVE) !== 0 ? constants.O_EXCL : 0);
            const fd = openSync(file, mode, 0o644);
            handles.set(pFile, {
              fd,
              file,
              main: (flags & K.OPEN_MAIN_DB) !== 0,
              deleteOnClose: temp || (flags & K.OPEN_DELETEONCLOSE) !== 0,
              level: 0,
            });
            const f = new capi.sqlite3_file(pFile);
            f.$pMethods = io.pointer;
            f.dispose();
            if (pOutFlags) wasm.poke32(pOutFlags, flags);
            return 0;
          } catch (e) {
            return fail(K.CANTOPEN, e);
          }
        },
        xDelete(_pVfs: number, zName: number, dirSync: number): number {
          const file = wasm.cstrToJs(zName) ?? '';
          try {
            unlinkSync(file);
            if (dirSync) syncDir(file);
            return 0;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') return K.IOERR_DELETE_NOENT;
            return fail(K.IOERR_DELETE, e);
          }
        },
        xAccess(_pVfs: number, zName: number, _flags: number, pOut: number): number {
          wasm.poke32(pOut, existsSync(wasm.cstrToJs(zName) ?? '') ? 1 : 0);
          return 0;
        },
        xFullPathname(_pVfs: number, zName: number, nOut: number, pOut: number): number {
          const full = path.resolve(wasm.cstrToJs(zName) ?? '');
          const bytes = Buffer.from(`${full}\0`);
          if (bytes.length > nOut) return K.CANTOPEN;
          wasm.heap8u().set(bytes, Number(pOut));
          return 0;
        },
        xRandomness(_pVfs: number, n: number, pOut: number): number {
          randomFillSync(wasm.heap8u(), Number(pOut), n);
          return n;
        },
        xSleep(_pVfs: number, micros: number): number {
          Atomics.wait(sleeper, 0, 0, Math.max(1, Math.round(micros / 1000)));
          return micros;
        },
        xCurrentTimeInt64(_pVfs: number, pOut: number): number {
          // Milliseconds since the Julian epoch, as SQLite counts time.
          wasm.poke64(pOut, BigInt(Date.now()) + 210866760000000n);
          return 0;
        },
        xGetLastError(_pVfs: number, n: number, pOut: number): number {
          if (n > 0) {
            const bytes = Buffer.from(lastIoError).subarray(0, n - 1);
            wasm.heap8u().set(bytes, Number(pOut));
            wasm.heap8u()[Number(pOut) + bytes.length] = 0;
          }
          return 0;
        },
      },
    },
  });
  installed.add(sqlite);
}
