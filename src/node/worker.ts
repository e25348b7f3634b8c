/**
 * Starting one of the bundle's worker threads: the bundled script that lies
 * next to the calling bundle in dist/, or, when running from the sources
 * (tests under tsx), the TypeScript file itself through tsx's loader.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `dir`: the caller's __dirname; `bundled`: the script's name in dist/; `source`: its TypeScript file in `dir`. Undefined when neither is there. */
export function startWorker(dir: string, bundled: string, source: string, options: WorkerOptions): Worker | undefined {
  const script = path.join(dir, bundled);
  if (existsSync(script)) return new Worker(script, options);
  const ts = path.join(dir, source);
  if (existsSync(ts)) {
    return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(ts)});`, { ...options, eval: true });
  }
  return undefined;
}
