/**
 * Worker thread that holds SQLite for an extension host: it brings a
 * source's index up to date, reads its rows and hands them over, and answers
 * the rare questions only the database can (the kept text of a MIME
 * message). SQLite's WebAssembly, once loaded in a thread, stays with it:
 * in the extension host itself it kept some 90 MB of a list archive's read
 * (its compiled code and grown memory) for as long as the window lived;
 * a worker gives all of it back when it ends (remote.ts ends it when idle).
 *
 * In: { op: 'load', id, dir, p, afterId }, { op: 'rows', id, dir, p },
 *     { op: 'warm', id, dir, p } (SQLite loaded and the store opened, ahead of kept texts),
 *     { op: 'text', seq, dir, p, loc } (answered { seq, text } on the text port, see remote.ts).
 * Out: { id, progress } / { id, start } / { id, rows } / { id, done } / { id, error }.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { indexFileFor, openUpdated, updateSource } from './indexer';
import { IndexStore, isDamage, type StoredRow } from './store';

export type StoreRequest =
  | { op: 'load'; id: number; dir: string; p: string; afterId: number }
  | { op: 'rows'; id: number; dir: string; p: string }
  | { op: 'warm'; id: number; dir: string; p: string }
  | { op: 'text'; seq: number; dir: string; p: string; loc: string };

/** Sent before the rows of a read: what they are. A second start voids the rows sent after the first. */
export interface StoreStart {
  /** The file's generation (see IndexStore.builtAs). */
  builtAs: string;
  /** Rows the update took out (then every row is sent: see loadSource). */
  dropped: number;
  /** The rows that follow are those after this id (0: all of them). */
  afterId: number;
}

export interface StoreDone {
  fresh: number;
  notes: string[];
  count: number;
  addresses: readonly string[];
}

export type StoreReply =
  | { id: number; progress: number }
  | { id: number; start: StoreStart }
  | { id: number; rows: StoredRow[] }
  | { id: number; done: StoreDone }
  | { id: number; error: string };

const { textPort, flag } = workerData as { textPort: MessagePort; flag: Int32Array };

/** The stores this worker has opened, by file: closed after each read, opened again (briefly) for a kept text. */
const stores = new Map<string, IndexStore>();

const post = (r: StoreReply) => parentPort!.postMessage(r);

/** Every row after `afterId`, in batches (a whole archive's rows are never one message). */
function sendRows(id: number, store: IndexStore, afterId: number): void {
  let batch: StoredRow[] = [];
  store.forEach((r) => {
    batch.push(r);
    if (batch.length === 1000) {
      post({ id, rows: batch });
      batch = [];
    }
  }, afterId);
  if (batch.length > 0) post({ id, rows: batch });
}

/** Every row after `afterId` of `store`, after a start saying so; then, in the same read, its count and addresses. */
function sendAll(id: number, store: IndexStore, afterId: number): Promise<Pick<StoreDone, 'count' | 'addresses'>> {
  return store.reading(() => {
    post({ id, start: { builtAs: store.builtAs, dropped: store.dropped, afterId } });
    sendRows(id, store, afterId);
    return { count: store.count(), addresses: store.addressTable() };
  });
}

async function load(id: number, dir: string, p: string, afterId: number): Promise<StoreDone> {
  stores.get(indexFileFor(dir, p))?.close();
  const progress = { onProgress: (n: number) => post({ id, progress: n }) };
  let { store, read: fresh, notes } = await openUpdated(dir, p, progress);
  try {
    try {
      // Rows taken out by this update (a file changed, the last mbox message read again): read whole.
      return { fresh, notes, ...(await sendAll(id, store, store.dropped === 0 ? afterId : 0)) };
    } catch (e) {
      if (!isDamage(e)) throw e;
      const replaced = await IndexStore.replaceDamaged(store, e instanceof Error ? e.message : String(e));
      store = replaced.store;
      fresh = (await updateSource(store, p, progress)).read;
      notes = [...notes, replaced.note];
      return { fresh, notes, ...(await sendAll(id, store, 0)) };
    }
  } finally {
    store.close();
    stores.set(store.file, store);
  }
}

async function rows(id: number, dir: string, p: string): Promise<StoreDone> {
  const store = stores.get(indexFileFor(dir, p));
  if (!store) throw new Error(`${p}: its index was not read in this worker`);
  try {
    return { fresh: 0, notes: [], ...(await sendAll(id, store, 0)) };
  } finally {
    store.close();
  }
}

/** The store of an index, opened (SQLite loaded) when this worker has not yet (it was started again since the read). */
async function storeOf(dir: string, p: string): Promise<IndexStore> {
  const file = indexFileFor(dir, p);
  let store = stores.get(file);
  if (!store) {
    store = (await IndexStore.open(file)).store;
    store.close();
    stores.set(file, store);
  }
  return store;
}

/** The kept text at `loc`. */
async function text(dir: string, p: string, loc: string): Promise<string | null> {
  return (await storeOf(dir, p)).textOf(loc);
}

parentPort?.on('message', (req: StoreRequest) => {
  if (req.op === 'text') {
    // The asking thread waits on `flag` for the answer on the text port (see remote.ts).
    const answer = (text: string | null) => {
      textPort.postMessage({ seq: req.seq, text });
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    };
    text(req.dir, req.p, req.loc).then(answer, () => answer(null));
    return;
  }
  const run =
    req.op === 'load'
      ? load(req.id, req.dir, req.p, req.afterId)
      : req.op === 'rows'
        ? rows(req.id, req.dir, req.p)
        : storeOf(req.dir, req.p).then((): StoreDone => ({ fresh: 0, notes: [], count: 0, addresses: [] }));
  run.then(
    (done) => post({ id: req.id, done }),
    (e: unknown) => post({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
