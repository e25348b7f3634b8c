/** `execmem-lens archmap (--tree DIR | --mbox FILE)... [--before X --after Y] [--json]`. */
import { buildArchMap } from '../../core/archmap/build';
import type { FileFacts } from '../../core/archmap/facts';
import type { ArchMap } from '../../core/archmap/types';
import { factsOfSeries, factsOfTree, seriesOfMbox } from '../../node/archmap/inputs';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens archmap (--tree DIR | --mbox FILE)... [--before X --after Y] [--json]

Pairs each architecture's module_alloc() override with its execmem table,
read from real C with tree-sitter, and reports per arch and execmem type the
two sides, a verdict (same / changed / unknown) and findings.

  --tree DIR    a kernel tree (or any folder of C files)
  --mbox FILE   mail holding a patch series: '-' lines give the old code, '+' lines the new
  --before X    which input (as given) is the "before" side; default: the first
  --after Y     which input is the "after" side; default: the last
  --json        print JSON instead of a summary
  --simulate    also run both sides through the allocator simulator on a small
                workload per type and report where the memory lands (the
                summary always does; JSON carries it under "simulation" with
                this flag)

One input gives the sides it has: a 6.1 tree the module_alloc side, a 6.12
tree the execmem side, a series both.`;

interface Input {
  kind: 'tree' | 'mbox';
  path: string;
}

function parseArgs(args: string[]): { inputs: Input[]; before?: string; after?: string; json: boolean; simulate: boolean } | string {
  const inputs: Input[] = [];
  let before: string | undefined;
  let after: string | undefined;
  let json = false;
  let simulate = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    if (a === '--json') json = true;
    else if (a === '--simulate') simulate = true;
    else if (a === '--tree' || a === '--mbox') {
      const v = value();
      if (v === undefined || v.startsWith('--')) return `${a} needs a path`;
      inputs.push({ kind: a === '--tree' ? 'tree' : 'mbox', path: v });
    } else if (a === '--before' || a === '--after') {
      const v = value();
      if (v === undefined) return `${a} needs one of the inputs' paths`;
      if (a === '--before') before = v;
      else after = v;
    } else return `unknown argument '${a}'`;
  }
  if (inputs.length === 0) return 'give at least one --tree DIR or --mbox FILE';
  return { inputs, before, after, json, simulate };
}

async function load(input: Input): Promise<{ before: FileFacts[]; after: FileFacts[]; label: string }> {
  if (input.kind === 'tree') {
    const t = await factsOfTree(input.path);
    return { before: t.files, after: t.files, label: input.path };
  }
  const series = await seriesOfMbox(input.path);
  const f = await factsOfSeries(series);
  return { before: f.before, after: f.after, label: `${input.path} (v${f.version} ${f.title})` };
}

function summary(map: ArchMap): string {
  const lines: string[] = [];
  for (const [arch, entry] of Object.entries(map.arches)) {
    lines.push(arch);
    for (const [type, e] of Object.entries(entry.types)) {
      const b = e.before ? `${e.before.origin} [${e.before.start}, ${e.before.end})` : '—';
      const a = e.after ? `${e.after.origin} [${e.after.start}, ${e.after.end})` : '—';
      lines.push(`  ${type.padEnd(20)} ${e.verdict.padEnd(8)} ${b}  →  ${a}${e.changed.length ? `  changed: ${e.changed.join(', ')}` : ''}`);
      if (e.simulation?.summary) lines.push(`  ${''.padEnd(20)} simulated (${e.simulation.workload}): ${e.simulation.summary}`);
    }
  }
  lines.push('');
  lines.push(`${Object.keys(map.arches).length} arches, ${map.findings.length} findings`);
  for (const f of map.findings) lines.push(`  ${f.severity}: ${f.arch ?? '-'} ${f.type ?? ''} ${f.location}: ${f.message}`);
  // Expressions come from C source; keep control characters away from the terminal.
  // eslint-disable-next-line no-control-regex
  return `${lines.join('\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '�')}\n`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.stderr(`execmem-lens archmap: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  const pick = (name: 'before' | 'after', wanted: string | undefined, fallback: number): number | string => {
    if (wanted === undefined) return fallback;
    const k = parsed.inputs.findIndex((i) => i.path === wanted);
    return k >= 0 ? k : `--${name} ${wanted}: not one of the inputs (${parsed.inputs.map((i) => i.path).join(', ')})`;
  };
  const bi = pick('before', parsed.before, 0);
  const ai = pick('after', parsed.after, parsed.inputs.length - 1);
  if (typeof bi === 'string' || typeof ai === 'string') {
    io.stderr(`execmem-lens archmap: ${typeof bi === 'string' ? bi : ai}\n`);
    return 2;
  }
  let map: ArchMap;
  try {
    if (bi === ai) {
      const one = await load(parsed.inputs[bi]!);
      // Both sides of a series are read against the kernel it was posted for.
      map = buildArchMap(one.before, one.after, { afterEra: parsed.inputs[bi]!.kind === 'mbox' ? 'before' : 'after', simulate: parsed.simulate || !parsed.json });
    } else {
      const [b, a] = [await load(parsed.inputs[bi]!), await load(parsed.inputs[ai]!)];
      // A tree gives what it has; a series compared with something else stands for its result.
      const bf = parsed.inputs[bi]!.kind === 'mbox' ? b.after : b.before;
      map = buildArchMap(bf, a.after, { simulate: parsed.simulate || !parsed.json });
    }
  } catch (e) {
    io.stderr(`execmem-lens archmap: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  io.stdout(parsed.json ? `${JSON.stringify(map, null, 2)}\n` : summary(map));
  return 0;
}

export const archmapCommand: Subcommand = { usage: USAGE, run };
