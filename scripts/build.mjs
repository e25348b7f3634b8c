// Bundles the three builds with esbuild:
//   dist/extension.js    the VS Code extension (CommonJS, Node, `vscode` external)
//   dist/cli.js          the execmem-lens command line (CommonJS, Node)
//   dist/webview/*.js    the side panel's page (ESM, browser)
// --production minifies and writes source maps as separate files that
// .vscodeignore keeps out of the VSIX; --watch rebuilds on change.
import * as esbuild from 'esbuild';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: production,
  sourcemap: production ? 'external' : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  target: 'es2022',
  legalComments: 'linked',
};

// web-tree-sitter's ESM build finds itself through import.meta.url, which a
// CommonJS bundle does not have; its CommonJS build works in one.
const TREE_SITTER_CJS = { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' };

// SQLite's WebAssembly build is ESM only and finds itself through import.meta.url
// (src/node/index/sqlite.ts hands it the wasm file's place; createRequire still
// needs a URL): in the CommonJS bundles, import.meta.url is the bundle's own.
const IMPORT_META_URL = {
  define: { 'import.meta.url': '__execmemImportMetaUrl' },
  banner: { js: "const __execmemImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    alias: TREE_SITTER_CJS,
    external: ['vscode'],
    ...IMPORT_META_URL,
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/index.ts', 'mime-worker': 'src/node/mail/mimeWorker.ts', 'row-worker': 'src/node/index/rowWorker.ts', 'store-worker': 'src/node/index/storeWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    alias: TREE_SITTER_CJS,
    ...IMPORT_META_URL,
  },
  {
    ...common,
    entryPoints: { layout: 'webview/src/layout.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'esm',
    tsconfig: 'webview/tsconfig.json',
  },
];

/** tree-sitter's runtime and the C grammar are WebAssembly files loaded at run time (src/node/c/parser.ts). */
async function copyWasm() {
  await mkdir(new URL('../dist/wasm', import.meta.url), { recursive: true });
  for (const [pkg, file] of [['web-tree-sitter', 'web-tree-sitter.wasm'], ['tree-sitter-c', 'tree-sitter-c.wasm'], ['@sqlite.org/sqlite-wasm', 'dist/sqlite3.wasm']]) {
    await copyFile(new URL(`../node_modules/${pkg}/${file}`, import.meta.url), new URL(`../dist/wasm/${file.split('/').pop()}`, import.meta.url));
  }
}

if (!watch) await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await copyWasm();
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('build: watching for changes (Ctrl+C to stop)');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  await chmod(new URL('../dist/cli.js', import.meta.url), 0o755);
  await copyWasm();
  console.log(`build: ${production ? 'production' : 'development'} bundles in dist/ (${Date.now() - started} ms)`);
}
