import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { checkLayers } from './support/layers';

const ROOT = path.resolve(__dirname, '..');

describe('layering', () => {
  test('the project follows its layering rule', () => {
    assert.deepEqual(checkLayers(ROOT), []);
  });

  describe('the check catches each kind of breach', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execmem-layers-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    write('src/core/good.ts', "import { x } from './other';\nimport { diffLines } from 'diff';\nexport const y = x;\n");
    write('src/core/other.ts', 'export const x = 1;\n');
    write('src/core/vs.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    write('src/core/sub/up.ts', "export { activate } from '../../extension/extension';\n");
    write('src/core/fs.ts', "\n\nimport { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n");
    write('src/core/req.ts', "const cp = require('child_process');\nexport default cp;\n");
    write('src/core/dyn.ts', "export const load = () => import('../../webview/src/page');\n");
    write('src/core/io.ts', "import { readSources } from '../node/mail/read';\nexport const r = readSources;\n");
    write('src/node/vs.ts', "import * as vscode from 'vscode';\nimport { readFile } from 'node:fs';\nexport const v = [vscode, readFile];\n");
    write('src/cli/bad.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    write('src/extension/fine.ts', "import * as vscode from 'vscode';\nimport { x } from '../core/other';\nexport const v = [vscode, x];\n");
    write('webview/src/page.ts', "import { activate } from '../../src/extension/extension';\nexport const a = activate;\n");
    const found = checkLayers(dir);
    const by = (file: string) => found.filter((v) => v.file === file.split('/').join(path.sep));

    test('vscode in core', () => assert.match(by('src/core/vs.ts')[0]?.rule ?? '', /core must not import vscode/));
    test('re-export from the extension layer', () => assert.match(by('src/core/sub/up.ts')[0]?.rule ?? '', /core must not import from extension/));
    test('a Node built-in in core, with its line', () => {
      assert.equal(by('src/core/fs.ts')[0]?.line, 3);
      assert.match(by('src/core/fs.ts')[0]?.rule ?? '', /node:fs/);
    });
    test('require() of a built-in', () => assert.match(by('src/core/req.ts')[0]?.rule ?? '', /child_process/));
    test('dynamic import of the webview', () => assert.match(by('src/core/dyn.ts')[0]?.rule ?? '', /core must not import from webview/));
    test('core reaching into the Node layer', () => assert.match(by('src/core/io.ts')[0]?.rule ?? '', /core must not import from node/));
    test('vscode in the Node layer (its built-ins are fine)', () => assert.deepEqual(by('src/node/vs.ts').map((v) => v.rule), ['node must not import vscode']));
    test('vscode in the CLI', () => assert.equal(by('src/cli/bad.ts').length, 1));
    test('webview reaching into the extension', () => assert.equal(by('webview/src/page.ts').length, 1));
    test('allowed imports pass', () => {
      assert.deepEqual(by('src/core/good.ts'), []);
      assert.deepEqual(by('src/core/other.ts'), []);
      assert.deepEqual(by('src/extension/fine.ts'), []);
    });
  });
});
