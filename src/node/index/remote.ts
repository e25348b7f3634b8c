/**
 * The extension host's way to its mail indexes: SQLite runs on a worker
 * thread (storeWorker.ts) that brings an index up to date and sends its rows;
 * the messages and series are made here from them, as loadSource makes them.
 * The worker ends when it has been idle a while, and SQLite's memory with it
 * (some 90 MB for a list archive, which a thread that once loaded SQLite keeps
 * for good); the next update or kept text starts it again.
 */
import * as path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { SourceRead } from '../../core/series/bysource';
import type { MessageLoader } from '../../core/series/facts';
import type { Query } from '../../core/search/query';
import { startWorker } from '../worker';
import { type IndexOptions, loaderOf, type ReadMark, RowReader } from './indexer';
import { addressesOf, type StoredRow } from './store';
import type { BuildReport } from './model';
import type { Found, StoreDone, StoreReply, StoreRequest, StoreStart } from './storeWorker';

type Load = { read: SourceRead; fresh: number; notes: string[]; mark: ReadMark; extended: boolean; addresses: readonly string[] };

interface Pending {
  /** The worker it was asked of: only that worker's end fails it. */
  worker: Worker;
  /** What is done with each start and batch of rows as it comes. */
  onStart: (s: StoreStart) => void;
  onRows: (rows: StoredRow[]) => void;
  onProgress?: (n: number, of?: string) => void;
  resolve: (d: StoreDone) => void;
  /** For a build: its report. */
  onBuilt?: (b: BuildReport) => void;
  /** For a search: what it found. */
  onFound?: (f: Found) => void;
  reject: (e: Error) => void;
}

