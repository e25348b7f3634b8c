// Checks one arch's simulator data file (src/core/sim/arches/<arch>.ts) before
// it joins arches/index.ts: every symbol evaluates, every cited file:line in
// linux-source-6.12 / 6.1 names the symbol, and every table boots the
// standard workloads without failures.
//   node --import tsx scripts/check-arch.ts riscv
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ArchData } from '../src/core/sim/archData';
import { ExecmemSimulator } from '../src/core/sim/execmem';
import { resolveSymbols } from '../src/core/sim/profiles';
import { Rng } from '../src/core/sim/random';
import { hex } from '../src/core/sim/types';
import { WorkloadState } from '../src/core/sim/workloads';
import { ROOT } from './lib/codeServer';

async function main(): Promise<void> {
  const arch = process.argv[2];
  if (!arch) throw new Error('usage: check-arch.ts ARCH');
  const mod = (await import(path.join(ROOT, 'src/core/sim/arches', `${arch}.ts`))) as Record<string, ArchData>;
  const data = Object.values(mod).find((d) => d && typeof d === 'object' && 'profile' in d);
  if (!data) throw new Error(`src/core/sim/arches/${arch}.ts exports no ArchData`);
  const trees: Record<string, string> = {};
  for (const v of ['6.1', '6.12']) {
    trees[v] = execFileSync('bash', [path.join(ROOT, 'scripts/kernel-source.sh'), v], { encoding: 'utf8' }).trim().split('\n').pop()!;
  }
  let problems = 0;
  const symbols = resolveSymbols(data.profile);
  for (const [name, def] of Object.entries(data.profile.symbols)) {
    if (def.source.startsWith('parameter: ')) continue;
    const m = /^(?:linux-source-(6\.1): )?(\S+?):(\d+)/.exec(def.source);
    if (!m) {
      console.log(`BAD SOURCE ${name}: ${def.source}`);
      problems++;
      continue;
    }
    const line = readFileSync(path.join(trees[m[1] ?? '6.12']!, m[2]!), 'utf8').split('\n')[Number(m[3]) - 1] ?? '';
    const words = [name, ...(/\(([^)]*)\)/.exec(def.source)?.[1]?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
    const ok = words.some((w) => line.includes(w));
    if (!ok) problems++;
    console.log(`${ok ? 'ok ' : 'BAD'} ${name.padEnd(24)} = ${hex(symbols.get(name)!).padEnd(20)} ${m[2]}:${m[3]}: ${line.trim()}`);
  }
  for (const table of data.tables) {
    const sim = new ExecmemSimulator({ profile: data.profile, table, seed: 1, kaslr: false, lazyFree: true });
    const w = new WorkloadState(new Rng(7), data.profile.pageSize);
    const ops = [
      ...w.generate('boot', { modules: 60 }, 'boot'),
      ...w.generate('churn', { rounds: 20 }, 'churn'),
      ...w.generate('kprobes', { count: 8 }, 'kprobes'),
      ...w.generate('ftrace', { count: 4 }, 'ftrace'),
      ...w.generate('bpf', { count: 32 }, 'bpf'),
    ];
    const failed = new Set<string>();
    for (const op of ops) {
      if (op.op === 'alloc') {
        if (sim.alloc(op.id, op.type, op.size, op.vmFlags).failed) failed.add(op.id);
      } else if (!failed.delete(op.id)) sim.free(op.id);
    }
    const m = sim.metrics();
    if (m.failures) problems++;
    console.log(`\n${table.variant}/${table.arch}: ${m.liveAreas} live, ${m.failures} failures, ${m.fallbacks} fallbacks`);
    for (const t of Object.keys(sim.ranges) as (keyof typeof sim.ranges)[]) {
      const r = sim.ranges[t];
      console.log(`  ${t.padEnd(20)} [${hex(r.start)}, ${hex(r.end)})${r.fallback_start ? ` fallback [${hex(r.fallback_start)}, ${hex(r.fallback_end)})` : ''} ${r.pgprot} align ${r.alignment}`);
    }
    for (const f of sim.findings) console.log(`  ${f.severity}: ${f.message}`);
  }
  console.log(problems ? `\n${problems} problem(s)` : '\nall checks passed');
  process.exitCode = problems ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(`check-arch: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
