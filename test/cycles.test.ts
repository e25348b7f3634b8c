import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { importCycles } from './support/cycles';

const SRC = path.resolve(__dirname, '..', 'src');

describe('import cycles', () => {
  // A cycle makes load order decide which side sees the other half-initialised,
  // and makes neither file understandable without the other.
  test('src/ has none', () => {
    assert.deepEqual(importCycles(SRC), []);
  });

  describe('the check finds them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execmem-cycles-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    // The shape src/cli had: the dispatcher imports its commands, they import its types back.
    write('cli/main.ts', "import { a } from './commands/a';\nexport interface Io { out: string }\nexport const all = [a];\n");
    write('cli/commands/a.ts', "import type { Io } from '../main';\nexport const a = (io: Io) => io.out;\n");
    write('cli/commands/b.ts', "import { helper } from '../shared';\nexport const b = helper;\n");
    write('cli/shared/index.ts', 'export const helper = 1;\n');
    write('self.ts', "export { x } from './self';\nexport const y = 1;\n");
    write('lib/x.ts', "import * as fs from 'node:fs';\nexport const x = () => import('./y');\nexport const f = fs;\n");
    write('lib/y.ts', "const x = require('./x');\nexport default x;\n");
    const cycles = importCycles(dir);
    const has = (files: string[]): boolean => cycles.some((c) => c.join() === files.map((f) => f.split('/').join(path.sep)).join());

    test('through a type-only import', () => assert.ok(has(['cli/commands/a.ts', 'cli/main.ts'])));
    test('a file importing itself', () => assert.ok(has(['self.ts'])));
    test('through import() and require()', () => assert.ok(has(['lib/x.ts', 'lib/y.ts'])));
    test('nothing else (a folder import resolves to its index.ts)', () => assert.equal(cycles.length, 3));
  });
});
