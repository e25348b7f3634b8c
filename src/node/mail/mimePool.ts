/**
 * A full MIME parse on a worker thread. Reading a list archive is mostly the
 * fast single-part path on the main thread; the multipart rest goes through
 * postal-mime, which is several times slower per byte, and running it beside
 * the main thread uses the second core. Falls back to parsing in-process when
 * no worker can be started.
 */
import type { Worker } from 'node:worker_threads';
import type { Email } from 'postal-mime';
import { type MimeParser, type ParseLimits, postalMimeParser } from '../../core/mail/message';
import { startWorker } from '../worker';

type Pending = { resolve: (e: Email) => void; reject: (e: Error) => void };

export class MimeWorkerPool {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  /** Messages parsed in-process before a worker is worth its start-up (tens of ms). */
  static readonly IN_PROCESS_FIRST = 16;
  private calls = 0;

  readonly parse: MimeParser = (bytes: Uint8Array, limits: ParseLimits): Promise<Email> => {
    if (++this.calls <= MimeWorkerPool.IN_PROCESS_FIRST) return postalMimeParser(bytes, limits);
    const worker = this.ensure();
    if (!worker) return postalMimeParser(bytes, limits);
    const id = this.nextId++;
    return new Promise<Email>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      // Copy out just this message and hand its buffer over: posting a view
      // would clone the whole buffer behind it (a whole mbox file, say).
      // Uint8Array.prototype.slice copies; a Node Buffer's own slice() is a view (subarray),
      // and transferring its buffer would detach the whole mbox read so far.
      const own = Uint8Array.prototype.slice.call(bytes);
      worker.postMessage({ id, bytes: own, limits }, [own.buffer]);
    });
  };

  private ensure(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    // A small young generation: the worker parses one message at a time and keeps nothing.
    const worker = startWorker(__dirname, 'mime-worker.js', 'mimeWorker.ts', { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    if (!worker) {
      this.failed = true;
      return undefined;
    }
    worker.on('message', (msg: { id: number; email?: Email; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      // Idle, the worker must not keep the process alive; busy, it must.
      if (this.pending.size === 0) worker.unref();
      if (msg.email) p.resolve(msg.email);
      else p.reject(new Error(msg.error ?? 'MIME worker gave no result'));
    });
    const failAll = (e: Error) => {
      this.failed = true;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) failAll(new Error(`MIME worker exited (code ${code})`));
      this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
