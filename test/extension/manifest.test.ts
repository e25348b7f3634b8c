/**
 * The extension manifest is a contract: view and command ids are relied on by
 * tests outside the project, welcome links and menus must point at commands
 * that exist, and the engine must accept the VS Code the e2e tests run.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

/** The command tables: src/extension/commands.ts and each feature's commands.ts, all registered together. */
const COMMAND_FILES = ['commands.ts', 'series/commands.ts', 'review/commands.ts', 'archmap/commands.ts', 'callsites/commands.ts'];

/** Command ids registered: the keys of the COMMANDS table of each command file. */
function registeredCommandIds(): string[] {
  return COMMAND_FILES.flatMap((f) => commandIdsOf(path.join(ROOT, 'src/extension', f)));
}

function commandIdsOf(file: string): string[] {
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
/** Commands VS Code makes for each contributed view. */
const VIEW_COMMANDS = new Set((Object.values(contributes.views) as { id: string }[][]).flat().map((v) => `${v.id}.focus`));

describe('package.json manifest', () => {
  test('the activity-bar container and its four views keep their ids', () => {
    assert.ok(contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === 'execmemLens'));
    assert.deepEqual(
      contributes.views.execmemLens.map((v: { id: string }) => v.id),
      ['execmemLens.series', 'execmemLens.archMap', 'execmemLens.callSites', 'execmemLens.mailHistory'],
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
    // A feature's command table not listed above would be missed here.
    const tables = readdirSync(path.join(ROOT, 'src/extension'), { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'commands.ts');
    assert.deepEqual(tables.sort(), [...COMMAND_FILES].sort());
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

  test('a Getting Started walkthrough: each step has a button that runs a known command, a completion event and its page', () => {
    const known = new Set([...contributes.commands.map((c: { command: string }) => c.command), ...BUILTIN_COMMANDS, ...VIEW_COMMANDS]);
    const setKeys = new Set([...readFileSync(path.join(ROOT, 'src/extension/walkthrough.ts'), 'utf8').matchAll(/'(execmemLens\.\w+)'/g)].map((m) => m[1]!));
    const [walkthrough] = contributes.walkthroughs as { id: string; steps: { id: string; description: string; completionEvents: string[]; media: { markdown?: string } }[] }[];
    assert.ok(walkthrough);
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['kernelTree', 'addMail', 'openSeries', 'simulate', 'archMap']);
    for (const step of walkthrough.steps) {
      const buttons = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!);
      assert.ok(buttons.length > 0, `${step.id} has no button`);
      for (const cmd of buttons) assert.ok(known.has(cmd), `${step.id} runs ${cmd}`);
      assert.ok(step.completionEvents.length > 0, `${step.id} never completes`);
      for (const e of step.completionEvents) {
        const cmd = /^onCommand:(.+)$/.exec(e)?.[1];
        const key = /^onContext:([\w.]+)$/.exec(e)?.[1];
        if (cmd) assert.ok(known.has(cmd), `${step.id} completes on ${cmd}`);
        // A context key the extension sets (src/extension/walkthrough.ts), not one nobody sets.
        else if (key) assert.ok(setKeys.has(key), `${step.id} completes on context key ${key}, which the extension never sets`);
        else assert.match(e, /^(onSettingChanged|onView):/, `${step.id}: ${e}`);
      }
      assert.ok(step.media.markdown && readFileSync(path.join(ROOT, step.media.markdown), 'utf8').length > 0, `${step.id}: ${step.media.markdown}`);
    }
  });

  test('the settings contributed are the settings src/extension/config.ts names, and no others', () => {
    const config = readFileSync(path.join(ROOT, 'src/extension/config.ts'), 'utf8');
    const names = /SETTING_NAMES = \{([^}]*)\}/.exec(config)?.[1] ?? '';
    const named = [...names.matchAll(/^\s*(\w+): '(\w+)',$/gm)].map((m) => {
      assert.equal(m[1], m[2], 'a setting is named by its own name');
      return `execmemLens.${m[2]}`;
    });
    const blocks = Array.isArray(contributes.configuration) ? contributes.configuration : [contributes.configuration];
    const contributed = blocks.flatMap((b: { properties: Record<string, unknown> }) => Object.keys(b.properties));
    assert.ok(named.length > 0);
    assert.deepEqual(contributed.sort(), named.sort());
  });

  test('the marketplace fields: a 128×128 PNG icon, repository, bugs, gallery banner', () => {
    const png = readFileSync(path.join(ROOT, pkg.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(pkg.repository.url, /^https:\/\//);
    assert.match(pkg.bugs.url, /^https:\/\//);
    assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
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
