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
 *     { op: 'text', seq, dir, p, loc } (answered { seq, text } on the text port, see remote.ts),
 *     { op: 'model', id, dir, paths, inputs, file } (the sources' model made and written as an image: model.ts).
 * Out: { id, progress, of? } / { id, start } / { id, rows } / { id, done } / { id, built } / { id, error }.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { indexFileFor, openUpdated, updateSource } from './indexer';
import { hitOf, searchEntries, type SearchEntry, type SearchHit } from '../../core/search/docs';
import { SearchPlan } from '../../core/search/plan';
import type { Query } from '../../core/search/query';
import { matchEntries, matchWithoutBodies } from '../search/match';
import { imageKey, lazyIndex, ModelImage } from './image';
import { loaderOf } from './indexer';
import { type BuildReport, ModelBuilder } from './model';
import { addressesOf, IndexStore, isDamage, type StoredRow } from './store';

export type StoreRequest =
  | { op: 'load'; id: number; dir: string; p: string; afterId: number }
  | { op: 'rows'; id: number; dir: string; p: string }
  | { op: 'warm'; id: number; dir: string; p: string }
  | { op: 'text'; seq: number; dir: string; p: string; loc: string }
  | { op: 'model'; id: number; dir: string; paths: string[]; inputs: string; file: string; force?: boolean }
  | { op: 'search'; id: number; dir: string; file: string; inputs: string; query: Query; bodies: boolean; all?: boolean };

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
  | { id: number; progress: number; of?: string }
  | { id: number; built: BuildReport }
  | { id: number; found: Found }
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

/** The model of the last build, kept while this worker lives: new mail is put into it. */
let builder = new ModelBuilder();
/** The image the last build wrote (its model is the builder's). */
let built: { file: string; inputs: string } | undefined;

/** What a search gives: the hits (newest first, at most MAX_HITS) and how many there were; how many only bodies can decide. */
export interface Found {
  hits: SearchHit[];
  total: number;
  undecided: number;
}

const MAX_HITS = 2000;

/** The search plan over a model image's mail, kept while this worker lives (the whole model is here, not in the host). */
let searching: { file: string; inputs: string; plan: SearchPlan<SearchEntry>; image?: ModelImage } | undefined;

async function planFor(dir: string, file: string, inputs: string): Promise<SearchPlan<SearchEntry>> {
  if (searching && searching.file === file && searching.inputs === inputs) return searching.plan;
  searching?.image?.close();
  searching = undefined;
  let plan: SearchPlan<SearchEntry>;
  let image: ModelImage | undefined;
  if (built && built.file === file && built.inputs === inputs && builder.model) {
    plan = new SearchPlan(searchEntries(builder.model));
  } else {
    // Bodies are read again on this thread: each source's store opened first, so that a kept text is had at once.
    const img = ModelImage.open(file, imageKey(inputs), () => ({ text: () => ({ body: '', attachedPatches: [] }) }));
    if (!img) throw new Error(`${file}: no model image for these sources (read the mail again)`);
    const opened = new Map<string, IndexStore>();
    for (const s of img.header.sources) opened.set(s.sourceId, await storeOf(dir, s.sourceId));
    img.close();
    const withText = ModelImage.open(file, imageKey(inputs), (sourceId, addresses) => {
      const store = opened.get(sourceId);
      return loaderOf({ textOf: (loc) => store?.textOf(loc) ?? null, addresses: (ids) => addressesOf(addresses(), ids) });
    });
    if (!withText) throw new Error(`${file}: the model image changed while it was read`);
    image = withText;
    const whole = lazyIndex(withText, () => undefined);
    plan = new SearchPlan(searchEntries({ series: whole.series, others: whole.others }));
  }
  searching = { file, inputs, plan, ...(image ? { image } : {}) };
  return plan;
}

async function search(dir: string, file: string, inputs: string, query: Query, bodies: boolean, all = false): Promise<Found> {
  const plan = await planFor(dir, file, inputs);
  const r = bodies ? { hits: await matchEntries(plan, query), undecided: 0 } : matchWithoutBodies(plan, query);
  const hits = r.hits.map(hitOf).sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || (a.msgid < b.msgid ? -1 : 1));
  return { hits: all ? hits : hits.slice(0, MAX_HITS), total: hits.length, undecided: r.undecided };
}

parentPort?.on('message', (req: StoreRequest) => {
  if (req.op === 'model') {
    // The stores the build opens are its own: a kept text opens its store again.
    for (const p of req.paths) {
      stores.get(indexFileFor(req.dir, p))?.close();
      stores.delete(indexFileFor(req.dir, p));
    }
    searching?.image?.close();
    searching = undefined;
    // Until this build has written its image, the builder's model is no image's.
    built = undefined;
    // Asked to make the model again (Refresh): nothing kept from the last build is used.
    if (req.force) {
      builder.dispose();
      builder = new ModelBuilder();
    }
    builder.build(req.dir, req.paths, req.inputs, req.file, (of, n) => post({ id: req.id, progress: n, of })).then(
      (report) => {
        built = { file: req.file, inputs: req.inputs };
        post({ id: req.id, built: report });
      },
      (e: unknown) => {
        // A build that failed part way may have changed the model in place: the next one starts afresh.
        builder.dispose();
        builder = new ModelBuilder();
        post({ id: req.id, error: e instanceof Error ? e.message : String(e) });
      },
    );
    return;
  }
  if (req.op === 'search') {
    search(req.dir, req.file, req.inputs, req.query, req.bodies, req.all).then(
      (found) => post({ id: req.id, found }),
      (e: unknown) => post({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
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
