import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNonce } from '../../../src/core/protocol/nonce';

test('a nonce is 32 base64url characters (24 random bytes), different each time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const n = makeNonce();
    assert.match(n, /^[A-Za-z0-9_-]{32}$/);
    seen.add(n);
  }
  assert.equal(seen.size, 1000);
});
