/**
 * The extension manifest is a contract: view and command ids are relied on by
 * tests outside the project, welcome links and menus must point at commands
 * that exist, and the engine must accept the VS Code the e2e tests run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

/** Command ids registered by src/extension/commands.ts: the keys of its COMMANDS table. */
function registeredCommandIds(): string[] {
  const file = path.join(ROOT, 'src/extension/commands.ts');
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const ids: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(sf) === 'COMMANDS' && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
      for (const prop of node.initializer.properties) {
        if (prop.name && ts.isStringLiteral(prop.name)) ids.push(prop.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return ids;
}

const BUILTIN_COMMANDS = new Set(['vscode.openFolder', 'workbench.action.openSettings']);

describe('package.json manifest', () => {
  test('the activity-bar container and its three views keep their ids', () => {
    assert.ok(contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === 'execmemLens'));
    assert.deepEqual(
      contributes.views.execmemLens.map((v: { id: string }) => v.id),
      ['execmemLens.series', 'execmemLens.archMap', 'execmemLens.callSites'],
    );
  });

  test('the layout view is a webview view in a panel container', () => {
    const panelIds = contributes.viewsContainers.panel.map((c: { id: string }) => c.id);
    const holder = Object.entries(contributes.views).find(([, views]) =>
      (views as { id: string }[]).some((v) => v.id === 'execmemLens.layout'),
    );
    assert.ok(holder, 'execmemLens.layout is not contributed');
    assert.ok(panelIds.includes(holder[0]), `execmemLens.layout sits in ${holder[0]}, not a panel container`);
    const view = (holder[1] as { id: string; type?: string }[]).find((v) => v.id === 'execmemLens.layout');
    assert.equal(view?.type, 'webview');
  });

  test('every contributed command is registered, under the category "Execmem Lens", and back', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, registeredCommandIds().sort());
    for (const c of contributes.commands) assert.equal(c.category, 'Execmem Lens', c.command);
  });

  test('each empty view has welcome content and its links run known commands', () => {
    const known = new Set([...contributes.commands.map((c: { command: string }) => c.command), ...BUILTIN_COMMANDS]);
    for (const id of ['execmemLens.series', 'execmemLens.archMap', 'execmemLens.callSites']) {
      const welcome = contributes.viewsWelcome.filter((w: { view: string }) => w.view === id);
      assert.equal(welcome.length, 1, id);
      for (const [, cmd] of welcome[0].contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(cmd), `${id} links to ${cmd}`);
    }
    for (const items of Object.values(contributes.menus) as { command: string }[][]) {
      for (const item of items) assert.ok(known.has(item.command), `menu item ${item.command}`);
    }
  });

  test('activation is lazy and includes C files', () => {
    assert.ok(!pkg.activationEvents.includes('*'), 'activates on startup');
    assert.ok(!pkg.activationEvents.includes('onStartupFinished'));
    assert.ok(pkg.activationEvents.includes('onLanguage:c'));
  });

  test('engine and typings match the VS Code of the end-to-end tests (1.100)', () => {
    assert.equal(pkg.engines.vscode, '^1.100.0');
    const types = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@types/vscode/package.json'), 'utf8'));
    assert.match(types.version, /^1\.100\./);
  });

  test('entry points: the bundled extension and the execmem-lens CLI', () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(pkg.bin, { 'execmem-lens': './dist/cli.js' });
    assert.deepEqual(pkg.dependencies ?? {}, {}, 'runtime code is bundled; dependencies would be packed into the VSIX');
  });
});
