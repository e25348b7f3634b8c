/**
 * The arch map from mail: the v1 series' patches alone, the proposal quoted
 * in the v1 thread, and a table that never sets EXECMEM_DEFAULT.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { buildArchMap } from '../../../src/core/archmap/build';
import { factsOfSeries, factsOfText, factsOfTree, seriesOfMbox } from '../../../src/node/archmap/inputs';
import { readSources } from '../../../src/node/mail/read';
import { corpusMissing, THREADS_DIR } from '../../support/corpus';

const V1 = path.join(THREADS_DIR, 'PATCH-00-13-mm-jit-text-allocator.mbox');
const ELEVEN = ['arm', 'arm64', 'loongarch', 'mips', 'nios2', 'parisc', 'powerpc', 'riscv', 's390', 'sparc', 'x86'];

describe('arch map from the v1 series (patches 01-13)', { skip: corpusMissing }, () => {
  test('built from the patches alone, it lists the same eleven arches with both sides', async () => {
    const series = await seriesOfMbox(V1);
    assert.equal(series.version, 1);
    assert.equal(series.patches.length, 13);
    const f = await factsOfSeries(series);
    const map = buildArchMap(f.before, f.after, { afterEra: 'before' });
    assert.deepEqual(Object.keys(map.arches).sort(), ELEVEN);
    for (const arch of ELEVEN) {
      const e = map.arches[arch]!.types.EXECMEM_DEFAULT!;
      assert.ok(e.before && e.after, arch);
      assert.equal(e.after.origin === 'jit_alloc_params' || e.after.origin === 'inherited', true, `${arch}: ${e.after.origin}`);
    }
    // patch 04 turns arm's PLT fallback into .text.fallback_start/_end (arch/arm/kernel/module.c)
    const arm = map.arches.arm!.types.EXECMEM_DEFAULT!;
    assert.equal(arm.before!.fallback_start, 'VMALLOC_START');
    assert.equal(arm.after!.fallback_end, 'VMALLOC_END');
    // The old side comes from '-' lines: 6.4's x86 module_alloc() with its KASLR offset.
    assert.equal(map.arches.x86!.types.EXECMEM_DEFAULT!.before!.start, 'MODULES_VADDR + get_module_load_offset()');
  });

  test('v1 on ppc64 never sets .text.pgprot: the validator would reject it', async () => {
    const f = await factsOfSeries(await seriesOfMbox(V1));
    const map = buildArchMap(f.before, f.after, { afterEra: 'before' });
    const e = map.findings.find((x) => x.arch === 'powerpc' && x.severity === 'error');
    assert.ok(e, JSON.stringify(map.findings));
    assert.match(e.message, /\.pgprot unset/);
    assert.match(e.location, /^arch\/powerpc\/mm\/mem\.c:\d+$/);
  });

  test('the 2023-06-08 proposal that sets .fallback_start twice yields an error', async () => {
    const read = await readSources([V1]);
    const mail = read.messages.find((m) => m.body.includes('struct execmem_params arm64_execmem'));
    assert.ok(mail, 'the proposal is in the thread');
    const from = mail.body.indexOf('struct execmem_params arm64_execmem');
    const to = mail.body.indexOf('\n\n', mail.body.indexOf('struct execmem_params default_execmem'));
    const snippet = mail.body.slice(from, to > 0 ? to : undefined);
    const facts = await factsOfText('proposal.c', snippet);
    const map = buildArchMap(null, [facts]);
    const err = map.findings.find((x) => x.severity === 'error' && x.message.includes('.modules.text.fallback_start'));
    assert.ok(err, JSON.stringify(map.findings, null, 1));
    assert.match(err.message, /VMALLOC_START, then VMALLOC_END/);
    assert.match(err.message, /\.modules\.text\.fallback_end never/);
    assert.equal(err.type, 'EXECMEM_DEFAULT');
  });
});

describe('arch map findings on small trees', () => {
  const tree = (files: Record<string, string>): string => {
    const root = mkdtempSync(path.join(tmpdir(), 'archmap-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      writeFileSync(path.join(root, p), text);
    }
    return root;
  };

  test('a table that never sets EXECMEM_DEFAULT is an error naming the missing fields', async () => {
    const root = tree({
      'arch/x86/mm/init.c': `static struct execmem_info execmem_info __ro_after_init;
struct execmem_info __init *execmem_arch_setup(void)
{
	execmem_info = (struct execmem_info){
		.ranges = {
			[EXECMEM_KPROBES] = {
				.start	= VMALLOC_START,
				.end	= VMALLOC_END,
				.pgprot	= PAGE_KERNEL_ROX,
				.alignment = 1,
			},
		},
	};
	return &execmem_info;
}
`,
    });
    for (const noRipgrep of [false, true]) {
      const t = await factsOfTree(root, { noRipgrep });
      assert.equal(t.prefilter, noRipgrep ? 'scan' : 'ripgrep');
      const map = buildArchMap(t.files, t.files);
      const err = map.findings.find((f) => f.severity === 'error' && f.type === 'EXECMEM_DEFAULT');
      assert.ok(err, JSON.stringify(map.findings));
      assert.match(err.message, /\.start, \.end, \.pgprot, \.alignment unset: execmem_validate\(\)/);
      assert.equal(err.location, 'arch/x86/mm/init.c:7');
    }
  });

  test('#ifdef inside an initializer chooses the branch the profile compiles, and a weakened pgprot is flagged', async () => {
    const before = tree({
      'arch/sparc/kernel/module.c': `void *module_alloc(unsigned long size)
{
	return __vmalloc_node_range(size, 1, MODULES_VADDR, MODULES_END,
				GFP_KERNEL, PAGE_KERNEL, 0, NUMA_NO_NODE,
				__builtin_return_address(0));
}
`,
    });
    const after = tree({
      'arch/sparc/mm/execmem.c': `static struct jit_alloc_params jit_alloc_params = {
	.alignment	= 1,
#ifdef CONFIG_SPARC64
	.text.start	= MODULES_VADDR,
	.text.end	= MODULES_END,
#else
	.text.start	= VMALLOC_START,
	.text.end	= VMALLOC_END,
#endif
	.text.pgprot	= PAGE_KERNEL_EXEC,
};
`,
    });
    const map = buildArchMap((await factsOfTree(before)).files, (await factsOfTree(after)).files);
    const e = map.arches.sparc!.types.EXECMEM_DEFAULT!;
    assert.equal(e.after!.start, 'MODULES_VADDR');
    assert.deepEqual(e.after!.conditions, ['defined(CONFIG_SPARC64)']);
    assert.deepEqual(e.changed, ['pgprot', 'vm_flags']);
    assert.ok(map.findings.some((f) => f.severity === 'warning' && /weakened/.test(f.message)));
    // Alternatives in #ifdef branches are not "written twice".
    assert.ok(!map.findings.some((f) => /written/.test(f.message)));
  });

  test('an inverted range and a half-set fallback are errors', async () => {
    const root = tree({
      'arch/riscv/mm/init.c': `struct execmem_info *execmem_arch_setup(void)
{
	execmem_info = (struct execmem_info){
		.ranges = {
			[EXECMEM_DEFAULT] = {
				.start	= MODULES_END,
				.end	= MODULES_VADDR,
				.pgprot	= PAGE_KERNEL,
				.alignment = 1,
				.fallback_start = VMALLOC_START,
			},
		},
	};
	return &execmem_info;
}
`,
    });
    const t = await factsOfTree(root);
    const map = buildArchMap(t.files, t.files);
    const msgs = map.findings.filter((f) => f.severity === 'error').map((f) => f.message);
    assert.ok(msgs.some((m) => /half set/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /\[MODULES_END, MODULES_VADDR\) is empty or inverted/.test(m)), msgs.join('\n'));
  });

  test('a missing folder is an error naming it', async () => {
    await assert.rejects(factsOfTree('/nonexistent/tree'), /--tree \/nonexistent\/tree: not a folder/);
  });
});

describe('arch map corner cases the review found', () => {
  test('a whole-table reassignment under a condition that does not hold leaves the table alone', async () => {
    const facts = await factsOfText(
      'arch/riscv/mm/init.c',
      `struct execmem_info *execmem_arch_setup(void)
{
	execmem_info = (struct execmem_info){
		.ranges = { [EXECMEM_DEFAULT] = { .start = MODULES_VADDR, .end = MODULES_END, .pgprot = PAGE_KERNEL, .alignment = 1 } },
	};
	if (IS_ENABLED(CONFIG_XIP_KERNEL))
		execmem_info = (struct execmem_info){ .ranges = { [EXECMEM_KPROBES] = { .start = VMALLOC_START } } };
	return &execmem_info;
}
`,
    );
    const map = buildArchMap([facts], [facts]);
    assert.equal(map.arches.riscv?.types.EXECMEM_DEFAULT?.after?.start, 'MODULES_VADDR');
    assert.ok(!map.findings.some((f) => f.severity === 'error'), JSON.stringify(map.findings));
  });

  test('a field a later patch removes is gone from the after side', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'archmap-series-'));
    const mail = (n: number, subject: string, diff: string) => `From mboxrd@z Thu Jan  1 00:00:00 1970
From: Dev <dev@example.org>
Subject: [PATCH ${n}/2] ${subject}
Date: Thu, 1 Jun 2023 13:12:4${n} +0300
Message-Id: <p${n}@example.org>
${n > 1 ? 'In-Reply-To: <p1@example.org>\n' : ''}
${subject}

---
${diff}
-- 
2.40.0

`;
    const p1 = `diff --git a/arch/arm/mm/init.c b/arch/arm/mm/init.c
--- a/arch/arm/mm/init.c
+++ b/arch/arm/mm/init.c
@@ -10,2 +10,11 @@ void foo(void)
 }
+static struct execmem_info execmem_info = {
+	.ranges = {
+		[EXECMEM_DEFAULT] = {
+			.start = MODULES_VADDR, .end = MODULES_END,
+			.pgprot = PAGE_KERNEL_EXEC, .alignment = 1,
+			.fallback_start = VMALLOC_START, .fallback_end = VMALLOC_END,
+		},
+	},
+};
 
`;
    const p2 = `diff --git a/arch/arm/mm/init.c b/arch/arm/mm/init.c
--- a/arch/arm/mm/init.c
+++ b/arch/arm/mm/init.c
@@ -15,3 +15,2 @@ static struct execmem_info execmem_info = {
 			.pgprot = PAGE_KERNEL_EXEC, .alignment = 1,
-			.fallback_start = VMALLOC_START, .fallback_end = VMALLOC_END,
 		},
`;
    const file = path.join(dir, 'series.mbox');
    writeFileSync(file, mail(1, 'arm: add the table', p1) + mail(2, 'arm: drop the fallback', p2));
    const f = await factsOfSeries(await seriesOfMbox(file));
    const map = buildArchMap(f.before, f.after, { afterEra: 'before' });
    const after = map.arches.arm!.types.EXECMEM_DEFAULT!.after!;
    assert.equal(after.start, 'MODULES_VADDR');
    assert.equal(after.fallback_start, null);
    assert.equal(after.fallback_end, null);
  });
});