export class IndexWorker {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private textSeq = 0;
  private idle: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    /** How long the worker is kept after its last use. */
    private readonly idleMs = 20_000,
  ) {}

  /** Whether the worker is running now (for tests and the log). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** One source through its index in `dir`, as loadSource gives it. */
  async load(dir: string, p: string, opts: IndexOptions = {}, prior?: { read: SourceRead; mark: ReadMark }): Promise<Load> {
    const sourceId = path.resolve(p);
    const table: { addresses: readonly string[] } = { addresses: [] };
    const loader = this.loaderFor(dir, p, table);
    // Each batch of rows is made into messages as it comes: held until the end, a list archive's
    // rows grew the host's heap by 100 MB that it then kept.
    let reader: RowReader | undefined;
    const onStart = (start: StoreStart, from: typeof prior) => {
      const r = new RowReader(sourceId, loader, start.builtAs, from);
      // Rows after another id than the reader wants (the file was rebuilt since `prior`): all are asked for after.
      reader = r.afterId === start.afterId ? r : undefined;
    };
    const onRows = (rows: StoredRow[]) => {
      if (reader) for (const row of rows) reader.add(row);
    };
    const done = await this.request(
      { op: 'load', id: this.nextId++, dir, p, afterId: prior?.mark.maxId ?? 0 },
      // Read whole when the update took rows out, as loadSource does.
      (start) => onStart(start, start.dropped === 0 ? prior : undefined),
      onRows,
      opts.onProgress,
    );
    table.addresses = done.addresses;
    let result = reader?.finish(done.count) ?? null;
    if (!result) {
      const all = await this.request({ op: 'rows', id: this.nextId++, dir, p }, (start) => onStart(start, undefined), onRows);
      table.addresses = all.addresses;
      result = reader!.finish(all.count)!;
    }
    return { ...result, fresh: done.fresh, notes: done.notes, addresses: table.addresses };
  }

  /**
   * The model of the sources `paths` made on the worker (each index brought
   * up to date first) and written as an image to `file` under `inputs` (see
   * model.ts): this thread never holds the whole of it.
   */
  model(dir: string, paths: readonly string[], inputs: string, file: string, onProgress?: (p: string, n: number) => void, force = false): Promise<BuildReport> {
    return this.ask<BuildReport>(
      (id) => ({ op: 'model', id, dir, paths: [...paths], inputs, file, force }),
      (resolve) => ({ onBuilt: resolve, onProgress: (n, of) => onProgress?.(of ?? '', n) }),
    );
  }

  /**
   * A lore query over the mail of the model image at `file` (written under
   * `inputs`), answered on the worker, which holds the whole model while it
   * searches: bodies read there too when `bodies` (else how many only they
   * can decide is said).
   */
  search(dir: string, file: string, inputs: string, query: Query, bodies: boolean, all = false): Promise<Found> {
    return this.ask<Found>(
      (id) => ({ op: 'search', id, dir, file, inputs, query, bodies, all }),
      (resolve) => ({ onFound: resolve }),
    );
  }

  /** A request answered with one result (not rows): `handlers` says which reply carries it. */
  private ask<T>(req: (id: number) => StoreRequest, handlers: (resolve: (t: T) => void) => Partial<Pending>): Promise<T> {
    const w = this.ensure();
    if (!w) return Promise.reject(new Error('the mail index worker could not be started'));
    if (this.idle) clearTimeout(this.idle);
    w.ref();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        worker: w,
        onStart: () => undefined,
        onRows: () => undefined,
        resolve: () => reject(new Error('the mail index worker answered with rows')),
        reject,
        ...handlers(resolve),
      });
      w.postMessage(req(id));
    });
  }

  /** Texts of `p`'s index, asked of the worker (see textOf), for messages read from a model image. */
  textLoader(dir: string, p: string, addresses: () => readonly string[]): MessageLoader {
    return loaderOf({ textOf: (loc) => this.textOf(dir, p, loc), addresses: (ids) => addressesOf(addresses(), ids) });
  }

  /**
   * Has the worker ready for kept texts of the index of `p` (started, SQLite
   * loaded, the store opened), without waiting on this thread: a text asked
   * for of a worker that had ended waits for all that (some 300 ms) with the
   * extension host held. Called before many bodies are read at once.
   */
  async warm(dir: string, p: string): Promise<void> {
    await this.request({ op: 'warm', id: this.nextId++, dir, p }, () => undefined, () => undefined);
  }

  /** Texts from the worker, asked for synchronously (a message's body is a getter); addresses from the table it sent. */
  private loaderFor(dir: string, p: string, table: { addresses: readonly string[] }) {
    return loaderOf({
      textOf: (loc) => this.textOf(dir, p, loc),
      addresses: (ids) => addressesOf(table.addresses, ids),
    });
  }

  /**
   * The kept text of a MIME message, waited for on this thread: a body is
   * read synchronously, as it was from SQLite here. Null when the worker
   * does not answer within 10 s (the message is then read from its source):
   * a worker that died cannot say so while this thread waits.
   */
  private textOf(dir: string, p: string, loc: string): string | null {
    const w = this.ensure();
    if (!w) return null;
    const seq = ++this.textSeq;
    const port = this.port!;
    Atomics.store(this.flag, 0, 0);
    w.postMessage({ op: 'text', seq, dir, p, loc } satisfies StoreRequest);
    try {
      // The flag is cleared before the port is read, so an answer landing in between wakes the next wait;
      // an answer to an earlier question that timed out is passed over.
      for (const end = Date.now() + 10_000; Date.now() < end; ) {
        Atomics.wait(this.flag, 0, 0, Math.max(0, end - Date.now()));
        Atomics.store(this.flag, 0, 0);
        for (let got = receiveMessageOnPort(port); got; got = receiveMessageOnPort(port)) {
          const a = got.message as { seq: number; text: string | null };
          if (a.seq === seq) return a.text;
        }
      }
      return null;
    } finally {
      this.touch();
    }
  }

  private request(req: StoreRequest & { id: number }, onStart: Pending['onStart'], onRows: Pending['onRows'], onProgress?: (n: number) => void): Promise<StoreDone> {
    const w = this.ensure();
    if (!w) return Promise.reject(new Error('the mail index worker could not be started'));
    if (this.idle) clearTimeout(this.idle);
    // Busy, the worker keeps the process alive (a CLI or a test awaiting it); idle, it must not.
    w.ref();
    return new Promise<StoreDone>((resolve, reject) => {
      this.pending.set(req.id, { worker: w, onStart, onRows, ...(onProgress ? { onProgress } : {}), resolve, reject });
      w.postMessage(req);
    });
  }

  private ensure(): Worker | undefined {
    if (this.worker || this.disposed) return this.worker;
    const { port1, port2 } = new MessageChannel();
    const worker = startWorker(__dirname, 'store-worker.js', 'storeWorker.ts', { workerData: { textPort: port2, flag: this.flag }, transferList: [port2] });
    if (!worker) return undefined;
    worker.on('message', (r: StoreReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      if ('progress' in r) p.onProgress?.(r.progress, r.of);
      else if ('start' in r) p.onStart(r.start);
      else if ('rows' in r) p.onRows(r.rows);
      else {
        this.pending.delete(r.id);
        if (this.pending.size === 0) worker.unref();
        if ('done' in r) p.resolve(r.done);
        else if ('built' in r) p.onBuilt?.(r.built);
        else if ('found' in r) p.onFound?.(r.found);
        else p.reject(new Error(r.error));
        this.touch();
      }
    });
    // A worker ended when idle may still be ending when a new one takes a request: its end fails only its own.
    const failAll = (e: Error) => {
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(e);
      }
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      failAll(new Error(`the mail index worker exited (code ${code})`));
      if (this.worker === worker) {
        this.worker = undefined;
        this.port = undefined;
      }
    });
    worker.unref();
    this.worker = worker;
    this.port = port1;
    return worker;
  }

  /** Ends the worker once nothing has been asked of it for a while. */
  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    if (this.pending.size > 0) return;
    this.idle = setTimeout(() => void this.stop(), this.idleMs);
    this.idle.unref();
  }

  private async stop(): Promise<void> {
    const w = this.worker;
    if (!w || this.pending.size > 0) return;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    await w.terminate();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.idle) clearTimeout(this.idle);
    await this.stop();
  }
}
