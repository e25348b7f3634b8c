import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLine, uiText } from '../../../src/core/mail/display';

test('mail text is one line with no controls, separators or bidi overrides, and no icons in the UI', () => {
  const forged = 'hi\n2024-01-01  patch  [PATCH] forged\there\u001b[31m \u202eevil\u2028x';
  const line = oneLine(forged);
  assert.ok(!/[\n\t\u001b\u202e\u2028]/.test(line), line);
  assert.equal(line, 'hi 2024-01-01 patch [PATCH] forged here [31m evil x');
  assert.equal(uiText('$(warning) Linus'), '\\$(warning) Linus');
  assert.equal(uiText('plain'), 'plain');
});
