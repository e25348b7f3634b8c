/** The condition environment of a profile: a symbol that does not resolve is an error naming it, not an empty environment. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envOfProfile } from '../../../src/core/archmap/config';
import { profileFor } from '../../../src/core/sim/profiles';
import { ARCH_NAMES } from '../../../src/core/arch/arches';

describe('envOfProfile', () => {
  test('every built-in profile resolves', () => {
    for (const arch of ARCH_NAMES) {
      const p = profileFor(arch);
      if (p) assert.ok(envOfProfile(p, 'after').ok, arch);
    }
  });

  test('a symbol over an unknown name: the error names the profile and the symbol', () => {
    const p = profileFor('x86')!;
    const broken = { ...p, symbols: { ...p.symbols, MODULES_END: { value: 'MODULES_VADDR + NO_SUCH_SIZE', source: 'test' } } };
    const env = envOfProfile(broken, 'after');
    assert.deepEqual(env, { ok: false, error: 'profile x86: symbol MODULES_END: "MODULES_VADDR + NO_SUCH_SIZE": unknown symbol NO_SUCH_SIZE' });
  });
});
