/**
 * Worker thread that turns messages' bytes into index rows (rows.ts): the
 * decoding and the facts of a list archive's mail, beside the indexer's
 * thread, which reads git's output and writes the rows. Rows rather than
 * messages come back: a row is a few hundred bytes of strings, where a
 * decoded message carries its whole body.
 *
 * In:  { id, list, limits, buf, ends, places }: the messages laid end to end
 *      in `buf` (message i ends at ends[i]), each read at places[i].
 * Out: { id, rows } in the same order, or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { type ParseLimits, postalMimeParser } from '../../core/mail/message';
import { installConcatBlob } from '../mail/concatBlob';
import { type RowPlace, rowOfBytes } from './rows';
import type { MessageRow } from './store';

// A Blob that only concatenates (this thread does nothing but decode mail): see concatBlob.ts.
installConcatBlob();

export interface RowRequest {
  id: number;
  list: string;
  limits: ParseLimits;
  buf: ArrayBuffer;
  ends: number[];
  places: Omit<RowPlace, 'list'>[];
}

export type RowReply = { id: number; rows: MessageRow[] } | { id: number; error: string };

parentPort?.on('message', (req: RowRequest) => {
  const reply = async (): Promise<RowReply> => {
    const bytes = new Uint8Array(req.buf);
    const rows: (MessageRow | Promise<MessageRow>)[] = [];
    let at = 0;
    for (let i = 0; i < req.ends.length; i++) {
      const end = req.ends[i]!;
      rows.push(rowOfBytes(bytes.subarray(at, end), { ...req.places[i]!, list: req.list }, req.limits, postalMimeParser));
      at = end;
    }
    return { id: req.id, rows: await Promise.all(rows) };
  };
  reply().then(
    (r) => parentPort!.postMessage(r),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
