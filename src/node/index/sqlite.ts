/**
 * SQLite, built to WebAssembly by the SQLite project (@sqlite.org/sqlite-wasm),
 * loaded once per process. Its sqlite3.wasm is looked up next to the bundle
 * (dist/wasm, where the build copies it) and then in node_modules (tests and
 * tsx runs), as src/node/c/parser.ts does for tree-sitter.
 *
 * Why this store: public-inbox keeps its overview in SQLite; a WebAssembly
 * build runs in VS Code's extension host on every platform with nothing to
 * compile. Its Node build writes files only to an in-memory file system,
 * so the index reaches its file through a VFS of ours (fileVfs.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sqlite3Static } from '@sqlite.org/sqlite-wasm' with { 'resolution-mode': 'import' };

let ready: Promise<Sqlite3Static> | undefined;

function wasmPath(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const dirs = [join(here, 'wasm'), join(here, '..', 'dist', 'wasm')];
  for (let d = here, k = 0; k < 6; k++, d = dirname(d)) dirs.push(join(d, 'node_modules', '@sqlite.org', 'sqlite-wasm', 'dist'));
  dirs.push(join(process.cwd(), 'node_modules', '@sqlite.org', 'sqlite-wasm', 'dist'));
  for (const d of dirs) {
    const p = join(d, 'sqlite3.wasm');
    if (existsSync(p)) return p;
  }
  throw new Error(`sqlite3.wasm not found (looked in ${dirs.join(', ')}); run npm run build`);
}

export function loadSqlite(): Promise<Sqlite3Static> {
  ready ??= (async () => {
    const file = wasmPath();
    const init = (await import('@sqlite.org/sqlite-wasm')).default;
    // locateFile is the Emscripten option; the package's own types leave it out.
    return (init as (opts: { locateFile: (f: string) => string; print: (s: string) => void; printErr: (s: string) => void }) => Promise<Sqlite3Static>)({
      locateFile: (f: string) => (f === 'sqlite3.wasm' ? file : join(dirname(file), f)),
      print: () => undefined,
      printErr: () => undefined,
    });
  })();
  return ready;
}
