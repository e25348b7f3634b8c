/**
 * Loads tree-sitter (web-tree-sitter's WebAssembly runtime) and the
 * tree-sitter-c grammar once per process. The two .wasm files are looked up
 * next to the bundle (dist/wasm, where the build copies them) and then in
 * node_modules (tests and tsx runs).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

let ready: Promise<Language> | undefined;

function locate(file: string, candidates: string[]): string {
  for (const c of candidates) {
    const p = join(c, file);
    if (existsSync(p)) return p;
  }
  throw new Error(`tree-sitter: ${file} not found (looked in ${candidates.join(', ')}); run npm run build`);
}

function searchDirs(pkg: string): string[] {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const dirs = [join(here, 'wasm'), join(here, '..', 'dist', 'wasm')];
  for (let d = here, k = 0; k < 6; k++, d = dirname(d)) dirs.push(join(d, 'node_modules', pkg));
  dirs.push(join(process.cwd(), 'node_modules', pkg));
  return dirs;
}

export function loadC(): Promise<Language> {
  ready ??= (async () => {
    await Parser.init({ locateFile: (f: string) => locate(f, searchDirs('web-tree-sitter')) });
    return Language.load(locate('tree-sitter-c.wasm', searchDirs('tree-sitter-c')));
  })();
  return ready;
}

/** A parser for C; parsers are cheap, the language is shared. */
export async function newCParser(): Promise<Parser> {
  const lang = await loadC();
  const p = new Parser();
  p.setLanguage(lang);
  return p;
}
