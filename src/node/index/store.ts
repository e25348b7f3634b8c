/**
 * A mail index on disk: one SQLite database file (schema below), read whole
 * into an in-memory database and written whole, atomically.
 *
 *   meta      key/value: the schema version (also PRAGMA user_version), the
 *             tool that wrote it
 *   sources   one row per mail source (its absolute path): kind, list name,
 *             and what was indexed of it (JSON: per public-inbox epoch the
 *             last commit; for an mbox its size and checksums; for a folder
 *             each file's size and mtime)
 *   messages  one row per message read, in reading order: where to read it
 *             again (loc), its headers, its facts (JSON: see
 *             core/series/facts.ts), the list it came from; an unreadable
 *             message is a row with kind 'error' and the reason
 *   addrs     every address seen in To and Cc, once: a message's To and Cc
 *             are numbers into it (kernel mail Cc's dozens of people, the
 *             same ones again and again; written out, they were a third of
 *             an index)
 * An index file holds one source (its sources row).
 *
 * Writing: the database is exported to bytes, written to a temporary file
 * beside the index, flushed to disk, and renamed over the index (then the
 * folder is flushed), so a crash at any moment leaves either the old index
 * or the new one, never half of one. Reading: a file that is not a SQLite
 * database of this schema version is set aside and rebuilt, with a note
 * saying why.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm' with { 'resolution-mode': 'import' };
import { loadSqlite } from './sqlite';
import { writeAtomically } from '../fs/atomic';

/** Bumped whenever the tables or the facts change shape: an older index is rebuilt. */
export const SCHEMA_VERSION = 2;

