import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { locationCommandUri, OPEN_LOCATION, parseLocationCommandUri } from '../../../src/core/archmap/links';

describe('arch map location links', () => {
  test('a link reads back as the side and location it was made of, whatever the location holds', () => {
    fc.assert(
      fc.property(fc.constantFrom('before' as const, 'after' as const, 'either' as const), fc.string(), (side, location) => {
        const uri = locationCommandUri(side, location);
        // Nothing that could end a Markdown link or an HTML attribute, or start a tag.
        assert.ok(!/[\s"'<>()[\]]/.test(uri.slice(`command:${OPEN_LOCATION}?`.length)), uri);
        assert.deepEqual(parseLocationCommandUri(uri), { side, location });
      }),
    );
  });

  test('anything else is not a location link', () => {
    assert.equal(parseLocationCommandUri('command:execmemLens.showArchMap'), null);
    assert.equal(parseLocationCommandUri(`command:${OPEN_LOCATION}?not-json`), null);
    assert.equal(parseLocationCommandUri(`command:${OPEN_LOCATION}?${encodeURIComponent('["sideways","x.c:1"]')}`), null);
    assert.equal(parseLocationCommandUri(`command:${OPEN_LOCATION}?${encodeURIComponent('["before",3]')}`), null);
  });
});
