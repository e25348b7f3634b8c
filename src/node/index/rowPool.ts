/**
 * The indexer's collector: every message read becomes one row, in reading
 * order, whatever happens to it (an error is a row too). The decoding and
 * the facts run on a worker thread (rowWorker.ts) once a read is large
 * enough to be worth one; the thread that reads git's output and writes the
 * rows then has the other core's help (and makes rows itself only when the
 * worker is far behind). With the changes made beside it (rows.ts and the
 * facts), the first index of a list archive (53,141 messages, two cores)
 * went from 14.1 s to 11.3 s, with the same rows. A small update (a few
 * hundred new messages) is made here, without starting a worker.
 */
import type { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type ParseLimits, postalMimeParser } from '../../core/mail/message';
import type { MailSink } from '../mail/read';
import { startWorker } from '../worker';
import { errorRow, type RowPlace, rowOfBytes } from './rows';
import type { RowReply, RowRequest } from './rowWorker';
import type { MessageRow } from './store';

interface Batch {
  id: number;
  /** The slot of its first message. */
  first: number;
  size: number;
  ends: number[];
  places: Omit<RowPlace, 'list'>[];
}

export interface RowCollectorOptions {
  signal?: AbortSignal;
  onProgress?: (decoded: number) => void;
  /** Called (and awaited) whenever this many rows are held: the caller takes them away with take(). */
  drain?: { every: number; run: () => Promise<void> };
  limits?: ParseLimits;
  /** Messages made into rows on this thread before a worker is started (default IN_PROCESS_FIRST); Infinity: never. */
  inProcessFirst?: number;
}

export class RowCollector implements MailSink {
  /** Rows not yet taken, from slot `taken` on; undefined: on its way. */
  private slots: (MessageRow | undefined)[] = [];
  private taken = 0;
  private decoded = 0;
  /** Rows made on the worker so far (the rest were made on this thread). */
  madeByWorker = 0;
  private readonly limits: ParseLimits;
  private worker: Worker | undefined;
  private started = false;
  private broken: Error | undefined;
  private batch: Batch | undefined;
  private nextId = 0;
  private readonly inFlight = new Map<number, { first: number; size: number }>();
  private bytesInFlight = 0;
  /** Resolved whenever a row arrives (or the worker fails): what take() waits for. */
  private arrived: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Messages made into rows here before the worker is started: a small update is not worth its start (tens of ms). */
  static readonly IN_PROCESS_FIRST = 512;
  /** A batch is handed over at this many messages or bytes, or when this thread next waits for input. */
  static readonly BATCH_MESSAGES = 64;
  static readonly BATCH_BYTES = 512 * 1024;
  /**
   * Bytes handed to the worker and not yet back: beyond this, this thread
   * makes the rows itself. Rows made here hold up the reading of git's output
   * and the writing of rows, so only a worker far behind is helped: on
   * linux-arch, 4 MiB gave a first index of 11.5-12.1 s, 32-64 MiB 11.0-12.0 s,
   * with the same peak RSS (the worker keeps up, and little is ever in flight).
   */
  static readonly MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;
  // One worker: on two cores, with git cat-file beside them, two took the first index of
  // linux-arch from 11.8 to 12.5–13.1 s and its peak RSS from 279 to 324–339 MB.

  constructor(
    private readonly list: string,
    private readonly opts: RowCollectorOptions = {},
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
  }

  /** Messages and errors filed so far. */
  get seen(): number {
    return this.taken + this.slots.length;
  }

  /**
   * Files one message into the next slot. The bytes are used only until this
   * returns, so the caller may reuse their buffer after awaiting it.
   */
  async add(bytes: Uint8Array, sourceId: string, origin: string, fallbackId: string, loc?: string): Promise<void> {
    this.opts.signal?.throwIfAborted();
    if (this.broken) throw this.broken;
    const slot = this.seen;
    const place: Omit<RowPlace, 'list'> = loc === undefined ? { sourceId, origin, fallbackId } : { sourceId, origin, fallbackId, loc };
    const worker = slot >= (this.opts.inProcessFirst ?? RowCollector.IN_PROCESS_FIRST) ? this.ensureWorker() : undefined;
    this.slots.push(undefined);
    // With the worker far behind, this thread makes the row itself rather than wait.
    if (worker && this.bytesInFlight < RowCollector.MAX_BYTES_IN_FLIGHT) this.queue(slot, bytes, place);
    else {
      if (this.broken) throw this.broken;
      const row = rowOfBytes(bytes, { ...place, list: this.list }, this.limits, postalMimeParser);
      if (!(row instanceof Promise)) this.put(slot, row);
      // A MIME parse: its slot is filled when it ends (rowOfBytes turns any failure into an error row).
      else
        row.then(
          (r) => {
            this.put(slot, r);
            this.wake();
          },
          // Not a message that could not be read (that is an error row): the code failed. The update fails with it.
          (e: unknown) => this.fatal(e instanceof Error ? e : new Error(String(e))),
        );
    }
    const d = this.opts.drain;
    if (d && this.slots.length >= d.every) await d.run();
  }

