import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { b4AmCommand, shellQuote } from '../../../src/core/mail/b4';

test('b4 am command: plain ids are quoted as they are', () => {
  assert.equal(b4AmCommand('20240505142600.2322217-1-rppt@kernel.org'), "b4 am '20240505142600.2322217-1-rppt@kernel.org'");
});

test('law: the shell reads back exactly the id, whatever it holds', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0')), (id) => {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(id)}`], { encoding: 'utf8' });
      assert.equal(echoed, id);
    }),
    { numRuns: 60 },
  );
  const evil = "x;touch /tmp/pwned$(id)`id`'|sh@y";
  assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(evil)}`], { encoding: 'utf8' }), evil);
});
