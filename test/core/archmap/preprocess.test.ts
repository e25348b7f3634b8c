import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blankAnnotations, preprocessorConditions } from '../../../src/core/archmap/preprocess';

describe('preprocessing before tree-sitter', () => {
  test('annotations and conditional directives become spaces: lines and columns stay', () => {
    const src = 'static struct execmem_info info __ro_after_init;\n#ifdef CONFIG_X\nint a;\n#else\nint b;\n#endif\n';
    const out = blankAnnotations(src);
    assert.equal(out.length, src.length);
    assert.equal(out.split('\n').length, src.split('\n').length);
    assert.ok(!/__ro_after_init|#/.test(out));
    assert.ok(out.includes('static struct execmem_info info'));
    assert.ok(out.includes('int a;') && out.includes('int b;'));
  });

  test('a continued directive is blanked on every line it spans; #define stays', () => {
    const out = blankAnnotations('#if defined(A) && \\\n    defined(B)\n#define X 1\n#endif\n');
    assert.deepEqual(out.split('\n').map((l) => l.trim()), ['', '', '#define X 1', '', '']);
  });

  test('conditions per line come from the directives, #ifndef negated', () => {
    const pp = preprocessorConditions('#ifndef CONFIG_KASAN\nx\n#endif\ny\n');
    assert.deepEqual(pp[2], [{ text: '!defined(CONFIG_KASAN)', assume: true }]);
    assert.deepEqual(pp[4], []);
  });
});
