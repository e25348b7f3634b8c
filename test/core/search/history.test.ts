import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { functionAt, functionDefs } from '../../../src/core/search/functions';
import { touchesOf } from '../../../src/core/search/history';

const DIFF = `diff --git a/arch/arm64/kernel/module.c b/arch/arm64/kernel/module.c
--- a/arch/arm64/kernel/module.c
+++ b/arch/arm64/kernel/module.c
@@ -20,7 +20,7 @@ static u64 module_alloc_base;
-void *module_alloc(unsigned long size)
+void *execmem_text_alloc(unsigned long size)
 {
@@ -40,3 +40,4 @@ void *module_alloc(unsigned long size)
 	u64 module_alloc_end = module_alloc_base + MODULES_VSIZE;
+	if (kasan_x())
+		p = kasan_alloc(p);
diff --git a/mm/old.c b/mm/new.c
rename from mm/old.c
rename to mm/new.c
--- a/mm/old.c
+++ b/mm/new.c
@@ -1 +1 @@ int helper(void)
-	return 1;
+	return 2;
`;

describe('what a diff touches', () => {
  test('hunk headers name the enclosing function; a changed line at column 0 defines one; calls in bodies do not count', () => {
    const t = touchesOf(DIFF);
    const arm64 = t.get('arch/arm64/kernel/module.c')!;
    assert.ok(arm64.headerWords.has('module_alloc'));
    assert.ok(arm64.defined.has('module_alloc') && arm64.defined.has('execmem_text_alloc'));
    assert.ok(!arm64.defined.has('kasan_alloc'), 'an indented changed line is a body, not a definition');
    assert.ok(!arm64.headerWords.has('kasan_alloc'));
  });

  test('a renamed file is found under both names', () => {
    const t = touchesOf(DIFF);
    assert.ok(t.get('mm/new.c')?.headerWords.has('helper'));
    assert.ok(t.get('mm/old.c')?.headerWords.has('helper'));
  });
});

describe('function definitions in kernel C', () => {
  test('definitions at column 0 followed by {, not prototypes, calls, macros or statements', () => {
    const c = [
      '#include <linux/module.h>',
      'void *module_alloc(unsigned long size);',
      'static u64 module_alloc_base;',
      '',
      'void *module_alloc(unsigned long size)',
      '{',
      '\treturn __vmalloc_node_range(size, 1, module_alloc_base,',
      '\t\t\t\tmodule_alloc_end, GFP_KERNEL);',
      '}',
      'static int __init module_init_limits(void) { return 0; }',
      'static int',
      'old_style(int a,',
      '          int b)',
      '{',
      '}',
      'DEFINE_STATIC_KEY_FALSE(x);',
    ].join('\n');
    const defs = functionDefs(c);
    assert.deepEqual(defs, [
      { name: 'module_alloc', line: 4 },
      { name: 'module_init_limits', line: 9 },
      { name: 'old_style', line: 11 },
    ]);
    assert.equal(functionAt(defs, 7)?.name, 'module_alloc');
    assert.equal(functionAt(defs, 3), undefined);
  });
});