  /** Something that is not one message could not be read (a file of a folder, an epoch): one error row. */
  fail(sourceId: string, origin: string, message: string, loc?: string): void {
    const slot = this.seen;
    this.slots.push(undefined);
    this.put(slot, errorRow({ msgid: null, origin, sourceId, message, ...(loc === undefined ? {} : { loc }) }, this.list));
  }

  /**
   * The rows ready from the first one not yet taken, in reading order; with
   * `all`, once every message filed has its row. Waits for at least one
   * when the first is still on its way.
   */
  async take(all: boolean): Promise<MessageRow[]> {
    this.post();
    for (;;) {
      if (this.broken) throw this.broken;
      let n = 0;
      while (n < this.slots.length && this.slots[n] !== undefined) n++;
      if ((n > 0 && !all) || n === this.slots.length) {
        this.taken += n;
        return this.slots.splice(0, n) as MessageRow[];
      }
      await this.nextArrival();
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private put(slot: number, row: MessageRow): void {
    this.slots[slot - this.taken] = row;
    this.decoded++;
    if (this.opts.onProgress && this.decoded % 500 === 0) this.opts.onProgress(this.decoded);
  }

  private nextArrival(): Promise<void> {
    if (!this.arrived) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.arrived = { promise, resolve };
    }
    return this.arrived.promise;
  }

  private wake(): void {
    const a = this.arrived;
    this.arrived = undefined;
    a?.resolve();
  }

  /** Where batches are made: reused, so that only each batch's own copy is new memory (made when the first batch is: a few new messages never make one). */
  private staging = new Uint8Array(0);

  /** Copies the message into the batch being made, handing the batch over when full (or when this thread next waits). */
  private queue(slot: number, bytes: Uint8Array, place: Omit<RowPlace, 'list'>): void {
    // A batch's slots follow one another (its rows are put from its first on): a slot filled
    // here in between (a failure, a row made on this thread) ends the batch being made.
    if (this.batch && this.batch.first + this.batch.ends.length !== slot) this.post();
    let b = this.batch;
    if (!b) {
      b = this.batch = { id: this.nextId++, first: slot, size: 0, ends: [], places: [] };
      setImmediate(() => this.post());
    }
    if (b.size + bytes.length > this.staging.length) {
      const bigger = new Uint8Array(Math.max(this.staging.length * 2, RowCollector.BATCH_BYTES * 2, b.size + bytes.length));
      bigger.set(this.staging.subarray(0, b.size));
      this.staging = bigger;
    }
    this.staging.set(bytes, b.size);
    b.size += bytes.length;
    b.ends.push(b.size);
    b.places.push(place);
    if (b.ends.length >= RowCollector.BATCH_MESSAGES || b.size >= RowCollector.BATCH_BYTES) this.post();
  }

  private post(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    const worker = this.worker;
    if (!worker) {
      this.fatal(new Error(`the index's row worker is gone with ${b.ends.length} message(s) for it`));
      return;
    }
    this.inFlight.set(b.id, { first: b.first, size: b.size });
    this.bytesInFlight += b.size;
    worker.ref();
    // A buffer of the batch's own (not zero-filled: every byte is copied over) to hand over.
    const own = Buffer.allocUnsafeSlow(b.size);
    own.set(this.staging.subarray(0, b.size));
    const req: RowRequest = { id: b.id, list: this.list, limits: this.limits, buf: own.buffer as ArrayBuffer, ends: b.ends, places: b.places };
    worker.postMessage(req, [req.buf]);
  }

  /** Starts the worker once; undefined when it could not be (rows are then made here). */
  private ensureWorker(): Worker | undefined {
    if (this.started) return this.worker;
    this.started = true;
    const worker = startWorker(__dirname, 'row-worker.js', 'rowWorker.ts', {});
    if (!worker) return undefined;
    worker.on('message', (reply: RowReply) => {
      const f = this.inFlight.get(reply.id);
      if (!f) return;
      this.inFlight.delete(reply.id);
      this.bytesInFlight -= f.size;
      // Idle, the worker must not keep the process alive; busy, it must.
      if (this.inFlight.size === 0) worker.unref();
      if ('error' in reply) this.fatal(new Error(`the index's row worker failed: ${reply.error}`));
      else {
        for (let i = 0; i < reply.rows.length; i++) this.put(f.first + i, reply.rows[i]!);
        this.madeByWorker += reply.rows.length;
      }
      this.wake();
    });
    worker.on('error', (e) => this.fatal(e));
    worker.on('exit', (code) => {
      if (this.inFlight.size > 0) this.fatal(new Error(`the index's row worker exited (code ${code}) with ${this.inFlight.size} batch(es) unanswered`));
      if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The worker is gone with messages on it: the update fails (and is rolled back), naming why. */
  private fatal(e: Error): void {
    this.broken ??= e;
    this.wake();
  }
}
