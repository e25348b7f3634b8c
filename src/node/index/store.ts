/**
 * A mail index on disk: one SQLite database file (schema below), read and
 * written in place, page by page, through fileVfs.ts.
 *
 *   meta      key/value: the schema version (also PRAGMA user_version), the
 *             tool that wrote it, a generation (new for each file built)
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
 * Writing: an update is one SQLite transaction, from begin() to save(): the
 * new messages and the source's new state are committed together or not
 * at all. SQLite's rollback journal (`<file>-journal`) makes the commit
 * atomic; a writer killed mid-commit leaves a hot journal that the next
 * reader plays back, restoring the old index. Reading: a file that is not a
 * SQLite database of this schema version is set aside and rebuilt, with a
 * note saying why.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm' with { 'resolution-mode': 'import' };
import { loadSqlite } from './sqlite';
import { installFileVfs, takeIoError, VFS_NAME } from './fileVfs';

/** Bumped whenever the tables or the facts change shape: an older index is rebuilt. */
export const SCHEMA_VERSION = 3;

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
CREATE INDEX messages_loc ON messages (loc);
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

/** "3 17 4" → "a@x, b@y, c@z", by an index's table of addresses. */
export function addressesOf(table: readonly string[], ids: string): string {
  return ids
    .split(' ')
    .map((i) => table[Number(i)] ?? '')
    .filter(Boolean)
    .join(', ');
}

/** A row as read back: To and Cc as numbers into the address table (see addresses()). */
export type StoredRow = Omit<MessageRow, 'text' | 'to' | 'cc'> & { toIds: string | null; ccIds: string | null; hasText: boolean; id: number };

export interface SourceRow {
  id: string;
  kind: string;
  list: string;
  state: unknown;
}

class Problem extends Error {}

/** The database has no tables and no schema version yet: a file another process has only just made. */
class Empty extends Error {}

/** Whether an error is another connection holding the database (SQLITE_BUSY). */
function isBusy(e: unknown): boolean {
  return e instanceof Error && /SQLITE_BUSY|database is locked/i.test(e.message);
}

/** How long an index held by another writer (a first index of a large list takes a while) is waited for. */
const BUSY_WAIT_MS = 10 * 60_000;

/**
 * How long a single statement blocks (SQLite's busy handler, sleeping) when
 * another process holds the index: the fallback for reads that cannot wait
 * asynchronously (a message's kept text, opened from the editor).
 */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Runs `op` until the database is free: another process's update is waited
 * for without blocking this one (SQLite's own wait, which sleeps, is turned
 * off meanwhile). `op` must be safe to run again: a lock is refused at its
 * first statement, before anything was done.
 */
