/**
 * The layering rule of the codebase, as a check over import statements:
 *   src/core      pure: no vscode, no Node built-ins (it also runs in the
 *                 webview), nothing from src/node, src/extension, src/cli or webview
 *   src/node      Node I/O shared by extension and CLI: no vscode, nothing
 *                 from src/extension, src/cli or webview
 *   src/cli       no vscode, nothing from src/extension or webview
 *   src/extension nothing from src/cli or webview
 *   webview       no vscode, no Node built-ins, nothing from src/extension or src/cli
 * Imports are read with the TypeScript compiler's own pre-processor (static
 * imports, re-exports, dynamic import() and require()), not with a regex.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

type Layer = 'core' | 'node' | 'cli' | 'extension' | 'webview' | 'other';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function layerOf(root: string, file: string): Layer {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'src' && (rel[1] === 'core' || rel[1] === 'node' || rel[1] === 'cli' || rel[1] === 'extension')) return rel[1];
  if (rel[0] === 'webview') return 'webview';
  return 'other';
}

const FORBIDDEN: Record<Layer, { layers: Layer[]; vscode: boolean; node: boolean }> = {
  core: { layers: ['node', 'cli', 'extension', 'webview'], vscode: true, node: true },
  node: { layers: ['cli', 'extension', 'webview'], vscode: true, node: false },
  cli: { layers: ['extension', 'webview'], vscode: true, node: false },
  extension: { layers: ['cli', 'webview'], vscode: false, node: false },
  webview: { layers: ['node', 'cli', 'extension'], vscode: true, node: true },
  other: { layers: [], vscode: false, node: false },
};

function sourceFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mts|cts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

export function checkLayers(root: string): Violation[] {
  const files = [...sourceFiles(path.join(root, 'src')), ...sourceFiles(path.join(root, 'webview'))];
  const violations: Violation[] = [];
  for (const file of files) {
    const layer = layerOf(root, file);
    const rules = FORBIDDEN[layer];
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      const line = ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), ref.pos).line + 1;
      const add = (rule: string): void => {
        violations.push({ file: path.relative(root, file), line, specifier: spec, rule });
      };
      if (spec === 'vscode' && rules.vscode) add(`${layer} must not import vscode`);
      if (NODE_BUILTINS.has(spec) && rules.node) add(`${layer} must not use the Node built-in '${spec}' (it runs in the browser too)`);
      if (spec.startsWith('.')) {
        const target = layerOf(root, path.resolve(path.dirname(file), spec));
        if (rules.layers.includes(target)) add(`${layer} must not import from ${target}`);
      }
    }
  }
  return violations;
}
