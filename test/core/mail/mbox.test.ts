import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { splitMbox } from '../../../src/core/mail/mbox';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('splitMbox', () => {
  test('splits on From lines and drops the separator blank line', () => {
    const parts = splitMbox(enc('From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n\nFrom c@d Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody 2\n'));
    assert.deepEqual(parts.map((p) => dec(p.bytes)), ['Subject: one\n\nbody 1\n', 'Subject: two\n\nbody 2\n']);
  });

  test('undoes mboxrd escaping, one > per line', () => {
    const [m] = splitMbox(enc('From x Mon Jan  1 00:00:00 2024\nSubject: s\n\n>From here\n>>From there\n> From quoted\n'));
    assert.equal(dec(m!.bytes), 'Subject: s\n\nFrom here\n>From there\n> From quoted\n');
  });

  test('text before the first From line is skipped; a file without one is one message', () => {
    assert.equal(splitMbox(enc('junk\nFrom x Mon Jan  1 00:00:00 2024\nSubject: a\n\nb\n')).length, 1);
    assert.deepEqual(splitMbox(enc('Subject: lone\n\nbody\n')).map((p) => dec(p.bytes)), ['Subject: lone\n\nbody\n']);
    assert.deepEqual(splitMbox(new Uint8Array(0)), []);
  });

  test('a truncated last message is still returned', () => {
    const parts = splitMbox(enc('From x Mon Jan  1 00:00:00 2024\nSubject: a\n\nb\n\nFrom y Mon Jan  1 00:00:00 2024\nSubject: cut off mid-hea'));
    assert.equal(parts.length, 2);
    assert.equal(dec(parts[1]!.bytes), 'Subject: cut off mid-hea');
  });

  test('law: mboxrd-escaping any bodies and splitting gives the bodies back', () => {
    const line = fc.tuple(fc.constantFrom('', 'From ', '>From ', '>>From '), fc.stringMatching(/^[ -~]{0,30}$/)).map(([p, l]) => p + l);
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), (bodies) => {
        const texts = bodies.map((b) => `Subject: t\n\n${b.map((l) => `${l}\n`).join('')}`);
        const mbox = texts.map((t) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${t.replace(/^(>*From )/gm, '>$1')}\n`).join('');
        assert.deepEqual(splitMbox(enc(mbox)).map((p) => dec(p.bytes)), texts);
      }),
    );
  });
});

test('a body line starting "From " that is no separator does not split a message', () => {
  const patch = 'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\nFrom the manual: modules load here.\nFrom here on, 2 more lines\n---\n';
  const parts = splitMbox(enc(patch));
  assert.equal(parts.length, 1);
  assert.match(dec(parts[0]!.bytes), /From the manual: modules load here\.\nFrom here on/);
});
