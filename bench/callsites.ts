/**
 * Benchmark of the call-site scan (issue "Call sites and the layout panel",
 * Speed): every C file of the extracted linux-source-6.12 and 6.1 trees
 * searched for executable-memory call sites, as the Call Sites view does —
 * ripgrep prefilter, then tree-sitter on the files it names — and the same
 * with the streaming fallback (every .c/.h file read). Target: a whole tree
 * within 10 s. The extracted trees are the parts scripts/kernel-source.sh
 * unpacks (arch/*\/{mm,kernel,include/asm,net}, mm/, kernel/ module, kprobes,
 * bpf and ftrace files), not all of the kernel. Medians of several runs.
 *
 *   npm run bench:callsites [-- --runs 5]
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { scanTree } from '../src/node/callsites/scan';
import { ROOT } from '../scripts/lib/codeServer';

const TARGET_MS = 10_000;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function tree(version: string): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'kernel-source.sh'), version], { encoding: 'utf8' });
  return out.trim().split('\n').pop()!;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const version of ['6.12', '6.1']) {
    const root = tree(version);
    for (const noRipgrep of [false, true]) {
      const times: number[] = [];
      let last;
      for (let r = 0; r < (noRipgrep ? Math.min(runs, 3) : runs); r++) {
        const t0 = performance.now();
        last = await scanTree(root, { noRipgrep });
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      const converted = last!.sites.filter((s) => s.converted === true).length;
      const old = last!.sites.filter((s) => s.converted === false).length;
      rows.push(`| linux-source-${version} | ${last!.prefilter} | ${last!.files} | ${last!.sites.length} (${converted} execmem, ${old} module_alloc era) | ${Math.round(ms)} | ≤ ${TARGET_MS} | ${ms <= TARGET_MS ? 'met' : 'MISSED'} |`);
    }
  }
  console.log(`\ncall-site scan, medians of ${runs} runs (3 for the streaming scan)\n`);
  console.log('| tree | prefilter | files parsed / read | sites | ms | target | |\n| --- | --- | ---: | --- | ---: | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
