import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archMapHtml } from '../../../src/core/archmap/tableHtml';
import type { ArchMap, Side } from '../../../src/core/archmap/types';

const side = (location: string): Side => ({
  origin: 'range' as Side['origin'],
  location,
  start: 'MODULES_VADDR',
  end: 'MODULES_END',
  fallback_start: null,
  fallback_end: null,
  pgprot: 'PAGE_KERNEL',
  alignment: '1',
  kasan_shadow: false,
  vm_flags: [],
  conditions: [],
});

const map: ArchMap = {
  arches: {
    x86: { types: { EXECMEM_DEFAULT: { before: side('arch/x86/kernel/module.c:67'), after: side('arch/x86/mm/init.c:1066'), verdict: 'changed', changed: ['start'] } } },
  },
  findings: [{ arch: 'x86', type: 'EXECMEM_DEFAULT', severity: 'warning', message: 'a finding', location: 'arch/x86/"><img src=x onerror=alert(1)>.c:3' }],
} as unknown as ArchMap;

test('file:line locations link where the caller says, escaped; without a link they are text', () => {
  const link = (s: string, loc: string) => `command:open?${encodeURIComponent(JSON.stringify([s, loc]))}`;
  const html = archMapHtml(map, 'summary', 'n0nce', 'vscode-resource:', link);
  assert.ok(html.includes(`<a class="loc" href="command:open?${encodeURIComponent(JSON.stringify(['before', 'arch/x86/kernel/module.c:67']))}">arch/x86/kernel/module.c:67</a>`));
  assert.ok(html.includes(`href="command:open?${encodeURIComponent(JSON.stringify(['after', 'arch/x86/mm/init.c:1066']))}"`));
  // A hostile path from a source tree stays text, in the link and in its address.
  assert.ok(!html.includes('<img'), 'no markup from a location');
  assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
  const plain = archMapHtml(map, 'summary', 'n0nce', 'vscode-resource:');
  assert.ok(!plain.includes('<a '));
  assert.match(plain, /<span class="loc">arch\/x86\/kernel\/module\.c:67<\/span>/);
});
