/** What `npm run package` produced: small, and nothing in it that users do not run. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { vsixPath } from '../../scripts/lib/codeServer';

describe('the packaged VSIX', () => {
  const file = vsixPath();
  const entries = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');

  test('is under 5 MB', () => {
    assert.ok(statSync(file).size < 5 * 1024 * 1024, `${statSync(file).size} bytes`);
  });

  test('carries the three bundles, the media and the manifest', () => {
    for (const need of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/mime-worker.js', 'extension/dist/row-worker.js', 'extension/dist/store-worker.js', 'extension/dist/webview/layout.js', 'extension/media/layout.css', 'extension/media/execmem.svg', 'extension/readme.md']) {
      assert.ok(entries.includes(need), `${need} missing from ${entries.join(', ')}`);
    }
  });

  test('leaves out sources, tests, source maps, caches and node_modules', () => {
    const unwanted = entries.filter((e) => /\.map$|\.ts$|^extension\/(src|test|webview|scripts|node_modules|\.cache|test-results)\//.test(e));
    assert.deepEqual(unwanted, []);
  });

  test('ships minified production bundles', () => {
    const ext = execFileSync('unzip', ['-p', file, 'extension/dist/extension.js'], { encoding: 'utf8' });
    // Minified code is long lines (bundled libraries keep a few multi-line strings).
    const lines = ext.split('\n').length;
    assert.ok(ext.length / lines > 1000, `extension.js has ${lines} lines for ${ext.length} bytes: not minified?`);
    assert.doesNotMatch(ext, /\n\s+\/\*\*/, 'doc comments left in');
    assert.doesNotMatch(ext, /sourceMappingURL/);
  });
});