async function whenFree<T>(db: Db, file: string, op: () => T): Promise<T> {
  db.exec('PRAGMA busy_timeout = 0');
  try {
    return await retryBusy(file, op);
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

async function retryBusy<T>(file: string, op: () => T): Promise<T> {
  const until = Date.now() + BUSY_WAIT_MS;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return op();
    } catch (e) {
      if (!isBusy(e) || Date.now() > until) throw isBusy(e) ? new Error(`${file}: another process has been writing the index for ${BUSY_WAIT_MS / 60_000} minutes`) : e;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** `read` in one read transaction (its statements see one state of the index), waiting without blocking for another process's update. */
function inReadTransaction<T>(db: Db, file: string, read: () => T): Promise<T> {
  return whenFree(db, file, () => {
    db.exec('BEGIN');
    try {
      const v = read();
      db.exec('COMMIT');
      return v;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  });
}

/** Whether an error is SQLite finding a damaged database (SQLITE_CORRUPT, SQLITE_NOTADB). */
export function isDamage(e: unknown): boolean {
  return e instanceof Error && /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i.test(e.message);
}

/** The generation a file was built with (a new one each time it is built from nothing). */
function generationOf(db: Db): string {
  return String(db.selectValue("SELECT value FROM meta WHERE key = 'generation'") ?? '');
}

export class IndexStore {
  private closed = false;
  private constructor(
    private readonly sqlite: Sqlite3Static,
    private db: Db,
    readonly file: string,
    generation: string,
  ) {
    this.generation = generation;
  }

  /**
   * Opens the index in `file`, or a new empty one when there is none. An
   * index that cannot be read, or was written for another schema, is
   * renamed to `<file>.broken` and started afresh; `note` says so. A hot
   * journal (a writer died mid-commit) is played back first, by SQLite; an
   * index another process is writing is waited for.
   */
  static async open(file: string): Promise<{ store: IndexStore; note: string | null }> {
    const sqlite = await loadSqlite();
    installFileVfs(sqlite);
    IndexStore.removeStaleTemps(file);
    if (!existsSync(file)) return { store: await IndexStore.fresh(sqlite, file), note: null };
    const checked = await IndexStore.check(sqlite, file);
    if ('db' in checked) return { store: new IndexStore(sqlite, checked.db, file, checked.generation), note: null };
    if ('empty' in checked) return { store: await IndexStore.fresh(sqlite, file), note: null };
    IndexStore.setAside(file);
    return { store: await IndexStore.fresh(sqlite, file), note: `${file}: ${checked.problem}; the index is built again (the old file is kept as ${path.basename(file)}.broken)` };
  }

  /** A file that is not a usable index renamed to `.broken`, its journal with it (played back onto a new file, it would damage that). */
  private static setAside(file: string): void {
    for (const [from, to] of [
      [file, `${file}.broken`],
      [`${file}-journal`, `${file}.broken-journal`],
    ] as const) {
      try {
        renameSync(from, to);
      } catch {
        // Not there, or not ours to move: it is replaced on the next write either way.
      }
    }
  }

  /** Temporary files a killed writer of an older version (which wrote whole files) left beside the index. */
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
    IndexStore.setAside(store.file);
    const sqlite = await loadSqlite();
    return { store: await IndexStore.fresh(sqlite, store.file), note: `${store.file}: the database is damaged (${why}); the index is built again (the old file is kept as ${path.basename(store.file)}.broken)` };
  }

  /** The database in `file` through the file VFS, with the settings an index is used with. */
  private static connect(sqlite: Sqlite3Static, file: string, waitMs = BUSY_TIMEOUT_MS): Db {
    const db = new sqlite.oo1.DB({ filename: file, flags: 'c', vfs: VFS_NAME });
    try {
      // First, as it takes no lock: how long a statement waits for another process (see whenFree).
      db.exec(`PRAGMA busy_timeout = ${waitMs}`);
      // Sorting and temporary tables in memory (no nameless temporary files); a page cache of 16 MiB.
      // Setting the cache reads the schema, which may have to wait for another writer.
      db.exec('PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000');
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (e) {
      db.close();
      throw e;
    }
    return db;
  }

  /** connect(), waiting for another process's update without blocking this one. */
  private static async connectFree(sqlite: Sqlite3Static, file: string): Promise<Db> {
    return retryBusy(file, () => IndexStore.connect(sqlite, file, 0));
  }

  /** A new, empty index in `file` (which is not there): its tables and meta rows, committed at once. */
  private static async fresh(sqlite: Sqlite3Static, file: string): Promise<IndexStore> {
    mkdirSync(path.dirname(file), { recursive: true });
    const db = await IndexStore.connectFree(sqlite, file);
    let generation: string;
    try {
      await whenFree(db, file, () => db.exec('BEGIN IMMEDIATE'));
      // Another process may have made it meanwhile: then it is used as it is.
      if (Number(db.selectValue("SELECT count(*) FROM sqlite_master WHERE type = 'table'")) === 0) {
        db.exec(SCHEMA);
        db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
        const made = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
        db.exec({ sql: 'INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?)', bind: ['schema', String(SCHEMA_VERSION), 'writer', 'execmem-lens', 'generation', made] });
      }
      generation = generationOf(db);
      db.exec('COMMIT');
    } catch (e) {
      db.close();
      throw e;
    }
    return new IndexStore(sqlite, db, file, generation);
  }

  /**
   * The database in `file`, or why it is not an index this version can use.
   * SQLite's quick_check reads every page; the index is read whole right
   * after opening anyway, and SQLite reports a damaged page as an error then
   * (see isDamage), so the check here is the header (SQLite's first read,
   * which also plays back a hot journal), the schema version and the tables.
   */
  private static async check(sqlite: Sqlite3Static, file: string): Promise<{ db: Db; generation: string } | { problem: string } | { empty: true }> {
    let db: Db | null = null;
    try {
      db = await IndexStore.connectFree(sqlite, file);
      const d = db;
      // One read transaction: another writer cannot slip in between these reads.
      const generation = await inReadTransaction(d, file, () => {
        const version = Number(d.selectValue('PRAGMA user_version'));
        // An empty database: another process has just made the file and not yet its tables (it holds the
        // lock to make them, or is about to). It is made here as fresh() makes it, not set aside as broken.
        if (version === 0 && Number(d.selectValue("SELECT count(*) FROM sqlite_master")) === 0) throw new Empty();
        if (version !== SCHEMA_VERSION) throw new Problem(`written by another version of Execmem Lens (index schema ${version}, this one reads ${SCHEMA_VERSION})`);
        const tables = d.selectValues("SELECT name FROM sqlite_master WHERE type = 'table'").map(String);
        for (const t of ['meta', 'sources', 'messages', 'addrs']) if (!tables.includes(t)) throw new Problem(`the table ${t} is missing`);
        return generationOf(d);
      });
      return { db, generation };
    } catch (e) {
      db?.close();
      if (e instanceof Empty) return { empty: true };
      if (e instanceof Problem) return { problem: e.message };
      if (e instanceof Error && /SQLITE_NOTADB|not a database/i.test(e.message)) return { problem: 'not a SQLite database (damaged or not an index)' };
      if (!isDamage(e)) throw e;
      return { problem: `the database is damaged (${e instanceof Error ? e.message : String(e)})` };
    }
  }

  /** Starts an update: everything until save() is committed together, or not at all (rollback(), or a crash). */
  async begin(): Promise<void> {
    const db = this.live();
    await whenFree(db, this.file, () => db.exec('BEGIN IMMEDIATE'));
    this.updating = true;
  }

  /** Runs `read` holding the index (several statements that see one state of it), waiting, without blocking, for another process's update. */
  async reading<T>(read: () => T): Promise<T> {
    const db = this.live();
    if (this.updating) return read();
    return inReadTransaction(db, this.file, read);
  }

  /** Undoes an update begun and not saved. */
  rollback(): void {
    if (!this.updating) return;
    this.updating = false;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // SQLite rolled it back itself (a failed commit does), or cannot now: the journal left
      // beside the file is played back by the next reader, which restores the index all the same.
    }
  }

  /**
   * An error of an update said as a person needs it: which index, what the
   * file system said (SQLite says only "disk I/O error"), and that the index
   * is as it was.
   */
  explain(e: unknown): Error {
    const message = e instanceof Error ? e.message : String(e);
    const io = takeIoError();
    if (!/SQLITE_(IOERR|FULL|CANTOPEN|READONLY)|disk I\/O error|database or disk is full/i.test(message) && io === '') return e instanceof Error ? e : new Error(message);
    return new Error(`${this.file}: the mail index could not be written (${io || message}); it is left as it was before this update`);
  }

  /** Inside begin() … save(). */
  private updating = false;

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
  /** The rows of the messages whose loc starts with `locPrefix`, in order, each with all it stores as one string (to compare a part read again with what it was). */
  rowsAt(locPrefix: string): { id: number; stored: string }[] {
    const out: { id: number; stored: string }[] = [];
    this.db.exec({
      sql: 'SELECT id, json_array(kind, loc, msgid, time, head, facts, error, text) FROM messages WHERE substr(loc, 1, ?) = ? ORDER BY id',
      bind: [locPrefix.length, locPrefix],
      rowMode: 'array',
      callback: (r) => {
        out.push({ id: Number((r as unknown[])[0]), stored: String((r as unknown[])[1]) });
      },
    });
    return out;
  }

  /**
   * Rows taken out and written again just as they were (the last message of
   * an mbox, read again when the file grew) get their old ids back, and no
   * longer count as taken out: a read of the index before can then be
   * extended with what follows them. `pairs`: [new id, old id].
   */
  restoreIds(pairs: readonly (readonly [number, number])[]): void {
    for (const [now, was] of pairs) this.db.exec({ sql: 'UPDATE messages SET id = ? WHERE id = ?', bind: [was, now] });
    this.dropped -= pairs.length;
  }

  dropMessages(locPrefix?: string): number {
    if (locPrefix === undefined) this.db.exec('DELETE FROM messages');
    else this.db.exec({ sql: 'DELETE FROM messages WHERE substr(loc, 1, ?) = ?', bind: [locPrefix.length, locPrefix] });
    const n = this.db.changes();
    this.dropped += n;
    return n;
  }

  /** Rows taken out by this store since it was opened: none, and what was read of it before is still all there. */
  dropped = 0;

  /** The generation of the file (see meta): a reader's earlier read of this index holds only if it is the same. */
  get builtAs(): string {
    return this.generation;
  }

  /** Forgets the source a copied file was the index of, and its messages. */
  dropSource(source: string): void {
    this.dropMessages();
    this.db.exec({ sql: 'DELETE FROM sources WHERE id = ?', bind: [source] });
  }

  /** The address table, read once: address → number. */
  private addrIds: Map<string, number> | undefined;
  private addrList: readonly string[] | undefined;

  private idle: NodeJS.Timeout | undefined;

  /**
   * The database, opened again from its file when it was closed after loading
   * (its page cache given back) and something rare needs it (the kept text of a
   * MIME message, the address table): closed again once unused for a while.
   * A file rebuilt since (another generation) is not this index: refused.
   */
  private live(): Db {
    if (this.closed) {
      const db = IndexStore.connect(this.sqlite, this.file);
      let gen: string;
      try {
        gen = generationOf(db);
      } catch (e) {
        db.close();
        throw e;
      }
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

  /**
   * The table of addresses as the caller read it last from this file (its
   * generation): taken as this file's when it still ends where it did. Rows
   * of the table are only ever added, numbered one after another, so the
   * same last number in the same generation is the same table; reading it
   * again cost a list archive's update a tenth of its time.
   */
  knowAddresses(generation: string, table: readonly string[]): void {
    if (this.addrIds || generation !== this.generation || table.length < 2) return;
    const max = Number(this.live().selectValue('SELECT max(id) FROM addrs') ?? 0);
    if (max !== table.length - 1) return;
    const ids = new Map<string, number>();
    for (let i = 1; i < table.length; i++) {
      const a = table[i];
      if (a === undefined) return;
      ids.set(a, i);
    }
    this.addrIds = ids;
    this.addrList = table;
  }

  /** "3 17 4" → "a@x, b@y, c@z" (the table is read once, then kept). */
  addresses(ids: string): string {
    return addressesOf(this.addressTable(), ids);
  }

  /** The table of addresses, by number (read once, then kept). */
  addressTable(): readonly string[] {
    if (!this.addrList) {
      const wasClosed = this.closed;
      const list: string[] = [];
      for (const [addr, id] of this.addressIds()) list[id] = addr;
      this.addrList = list;
      // Opened only to read the table: its memory is given back again.
      if (wasClosed) this.close();
    }
    return this.addrList;
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
    // A savepoint: inside an update it is part of it; alone, it is a transaction of its own.
    try {
      this.db.exec('SAVEPOINT add_rows');
      for (const r of rows) {
        const head: Head = [r.origin, r.list, r.synthetic ? 1 : 0, r.subject, r.fromName, r.fromAddr, r.date, r.irt, r.refs.join(' '), numbers(r.to), numbers(r.cc), r.size];
        stmt.bind([r.kind, r.loc, r.msgid, r.time, JSON.stringify(head), r.facts, r.error, r.text]).stepReset();
      }
      this.db.exec('RELEASE add_rows');
    } catch (e) {
      this.db.exec('ROLLBACK TO add_rows; RELEASE add_rows');
      // The numbers handed out in the rolled-back rows are not in the table.
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
  forEach(each: (r: StoredRow) => void, afterId = 0): void {
    this.db.exec({
      sql: 'SELECT kind, loc, msgid, time, head, facts, error, text IS NOT NULL, id FROM messages WHERE id > ? ORDER BY id',
      bind: [afterId],
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
          id: Number(r[8]),
        });
      },
    });
  }

  /** Commits the update begun by begin() (see the top of this file); outside an update, nothing to do. */
  save(): void {
    if (!this.updating) return;
    this.db.exec('COMMIT');
    this.updating = false;
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
    // An update not saved is undone (SQLite would roll it back on close too; this says so).
    if (this.updating) this.rollback();
    this.db.close();
    this.closed = true;
  }
}
