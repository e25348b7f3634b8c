import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ARCH_NAMES } from '../../../src/core/arch/arches';
import { type HostToPanel, type PanelToHost, parseHostToPanel, parsePanelToHost } from '../../../src/core/protocol/layout';
import { VARIANTS } from '../../../src/core/sim/archData';

const variant = fc.constantFrom(...VARIANTS);

const arch = fc.constantFrom(...ARCH_NAMES);
const protocol = fc.integer({ min: 1, max: 1000 });

const panelToHost: fc.Arbitrary<PanelToHost> = fc.oneof(
  fc.record({ type: fc.constant('ready' as const), protocol }),
  fc.record({ type: fc.constant('selectArch' as const), arch }),
  fc.record({ type: fc.constant('selectVariant' as const), variant }),
  fc.record({ type: fc.constant('setCompare' as const), variant: fc.option(variant, { nil: null }) }),
  fc.record({ type: fc.constantFrom('selectStep' as const, 'openSite' as const), step: fc.nat() }),
  fc.record({ type: fc.constant('exportPng' as const), data: fc.base64String({ minLength: 4 }).map((b) => `data:image/png;base64,${b}`) }),
  fc.record({ type: fc.constant('exportJson' as const) }),
);

const hostToPanel: fc.Arbitrary<HostToPanel> = fc.oneof(
  fc
    .uniqueArray(arch, { minLength: 1 })
    .chain((arches) =>
      fc.record({
        type: fc.constant('init' as const),
        protocol,
        extensionVersion: fc.string(),
        arches: fc.constant(arches),
        arch: fc.constantFrom(...arches),
      }),
    ),
  fc.record({ type: fc.constant('archChanged' as const), arch }),
  fc.record({ type: fc.constant('step' as const), step: fc.nat() }),
  fc.record({ type: fc.constant('clear' as const), reason: fc.string() }),
);

describe('layout panel protocol', () => {
  test('every well-formed message survives postMessage (JSON) and parses to itself', () => {
    fc.assert(
      fc.property(panelToHost, (msg) => {
        const wire: unknown = JSON.parse(JSON.stringify(msg));
        assert.deepEqual(parsePanelToHost(wire), { ok: true, value: wire });
      }),
    );
    fc.assert(
      fc.property(hostToPanel, (msg) => {
        const wire: unknown = JSON.parse(JSON.stringify(msg));
        assert.deepEqual(parseHostToPanel(wire), { ok: true, value: wire });
      }),
    );
  });

  test('any value at all gives a result, never a throw; errors name the message', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const parse of [parsePanelToHost, parseHostToPanel]) {
          const r = parse(value);
          if (!r.ok) assert.match(r.error, /^(panel|host) message/);
        }
      }),
    );
  });

  test('a field the shape does not declare is refused', () => {
    fc.assert(
      fc.property(
        panelToHost,
        fc.string({ minLength: 1 }).filter((k) => !['type', 'protocol', 'arch'].includes(k) && k !== '__proto__'),
        fc.jsonValue(),
        (msg, key, value) => {
          const r = parsePanelToHost({ ...msg, [key]: value });
          assert.equal(r.ok, false);
          if (!r.ok) assert.match(r.error, /unexpected field/);
        },
      ),
    );
  });

  test('a message missing a field is refused', () => {
    fc.assert(
      fc.property(hostToPanel, fc.nat(), (msg, i) => {
        const keys = Object.keys(msg).filter((k) => k !== 'type');
        const drop = keys[i % keys.length]!;
        const copy: Record<string, unknown> = { ...msg };
        delete copy[drop];
        const r = parseHostToPanel(copy);
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.error, new RegExp(`missing field\\(s\\) ${drop}`));
      }),
    );
  });

  test('concrete refusals say what is wrong', () => {
    assert.deepEqual(parsePanelToHost({ type: 'selectArch', arch: 'ia64' }), {
      ok: false,
      error: 'panel message "selectArch": unknown arch "ia64"',
    });
    assert.deepEqual(parsePanelToHost({ type: 'ready', protocol: 0 }), {
      ok: false,
      error: 'panel message "ready": protocol must be a positive integer',
    });
    assert.deepEqual(parsePanelToHost({ type: 'runScript' }), { ok: false, error: 'panel message: unknown type "runScript"' });
    assert.deepEqual(parsePanelToHost(null), { ok: false, error: 'panel message: expected an object' });
    const r = parseHostToPanel({ type: 'init', protocol: 1, extensionVersion: '0.1.0', arches: ['x86'], arch: 'arm64' });
    assert.deepEqual(r, { ok: false, error: 'host message "init": arch "arm64" is not one of the arches offered' });
  });

  test('an export is only ever a PNG data URL; other URLs and scripts are refused', () => {
    for (const data of ['javascript:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'data:image/svg+xml;base64,PHN2Zz4=', 'data:image/png;base64,<script>']) {
      const r = parsePanelToHost({ type: 'exportPng', data });
      assert.ok(!r.ok, data);
    }
  });
});
