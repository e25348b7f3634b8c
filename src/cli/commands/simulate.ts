/** `execmem-lens simulate SCENARIO.json [--json]`: run a scenario through the allocator simulator. */
import { readFile } from 'node:fs/promises';
import { parseScenario, runScenario, type ScenarioOutput } from '../../core/sim/scenario';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens simulate SCENARIO.json [--json]

Runs the scenario's allocations through the kernel's executable-memory
allocator as the chosen API design had it on the chosen arch, and prints
where each area landed, the metrics and the findings. SCENARIO.json may be
"-" for standard input.

  --json   print JSON (allocations, metrics, findings) instead of a summary`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function summary(out: ScenarioOutput): string {
  const lines = out.allocations.map(
    (a) => `  ${a.id.padEnd(16)} ${a.type.padEnd(20)} ${a.failed ? 'FAILED'.padEnd(39) : `${a.start} - ${a.end}`} ${String(a.size).padStart(9)} B  ${a.failed ? '' : a.range}`,
  );
  const m = out.metrics;
  lines.push('', `live areas ${m.liveAreas}, virtual span ${m.virtualSpan} B, huge pages touched ${m.hugePagesTouched}, iTLB entries ${m.itlbEntries4k} (4 KiB) / ${m.itlbEntries2m} (2 MiB), failures ${m.failures}, fallbacks ${m.fallbacks}`);
  for (const r of m.ranges) lines.push(`  ${r.start}-${r.end}  ${r.name}: ${r.areas} areas, ${r.pagesUsed} pages + ${r.guardPages} guard, largest free / free ${r.fragmentation.toFixed(3)}`);
  for (const f of out.findings) lines.push(`  ${f.severity}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json' && a !== '-');
  if (unknown.length) {
    io.stderr(`execmem-lens simulate: unknown option '${unknown[0]}'\n${USAGE}\n`);
    return 2;
  }
  const files = args.filter((a) => a === '-' || !a.startsWith('-'));
  if (files.length !== 1) {
    io.stderr(`execmem-lens simulate: give exactly one SCENARIO.json\n${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = files[0] === '-' ? await readStdin() : await readFile(files[0]!, 'utf8');
  } catch (e) {
    io.stderr(`execmem-lens simulate: ${files[0]}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    io.stderr(`execmem-lens simulate: ${files[0]}: not JSON: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const scenario = parseScenario(value);
  if (!scenario.ok) {
    io.stderr(`execmem-lens simulate: ${files[0]}: ${scenario.error}\n`);
    return 2;
  }
  const out = runScenario(scenario.value);
  if (!out.ok) {
    io.stderr(`execmem-lens simulate: ${out.error}\n`);
    return 1;
  }
  io.stdout(json ? `${JSON.stringify(out.value, null, 2)}\n` : summary(out.value));
  return 0;
}

export const simulateCommand: Subcommand = { usage: USAGE, run };
