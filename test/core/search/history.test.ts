import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { functionAt, functionDefs } from '../../../src/core/search/functions';
import { historyOf, touchesOf } from '../../../src/core/search/history';
import { indexOf, patchBody } from '../../support/mail';

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
  test('a changed line counts for the function it is in; calls in bodies do not make a function touched', () => {
    const t = touchesOf(DIFF);
    const arm64 = t.get('arch/arm64/kernel/module.c')!;
    // The renamed definition line counts for both names; the body change under the second header for module_alloc.
    assert.deepEqual([...arm64.functions].sort(), ['execmem_text_alloc', 'module_alloc']);
    assert.ok(!arm64.functions.has('kasan_alloc') && !arm64.functions.has('kasan_x'));
    assert.ok(!arm64.functions.has('module_alloc_base'), 'a hunk header naming a variable names no function');
  });

  test("git names the function above a hunk's first line: a change at the top of the next function counts for that one", () => {
    const diff = [
      'diff --git a/f.c b/f.c',
      '--- a/f.c',
      '+++ b/f.c',
      '@@ -10,6 +10,6 @@ static int foo(void)',
      ' }',
      ' static int bar(void)',
      ' {',
      '-\treturn 1;',
      '+\treturn 2;',
      ' }',
    ].join('\n');
    assert.deepEqual([...touchesOf(diff).get('f.c')!.functions], ['bar']);
  });

  test('a renamed file is found under both names, with hunks or without', () => {
    const t = touchesOf(DIFF);
    assert.ok(t.get('mm/new.c')?.functions.has('helper'));
    assert.ok(t.get('mm/old.c')?.functions.has('helper'));
    const pure = touchesOf('diff --git a/mm/a.c b/mm/b.c\nsimilarity index 100%\nrename from mm/a.c\nrename to mm/b.c\n');
    assert.deepEqual([...pure.keys()].sort(), ['mm/a.c', 'mm/b.c']);
  });

  test('SYSCALL_DEFINE and friends are named by their first argument', () => {
    const diff = 'diff --git a/kernel/sys.c b/kernel/sys.c\n--- a/kernel/sys.c\n+++ b/kernel/sys.c\n@@ -1,3 +1,3 @@ SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)\n-\ta();\n+\tb();\n';
    assert.deepEqual([...touchesOf(diff).get('kernel/sys.c')!.functions], ['setpriority']);
  });
});

describe('the history of a file in grouped mail', () => {
  test('with the tree known, only the same path; without, a path ending in it (two components or more)', async () => {
    const index = await indexOf([
      { id: 'l@x', subject: '[PATCH] list', body: patchBody('include/linux/list.h') },
      { id: 't@x', subject: '[PATCH] tools list', body: patchBody('tools/include/linux/list.h') },
      { id: 'm@x', subject: '[PATCH] top make', body: patchBody('Makefile') },
    ]);
    const titles = (hits: ReturnType<typeof historyOf>) => hits.map((h) => h.version.title).sort();
    assert.deepEqual(titles(historyOf(index, 'include/linux/list.h', undefined, undefined, true)), ['list']);
    assert.deepEqual(titles(historyOf(index, 'include/linux/list.h')), ['list', 'tools list']);
    assert.deepEqual(titles(historyOf(index, 'scripts/Makefile')), [], 'a one-component path is not matched by its end');
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
      'static DEFINE_PER_CPU(u64, counter) = { 1 };',
      'static inline __attribute__((const)) int fls(int x)',
      '{',
      '}',
      'SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)',
      '{',
      '}',
    ].join('\n');
    const defs = functionDefs(c);
    assert.deepEqual(defs, [
      { name: 'module_alloc', line: 4 },
      { name: 'module_init_limits', line: 9 },
      { name: 'old_style', line: 11 },
      { name: 'fls', line: 17 },
      { name: 'setpriority', line: 20 },
    ]);
    assert.equal(functionAt(defs, 7)?.name, 'module_alloc');
    assert.equal(functionAt(defs, 3), undefined);
  });
});
