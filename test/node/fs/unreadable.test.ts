/**
 * The tree readers (arch map, call-site scan, the streaming prefilter) keep
 * quiet about a file that is not there and name any other that cannot be
 * read. A folder where a file is expected (EISDIR) stands for the rest:
 * chmod 000 does not stop root, which the tests may run as.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { factsOfTree, kernelTreeProblem } from '../../../src/node/archmap/inputs';
import { scanTree } from '../../../src/node/callsites/scan';
import { filesMatching } from '../../../src/node/search/scan';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>, dirs: string[] = []): string {
  const root = mkdtempSync(path.join(tmpdir(), 'execmem-unreadable-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
  return root;
}

const X86 = `void *module_alloc(unsigned long size)
{
	return __vmalloc_node_range(size, MODULE_ALIGN, MODULES_VADDR, MODULES_END,
				GFP_KERNEL, PAGE_KERNEL, 0, NUMA_NO_NODE,
				__builtin_return_address(0));
}
`;

describe('include/linux/execmem.h', () => {
  test('missing: the tree is read as 6.1, quietly', async () => {
    const t = await factsOfTree(tree({ 'arch/x86/kernel/module.c': X86 }), { noRipgrep: true });
    assert.equal(t.files.length, 1);
  });

  test('a folder where the header should be: an error naming it', async () => {
    const root = tree({ 'arch/x86/kernel/module.c': X86 }, ['include/linux/execmem.h']);
    await assert.rejects(factsOfTree(root), (e: Error) => {
      assert.equal(e.message, `${path.join(root, 'include/linux/execmem.h')}: could not be read: EISDIR: illegal operation on a directory, read`);
      return true;
    });
  });

  test('the CLI prints it on stderr and exits 1', async () => {
    const root = tree({ 'arch/x86/kernel/module.c': X86 }, ['include/linux/execmem.h']);
    let out = '';
    let err = '';
    const code = await runCli(['archmap', '--tree', root], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    assert.deepEqual([code, out], [1, '']);
    assert.equal(err, `execmem-lens archmap: ${path.join(root, 'include/linux/execmem.h')}: could not be read: EISDIR: illegal operation on a directory, read\n`);
  });

  test('a header with no enum execmem_type (truncated): an error naming it, not a quiet 6.12 read', async () => {
    const root = tree({ 'arch/x86/kernel/module.c': X86, 'include/linux/execmem.h': '/* SPDX-License-Identifier: GPL-2.0 */\n#ifndef _LINUX_EXECMEM_ALLOC_H\n' });
    await assert.rejects(factsOfTree(root), (e: Error) => {
      assert.equal(e.message, `${path.join(root, 'include/linux/execmem.h')}: no enum execmem_type in it: not the execmem header the arch map reads (a truncated or unrelated file?)`);
      return true;
    });
  });

  test('a header with the enum: its aliases are read', async () => {
    const root = tree({ 'arch/x86/kernel/module.c': X86, 'include/linux/execmem.h': 'enum execmem_type {\n\tEXECMEM_DEFAULT,\n\tEXECMEM_MODULE_TEXT = EXECMEM_DEFAULT,\n\tEXECMEM_TYPE_MAX,\n};\n' });
    const t = await factsOfTree(root, { noRipgrep: true });
    assert.equal(t.files.length, 1);
  });
});

describe('a C file that cannot be read during a scan', () => {
  // A symlink named like C source pointing at a folder: listed as a file, read as a folder.
  function withFolderLink(): string {
    const root = tree({ 'arch/x86/kernel/module.c': X86 }, ['arch/x86/kernel/sub']);
    symlinkSync('sub', path.join(root, 'arch/x86/kernel/odd.c'));
    return root;
  }

  test('the streaming prefilter names it', async () => {
    const root = withFolderLink();
    await assert.rejects(filesMatching(root, /module_alloc/, ['arch']), (e: Error) => {
      assert.equal(e.message, `${path.join(root, 'arch/x86/kernel/odd.c')}: could not be read: EISDIR: illegal operation on a directory, read`);
      return true;
    });
  });

  test('the arch map names it (and says so through factsOfTree, which the CLI prints)', async () => {
    const root = withFolderLink();
    await assert.rejects(factsOfTree(root, { noRipgrep: true }), /arch\/x86\/kernel\/odd\.c: could not be read: EISDIR/);
  });

  test('a dangling symlink is a file not there: skipped quietly', async () => {
    const root = tree({ 'arch/x86/kernel/module.c': X86 });
    symlinkSync('gone.c', path.join(root, 'arch/x86/kernel/dangling.c'));
    assert.deepEqual(await filesMatching(root, /module_alloc/, ['arch']), ['arch/x86/kernel/module.c']);
    assert.equal((await scanTree(root, { noRipgrep: true })).sites.length, 1);
  });

  test('the call-site scan names a listed file it cannot read', async () => {
    const root = tree({ 'kernel/kprobes.c': 'void *alloc_insn_page(void)\n{\n\treturn module_alloc(PAGE_SIZE);\n}\n' });
    const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    await assert.rejects(scanTree(root, { noRipgrep: true, read: () => Promise.reject(eio) }), (e: Error) => {
      assert.equal(e.message, `${path.join(root, 'kernel/kprobes.c')}: could not be read: EIO: i/o error, read`);
      return true;
    });
  });

  test('the call-site scan skips a listed file deleted before it is read', async () => {
    const root = tree({ 'kernel/kprobes.c': 'void *alloc_insn_page(void)\n{\n\treturn module_alloc(PAGE_SIZE);\n}\n' });
    const gone = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    const r = await scanTree(root, { noRipgrep: true, read: () => Promise.reject(gone) });
    assert.deepEqual([r.files, r.sites.length], [1, 0]);
  });
});

describe('a configured kernel tree (the settings check)', () => {
  test('not there, not a folder, no arch/: the plain words', async () => {
    const root = tree({ 'Makefile': '' });
    assert.equal(await kernelTreeProblem(path.join(root, 'gone')), 'no such folder');
    assert.equal(await kernelTreeProblem(path.join(root, 'Makefile')), 'not a folder');
    assert.equal(await kernelTreeProblem(root), 'no arch/ folder in it: not a kernel source tree');
    assert.equal(await kernelTreeProblem(tree({ 'arch/x86/Kconfig': '' })), null);
  });

  // A symlink loop fails stat with ELOOP, which root cannot get past either.
  test('a folder that cannot be read is said as such, not as a missing folder', async () => {
    const root = tree({});
    symlinkSync('loop', path.join(root, 'loop'));
    assert.match((await kernelTreeProblem(path.join(root, 'loop'))) ?? '', /^could not be read: ELOOP: too many symbolic links encountered, stat '.*\/loop'$/);
    symlinkSync('arch', path.join(root, 'arch'));
    assert.match((await kernelTreeProblem(root)) ?? '', new RegExp(`^${path.join(root, 'arch').replace(/[/.]/g, '\\$&')}: could not be read: ELOOP`));
  });
});