type Db = InstanceType<Sqlite3Static['oo1']['DB']>;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, list TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE addrs (id INTEGER PRIMARY KEY, addr TEXT NOT NULL UNIQUE);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  loc TEXT NOT NULL,
  msgid TEXT,
  time INTEGER NOT NULL DEFAULT 0,
  head TEXT NOT NULL,
  facts TEXT,
  error TEXT,
  text TEXT
);
`;

/*
 * The rest of a message's headers are one JSON array, \`head\`:
 *   [origin, list, synthetic (0/1), subject, from name, from address, date
 *    (ISO 8601 or null), In-Reply-To, References (space-separated), To and
 *    Cc (address numbers, space-separated, or null), size]
 * Reading an index back is reading every row: one text per row to decode
 * and parse, where a column each cost a conversion out of WebAssembly
 * memory each (53,000 rows × 19 columns).
 */
type Head = [string, string, 0 | 1, string, string, string, string | null, string | null, string, string | null, string | null, number];

export interface MessageRow {
  kind: 'message' | 'error';
  loc: string;
  origin: string;
  list: string;
  msgid: string | null;
  synthetic: boolean;
  subject: string;
  fromName: string;
  fromAddr: string;
  date: string | null;
  time: number;
  irt: string | null;
  refs: string[];
  /** Addresses, lower case (names are not kept). */
  to: string[] | null;
  cc: string[] | null;
  size: number;
  /** JSON of the message's facts; null for an error. */
  facts: string | null;
  error: string | null;
  /**
   * JSON {body, attachedPatches} of a message that needed the full MIME
   * parse (multipart mail, a few in a hundred): read again, it could not be
   * decoded synchronously, so its text is kept. Null for the rest.
   */
  text: string | null;
}

/** A row as read back: To and Cc as numbers into the address table (see addresses()). */
export type StoredRow = Omit<MessageRow, 'text' | 'to' | 'cc'> & { toIds: string | null; ccIds: string | null; hasText: boolean };

export interface SourceRow {
  id: string;
  kind: string;
  list: string;
  state: unknown;
}

/** Set by tests: the write stops (the process is killed) halfway through the temporary file. */
const CRASH_ENV = 'EXECMEM_LENS_TEST_CRASH_INDEX_WRITE';

class Problem extends Error {}

/** An index file's bytes in WebAssembly memory. */
interface Image {
  ptr: number;
  size: number;
}

/** Whether an error is SQLite finding a damaged database (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isDamage(e: unknown): boolean {
  return e instanceof Error && /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i.test(e.message);
}

export class IndexStore {
  private closed = false;
  private constructor(
    private readonly sqlite: Sqlite3Static,
    private db: Db,
    readonly file: string,
  ) {
    this.generation = String(db.selectValue("SELECT value FROM meta WHERE key = 'generation'") ?? '');
  }

  /**
   * Opens the index in `file`, or a new empty one when there is none. An
   * index that cannot be read, or was written for another schema, is
   * renamed to `<file>.broken` and started afresh; `note` says so.
   */
  static async open(file: string): Promise<{ store: IndexStore; note: string | null }> {
    const sqlite = await loadSqlite();
    IndexStore.removeStaleTemps(file);
    let image: Image | null = null;
    try {
      image = IndexStore.readImage(sqlite, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: the mail index could not be read: ${(e as Error).message}`);
    }
    if (image !== null) {
      const checked = IndexStore.check(sqlite, image);
      if ('db' in checked) return { store: new IndexStore(sqlite, checked.db, file), note: null };
      const why = checked.problem;
      try {
        renameSync(file, `${file}.broken`);
      } catch {
        // Set aside if it can be; it is replaced on the next write either way.
      }
      return { store: IndexStore.fresh(sqlite, file), note: `${file}: ${why}; the index is built again (the old file is kept as ${path.basename(file)}.broken)` };
    }
    return { store: IndexStore.fresh(sqlite, file), note: null };
  }

  /** Temporary files a killed writer left beside the index (their process is gone). */
  private static removeStaleTemps(file: string): void {
    const dir = path.dirname(file);
    const base = path.basename(file);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^(.*)\.(\d+)\.tmp$/.exec(n);
      if (!m || m[1] !== base) continue;
      const pid = Number(m[2]);
      let alive = pid === process.pid;
      try {
        if (!alive) process.kill(pid, 0);
        alive = true;
      } catch (e) {
        // EPERM: the process is there, only not ours to signal.
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (!alive) {
        try {
          unlinkSync(path.join(dir, n));
        } catch {
          // Someone else took it away.
        }
      }
    }
  }

  /** A damaged index found while reading it: set aside as .broken, and an empty one in its place. */
  static async replaceDamaged(store: IndexStore, why: string): Promise<{ store: IndexStore; note: string }> {
    store.close();
    try {
      renameSync(store.file, `${store.file}.broken`);
    } catch {
      // It may never have been written.
    }
    const sqlite = await loadSqlite();
    return { store: IndexStore.fresh(sqlite, store.file), note: `${store.file}: the database is damaged (${why}); the index is built again (the old file is kept as ${path.basename(store.file)}.broken)` };
  }

  private static fresh(sqlite: Sqlite3Static, file: string): IndexStore {
    const db = new sqlite.oo1.DB(':memory:');
    db.exec(SCHEMA);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    const generation = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    db.exec({ sql: 'INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?)', bind: ['schema', String(SCHEMA_VERSION), 'writer', 'execmem-lens', 'generation', generation] });
    return new IndexStore(sqlite, db, file);
  }

  /**
   * The file read straight into memory SQLite owns (no copy in JavaScript:
   * an index is tens of megabytes, and the copy was a quarter of opening it).
   */
  private static readImage(sqlite: Sqlite3Static, file: string): Image {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const ptr = Number(sqlite.wasm.alloc(Math.max(size, 1)));
      try {
        for (let got = 0; got < size; ) {
          // The view is taken again each time: growing WebAssembly memory detaches the old one.
          const n = readSync(fd, sqlite.wasm.heap8u(), ptr + got, size - got, got);
          if (n === 0) throw new Error(`${file}: shorter than it was a moment ago`);
          got += n;
        }
      } catch (e) {
        sqlite.wasm.dealloc(ptr);
        throw e;
      }
      return { ptr, size };
    } finally {
      closeSync(fd);
    }
  }

  /** An in-memory database over an image; SQLite frees the image when the database closes. */
  private static deserializeImage(sqlite: Sqlite3Static, image: Image): Db {
    const db = new sqlite.oo1.DB(':memory:');
    const capi = sqlite.capi;
    const rc = capi.sqlite3_deserialize(db.pointer!, 'main', image.ptr, image.size, image.size, capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_RESIZEABLE);
    if (rc !== 0) {
      db.close();
      throw new Error(`the index could not be loaded (SQLite error ${rc})`);
    }
    return db;
  }

  private static deserializeFile(sqlite: Sqlite3Static, file: string): Db {
    return IndexStore.deserializeImage(sqlite, IndexStore.readImage(sqlite, file));
  }

  /**
   * The database in these bytes, or why they are not an index this version
   * can use. SQLite's quick_check reads every page; the index is read whole
   * right after opening anyway, and SQLite reports a damaged page as an error
   * then (see IndexStore.damaged), so the check here is the header, the
   * schema version, the tables, and the count of messages (which walks the
   * table's pages).
   */
  private static check(sqlite: Sqlite3Static, image: Image): { db: Db } | { problem: string } {
    const MAGIC = 'SQLite format 3\u0000';
    const head = new TextDecoder('latin1').decode(sqlite.wasm.heap8u().subarray(image.ptr, image.ptr + Math.min(16, image.size)));
    if (image.size < 100 || head !== MAGIC) {
      sqlite.wasm.dealloc(image.ptr);
      return { problem: 'not a SQLite database (damaged or not an index)' };
    }
    let db: Db | null = null;
    try {
      db = IndexStore.deserializeImage(sqlite, image);
      const version = Number(db.selectValue('PRAGMA user_version'));
      if (version !== SCHEMA_VERSION) throw new Problem(`written by another version of Execmem Lens (index schema ${version}, this one reads ${SCHEMA_VERSION})`);
      const tables = db.selectValues("SELECT name FROM sqlite_master WHERE type = 'table'").map(String);
      for (const t of ['meta', 'sources', 'messages', 'addrs']) if (!tables.includes(t)) throw new Problem(`the table ${t} is missing`);
      db.selectValue('SELECT count(*) FROM messages');
      return { db };
    } catch (e) {
      db?.close();
      return { problem: e instanceof Problem ? e.message : `the database is damaged (${e instanceof Error ? e.message : String(e)})` };
    }
  }

  sources(): Map<string, SourceRow> {
    const out = new Map<string, SourceRow>();
    this.db.exec({
      sql: 'SELECT id, kind, list, state FROM sources',
      rowMode: 'array',
      callback: (r) => {
        const [id, kind, list, state] = r as [string, string, string, string];
        out.set(id, { id, kind, list, state: JSON.parse(state) as unknown });
      },
    });
    return out;
  }

  setSource(s: SourceRow): void {
    this.db.exec({ sql: 'INSERT OR REPLACE INTO sources (id, kind, list, state) VALUES (?, ?, ?, ?)', bind: [s.id, s.kind, s.list, JSON.stringify(s.state)] });
  }

  /** Forgets messages: all of them, or those whose loc starts with `locPrefix` (one file of a folder, one epoch). */
  dropMessages(locPrefix?: string): number {
    if (locPrefix === undefined) this.db.exec('DELETE FROM messages');
    else this.db.exec({ sql: 'DELETE FROM messages WHERE substr(loc, 1, ?) = ?', bind: [locPrefix.length, locPrefix] });
    return this.db.changes();
  }

  /** Forgets the source a copied file was the index of, and its messages. */
  dropSource(source: string): void {
    this.dropMessages();
    this.db.exec({ sql: 'DELETE FROM sources WHERE id = ?', bind: [source] });
  }

  /** The address table, read once: address → number. */
  private addrIds: Map<string, number> | undefined;
  private addrList: string[] | undefined;

  private idle: NodeJS.Timeout | undefined;

  /**
   * The database, opened again from its file when it was closed after loading
   * (its memory given back) and something rare needs it (the kept text of a
   * MIME message, the address table): closed again once unused for a while.
   * A file rebuilt since (another generation) is not this index: refused.
   */
  private live(): Db {
    if (this.closed) {
      const db = IndexStore.deserializeFile(this.sqlite, this.file);
      const gen = String(db.selectValue("SELECT value FROM meta WHERE key = 'generation'") ?? '');
      if (gen !== this.generation) {
        db.close();
        throw new Error(`${this.file} was rebuilt since these messages were read from it`);
      }
      this.db = db;
      this.closed = false;
      this.transient = true;
    }
    if (this.transient) {
      if (this.idle) clearTimeout(this.idle);
      this.idle = setTimeout(() => this.close(), 15_000);
      this.idle.unref();
    }
    return this.db;
  }

  private transient = false;
  /** Set when the database is first opened: see live(). */
  private generation = '';

  private addressIds(): Map<string, number> {
    if (!this.addrIds) {
      this.addrIds = new Map();
      const ids = this.addrIds;
      this.live().exec({
        sql: 'SELECT id, addr FROM addrs',
        rowMode: 'array',
        callback: (r) => {
          ids.set((r as unknown[])[1] as string, Number((r as unknown[])[0]));
        },
      });
    }
    return this.addrIds;
  }

  /** "3 17 4" → "a@x, b@y, c@z" (the table is read once, then kept). */
  addresses(ids: string): string {
    if (!this.addrList) {
      const wasClosed = this.closed;
      const list: string[] = [];
      for (const [addr, id] of this.addressIds()) list[id] = addr;
      this.addrList = list;
      // Opened only to read the table: its memory is given back again.
      if (wasClosed) this.close();
    }
    return ids
      .split(' ')
      .map((i) => this.addrList![Number(i)] ?? '')
      .filter(Boolean)
      .join(', ');
  }

  /** Adds rows in one transaction (their rows in the table of addresses too). */
  add(rows: readonly MessageRow[]): void {
    if (rows.length === 0) return;
    const ids = this.addressIds();
    this.addrList = undefined;
    const stmt = this.db.prepare('INSERT INTO messages (kind, loc, msgid, time, head, facts, error, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const addAddr = this.db.prepare('INSERT INTO addrs (id, addr) VALUES (?, ?)');
    const numbers = (list: string[] | null): string | null => {
      if (!list || list.length === 0) return null;
      return list
        .map((a) => {
          let id = ids.get(a);
          if (id === undefined) {
            id = ids.size + 1;
            ids.set(a, id);
            addAddr.bind([id, a]).stepReset();
          }
          return id;
        })
        .join(' ');
    };
    try {
      this.db.exec('BEGIN');
      for (const r of rows) {
        const head: Head = [r.origin, r.list, r.synthetic ? 1 : 0, r.subject, r.fromName, r.fromAddr, r.date, r.irt, r.refs.join(' '), numbers(r.to), numbers(r.cc), r.size];
        stmt.bind([r.kind, r.loc, r.msgid, r.time, JSON.stringify(head), r.facts, r.error, r.text]).stepReset();
      }
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      // The numbers handed out in the rolled-back transaction are not in the table.
      this.addrIds = undefined;
      throw e;
    } finally {
      stmt.finalize();
      addAddr.finalize();
    }
  }

  count(): number {
    return Number(this.db.selectValue('SELECT count(*) FROM messages'));
  }

  /** The kept text of a message that needed the MIME parse (see MessageRow.text). */
  textOf(loc: string): string | null {
    let db: Db;
    try {
      db = this.live();
    } catch {
      return null;
    }
    const v = db.selectValue('SELECT text FROM messages WHERE loc = ? AND text IS NOT NULL', [loc]);
    return typeof v === 'string' ? v : null;
  }

  /** Every row, in reading order (the kept texts left out: see textOf). */
  forEach(each: (r: StoredRow) => void): void {
    this.db.exec({
      sql: 'SELECT kind, loc, msgid, time, head, facts, error, text IS NOT NULL FROM messages ORDER BY id',
      rowMode: 'array',
      callback: (row) => {
        const r = row as unknown[];
        const h = JSON.parse(r[4] as string) as Head;
        each({
          kind: r[0] as 'message' | 'error',
          loc: r[1] as string,
          origin: h[0],
          list: h[1],
          msgid: r[2] as string | null,
          synthetic: h[2] === 1,
          subject: h[3],
          fromName: h[4],
          fromAddr: h[5],
          date: h[6],
          time: Number(r[3]),
          irt: h[7],
          refs: h[8] ? h[8].split(' ') : [],
          toIds: h[9],
          ccIds: h[10],
          size: h[11],
          facts: r[5] as string | null,
          error: r[6] as string | null,
          hasText: r[7] === 1,
        });
      },
    });
  }

  /** Writes the index to its file atomically (see the top of this file). */
  save(): void {
    this.serialized((bytes) => this.writeAtomically(bytes));
  }

  /**
   * Hands the database's bytes to `use` as a view of WebAssembly memory (valid
   * only during the call), without copying them into JavaScript as
   * sqlite3_js_db_export does: an index is as large as tens of megabytes.
   * Built on the same sqlite3__wasm_db_serialize that export uses.
   */
  private serialized(use: (bytes: Uint8Array) => void): void {
    const wasm = this.sqlite.wasm as unknown as {
      scopedAllocPush(): number;
      scopedAllocPop(s: number): void;
      scopedAlloc(n: number): number;
      scopedAllocCString(s: string): number;
      peekPtr(p: number): number;
      peek(p: number, type: 'i64'): bigint | number;
      heap8u(): Uint8Array;
      exports: { sqlite3__wasm_db_serialize(db: number, schema: number, ppOut: number, pSize: number, flags: number): number; sqlite3_free(p: number): void };
      ptr: { size: number };
    };
    const scope = wasm.scopedAllocPush();
    let out = 0;
    try {
      const pSize = wasm.scopedAlloc(8 + wasm.ptr.size);
      const ppOut = pSize + 8;
      const rc = wasm.exports.sqlite3__wasm_db_serialize(this.db.pointer as unknown as number, wasm.scopedAllocCString('main'), ppOut, pSize, 0);
      if (rc) throw new Error(`${this.file}: the index could not be serialized (SQLite error ${rc})`);
      out = Number(wasm.peekPtr(ppOut));
      const size = Number(wasm.peek(pSize, 'i64'));
      use(wasm.heap8u().subarray(out, out + size));
    } finally {
      if (out) wasm.exports.sqlite3_free(out);
      wasm.scopedAllocPop(scope);
    }
  }

  private writeAtomically(bytes: Uint8Array): void {
    writeAtomically(this.file, bytes, 'the mail index', {
      beforeWrite: (fd, all) => {
        if (process.env[CRASH_ENV] !== 'half') return;
        writeSync(fd, all, 0, all.byteLength >> 1);
        fsyncSync(fd);
        process.kill(process.pid, 'SIGKILL');
      },
    });
  }

  /** Bytes on disk. */
  sizeOnDisk(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  close(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (this.closed) return;
    this.db.close();
    this.closed = true;
  }
}
