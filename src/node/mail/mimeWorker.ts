/**
 * Worker thread that runs the full MIME parse (postal-mime) for the messages
 * that need one (multipart mail), so the main thread goes on with the rest.
 * Messages in: { id, bytes, limits }; out: { id, email } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { type ParseLimits, postalMimeParser } from '../../core/mail/message';
import { installConcatBlob } from './concatBlob';

// A Blob that only concatenates: see concatBlob.ts.
installConcatBlob();

interface Request {
  id: number;
  bytes: Uint8Array;
  limits: ParseLimits;
}

parentPort?.on('message', (req: Request) => {
  postalMimeParser(req.bytes, req.limits).then(
    (email) => parentPort!.postMessage({ id: req.id, email }),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
