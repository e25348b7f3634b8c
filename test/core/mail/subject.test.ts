import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeTitle, parseSubject } from '../../../src/core/mail/subject';

describe('parseSubject', () => {
  const cases: [string, Partial<ReturnType<typeof parseSubject>>][] = [
    ['[PATCH] module: fix a typo', { isPatch: true, version: 1, index: undefined, total: undefined, title: 'module: fix a typo' }],
    ['[PATCH v3 02/13] mm: introduce jit_text_alloc()', { isPatch: true, version: 3, versionGiven: true, index: 2, total: 13, title: 'mm: introduce jit_text_alloc()' }],
    ['[RFC PATCH 0/7] x86/module: use large ROX pages', { rfc: true, version: 1, index: 0, total: 7 }],
    ['[PATCH RESEND v8 00/16] mm: jit/text allocator', { resend: true, version: 8, index: 0, total: 16, title: 'mm: jit/text allocator' }],
    ['[PATCH net-next v2 1/4] bpf: pack', { labels: ['net-next'], version: 2, index: 1, total: 4 }],
    ['PATCH V2 1/2: kprobes: use execmem', { isPatch: true, version: 2, index: 1, total: 2, title: 'kprobes: use execmem' }],
    ['[Patch 2/2] ftrace: alloc_tramp', { isPatch: true, index: 2, total: 2 }],
    ['[PATCHv2 1/3] arm64: module', { version: 2, index: 1, total: 3 }],
    ['[RFC][PATCH v2 1/3] s390: kprobes', { rfc: true, version: 2, index: 1, total: 3 }],
    ['[PATCH 1/3 v2] mips: module', { version: 2, index: 1, total: 3 }],
    ['[PATCH v2 1 / 3] spaced counter', { index: 1, total: 3 }],
    ['Re: [PATCH v5 01/15] arm64: module: remove call', { isReply: true, isPatch: true, version: 5, index: 1, total: 15 }],
    ['RE: Re: AW: [PATCH] x', { isReply: true, title: 'x' }],
    ['Re[2]: [PATCH] y', { isReply: true, title: 'y' }],
    ['[GIT PULL] modules changes for v6.10', { isPatch: false, labels: ['GIT', 'PULL'] }],
    ['module: plain subject', { isPatch: false, title: 'module: plain subject' }],
    ['[PATCH v0 1/2] zero is not a version', { version: 1, versionGiven: false }],
  ];
  for (const [subject, expected] of cases) {
    test(subject, () => {
      const got = parseSubject(subject);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(got[k as keyof typeof got], v, `${k} of ${subject}`);
    });
  }

  test('folded and doubled spaces do not change the title', () => {
    assert.equal(parseSubject('[PATCH v3 00/13]  mm: jit/text\n allocator').title, 'mm: jit/text allocator');
  });

  test('normalizeTitle folds case, spacing and a trailing dot', () => {
    assert.equal(normalizeTitle('MM:  jit/text Allocator.'), normalizeTitle('mm: jit/text allocator'));
  });
});
