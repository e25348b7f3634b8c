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
 *
 * Writing: the database is exported to bytes, written to a temporary file
 * beside the index, flushed to disk, and renamed over the index (then the
 * folder is flushed), so a crash at any moment leaves either the old index
 * or the new one, never half of one. Reading: a file that is not a SQLite
 * database of this schema version is set aside and rebuilt, with a note
 * saying why.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm' with { 'resolution-mode': 'import' };
import { loadSqlite } from './sqlite';

/** Bumped whenever the tables or the facts change shape: an older index is rebuilt. */
export const SCHEMA_VERSION = 1;

type Db = InstanceType<Sqlite3Static['oo1']['DB']>;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, list TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  loc TEXT NOT NULL,
  origin TEXT NOT NULL,
  list TEXT NOT NULL,
  msgid TEXT,
  synthetic INTEGER NOT NULL DEFAULT 0,
  subject TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  from_addr TEXT NOT NULL DEFAULT '',
  date TEXT,
  time INTEGER NOT NULL DEFAULT 0,
  irt TEXT,
  refs TEXT NOT NULL DEFAULT '',
  to_hdr TEXT,
  cc_hdr TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  facts TEXT,
  error TEXT,
  text TEXT
);
`;

export interface MessageRow {
  source: string;
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
  to: string | null;
  cc: string | null;
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

export interface SourceRow {
  id: string;
  kind: string;
  list: string;
  state: unknown;
}

/** Set by tests: the write stops (the process is killed) halfway through the temporary file. */
const CRASH_ENV = 'EXECMEM_LENS_TEST_CRASH_INDEX_WRITE';

export class IndexStore {
  private closed = false;
  private constructor(
    private readonly sqlite: Sqlite3Static,
    private db: Db,
    readonly file: string,
  ) {}

  /**
   * Opens the index in `file`, or a new empty one when there is none. An
   * index that cannot be read, or was written for another schema, is
   * renamed to `<file>.broken` and started afresh; `note` says so.
   */
  static async open(file: string): Promise<{ store: IndexStore; note: string | null }> {
    const sqlite = await loadSqlite();
    IndexStore.removeStaleTemps(file);
    let bytes: Uint8Array | null = null;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: the mail index could not be read: ${(e as Error).message}`);
    }
    if (bytes !== null) {
      const why = IndexStore.problem(sqlite, bytes);
      if (why === null) {
        const db = IndexStore.deserialize(sqlite, bytes);
        return { store: new IndexStore(sqlite, db, file), note: null };
      }
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
      } catch {
        alive = false;
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

  private static fresh(sqlite: Sqlite3Static, file: string): IndexStore {
    const db = new sqlite.oo1.DB(':memory:');
    db.exec(SCHEMA);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec({ sql: 'INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)', bind: ['schema', String(SCHEMA_VERSION), 'writer', 'execmem-lens'] });
    return new IndexStore(sqlite, db, file);
  }

  private static deserialize(sqlite: Sqlite3Static, bytes: Uint8Array): Db {
    const db = new sqlite.oo1.DB(':memory:');
    // The bytes are copied into memory SQLite owns (it frees them when the database closes).
    const p = sqlite.wasm.allocFromTypedArray(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const capi = sqlite.capi;
    const rc = capi.sqlite3_deserialize(db.pointer!, 'main', p, bytes.byteLength, bytes.byteLength, capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_RESIZEABLE);
    if (rc !== 0) {
      db.close();
      throw new Error(`the index could not be loaded (SQLite error ${rc})`);
    }
    return db;
  }

  /** Why these bytes are not an index this version can use, or null. */
  private static problem(sqlite: Sqlite3Static, bytes: Uint8Array): string | null {
    const MAGIC = 'SQLite format 3\u0000';
    if (bytes.byteLength < 100 || new TextDecoder('latin1').decode(bytes.subarray(0, 16)) !== MAGIC) return 'not a SQLite database (damaged or not an index)';
    let db: Db | null = null;
    try {
      db = IndexStore.deserialize(sqlite, bytes);
      const check = String(db.selectValue('PRAGMA quick_check'));
      if (check !== 'ok') return `the database is damaged (${check.slice(0, 200)})`;
      const version = Number(db.selectValue('PRAGMA user_version'));
      if (version !== SCHEMA_VERSION) return `written by another version of Execmem Lens (index schema ${version}, this one reads ${SCHEMA_VERSION})`;
      const tables = db.selectValues("SELECT name FROM sqlite_master WHERE type = 'table'").map(String);
      for (const t of ['meta', 'sources', 'messages']) if (!tables.includes(t)) return `the table ${t} is missing`;
      return null;
    } catch (e) {
      return `the database is damaged (${e instanceof Error ? e.message : String(e)})`;
    } finally {
      db?.close();
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

  /** Forgets a source's messages: all of them, or those whose loc starts with `locPrefix` (one file of a folder, one epoch). */
  dropMessages(source: string, locPrefix?: string): number {
    if (locPrefix === undefined) this.db.exec({ sql: 'DELETE FROM messages WHERE source = ?', bind: [source] });
    else this.db.exec({ sql: 'DELETE FROM messages WHERE source = ? AND substr(loc, 1, ?) = ?', bind: [source, locPrefix.length, locPrefix] });
    return this.db.changes();
  }

  dropSource(source: string): void {
    this.dropMessages(source);
    this.db.exec({ sql: 'DELETE FROM sources WHERE id = ?', bind: [source] });
  }

  /** Adds rows in one transaction. */
  add(rows: readonly MessageRow[]): void {
    if (rows.length === 0) return;
    const stmt = this.db.prepare(
      'INSERT INTO messages (source, kind, loc, origin, list, msgid, synthetic, subject, from_name, from_addr, date, time, irt, refs, to_hdr, cc_hdr, size, facts, error, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    try {
      this.db.exec('BEGIN');
      for (const r of rows) {
        stmt
          .bind([r.source, r.kind, r.loc, r.origin, r.list, r.msgid, r.synthetic ? 1 : 0, r.subject, r.fromName, r.fromAddr, r.date, r.time, r.irt, r.refs.join(' '), r.to, r.cc, r.size, r.facts, r.error, r.text])
          .stepReset();
      }
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      stmt.finalize();
    }
  }

  /** Rows per source. */
  forEachSourceCount(each: (source: string, count: number) => void): void {
    this.db.exec({ sql: 'SELECT source, count(*) FROM messages GROUP BY source', rowMode: 'array', callback: (r) => each((r as unknown[])[0] as string, Number((r as unknown[])[1])) });
  }

  count(): number {
    return Number(this.db.selectValue('SELECT count(*) FROM messages'));
  }

  /** The kept text of a message that needed the MIME parse (see MessageRow.text). */
  textOf(source: string, loc: string): string | null {
    if (this.closed) {
      // Closed after loading (its memory given back): opened again from its file for the rare message that needs it.
      this.db = IndexStore.deserialize(this.sqlite, readFileSync(this.file));
      this.closed = false;
    }
    const v = this.db.selectValue('SELECT text FROM messages WHERE source = ? AND loc = ? AND text IS NOT NULL', [source, loc]);
    return typeof v === 'string' ? v : null;
  }

  /** Every row, in reading order (the kept texts left out: see textOf). */
  forEach(each: (r: Omit<MessageRow, 'text'> & { hasText: boolean }) => void): void {
    this.db.exec({
      sql: 'SELECT source, kind, loc, origin, list, msgid, synthetic, subject, from_name, from_addr, date, time, irt, refs, to_hdr, cc_hdr, size, facts, error, text IS NOT NULL FROM messages ORDER BY id',
      rowMode: 'array',
      callback: (row) => {
        const r = row as unknown[];
        each({
          source: r[0] as string,
          kind: r[1] as 'message' | 'error',
          loc: r[2] as string,
          origin: r[3] as string,
          list: r[4] as string,
          msgid: r[5] as string | null,
          synthetic: r[6] === 1,
          subject: r[7] as string,
          fromName: r[8] as string,
          fromAddr: r[9] as string,
          date: r[10] as string | null,
          time: Number(r[11]),
          irt: r[12] as string | null,
          refs: r[13] ? (r[13] as string).split(' ') : [],
          to: r[14] as string | null,
          cc: r[15] as string | null,
          size: Number(r[16]),
          facts: r[17] as string | null,
          error: r[18] as string | null,
          hasText: r[19] === 1,
        });
      },
    });
  }

  /** Writes the index to its file atomically (see the top of this file). */
  save(): void {
    const bytes = this.sqlite.capi.sqlite3_js_db_export(this.db);
    const dir = path.dirname(this.file);
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      if (process.env[CRASH_ENV] === 'half') {
        writeSync(fd, bytes, 0, bytes.byteLength >> 1);
        fsyncSync(fd);
        process.kill(process.pid, 'SIGKILL');
      }
      for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, bytes.byteLength - at);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // Already gone.
      }
      throw new Error(`${this.file}: the mail index could not be written: ${(e as Error).message}`);
    }
    closeSync(fd);
    renameSync(tmp, this.file);
    try {
      const dfd = openSync(dir, 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      // Some file systems cannot flush a folder; the rename itself is still atomic.
    }
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
    if (this.closed) return;
    this.db.close();
    this.closed = true;
  }
}
