/**
 * The call-site lens line: an arch with no table is said plainly; a
 * simulator failure (a profile symbol that does not resolve) is shown as
 * the failure, naming the profile and symbol, not as "no table".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallSite } from '../../../src/core/callsites/detect';
import { siteSummary } from '../../../src/core/layout/describe';
import { profileFor, resolveSymbols, type ArchProfile } from '../../../src/core/sim/profiles';
import { KPROBES_SITE } from '../../support/sites';

const site = (over: Partial<CallSite>): CallSite => ({ ...KPROBES_SITE, ...over });

/** arm64's profile with MODULES_END defined over a name no profile has. */
function brokenArm64(): ArchProfile {
  const p = profileFor('arm64')!;
  return { ...p, symbols: { ...p.symbols, MODULES_END: { value: 'MODULES_VADDR + NO_SUCH_SIZE', source: 'test' } } };
}

describe('siteSummary', () => {
  test('a placement the simulator finds', () => {
    assert.deepEqual(siteSummary(site({}), 'arm64', 'module_alloc'), { text: 'EXECMEM_KPROBES · arm64 → vmalloc, ROX' });
  });

  test('a design with no table for the arch: said, no error', () => {
    assert.deepEqual(siteSummary(site({ size: '8192' }), 'x86', 'no-such-design'), { text: 'EXECMEM_KPROBES · x86 → no table for this arch' });
  });

  test('a profile symbol that does not resolve: the lens says the simulation failed and why', () => {
    const s = siteSummary(site({ size: '12288' }), 'arm64', 'execmem', () => {
      resolveSymbols(brokenArm64());
      throw new Error('unreachable');
    });
    assert.equal(s.error, 'execmem on arm64: profile arm64: symbol MODULES_END: "MODULES_VADDR + NO_SUCH_SIZE": unknown symbol NO_SUCH_SIZE');
    assert.equal(s.text, `EXECMEM_KPROBES · arm64 → simulation failed: ${s.error}`);
  });
});
