/**
 * Seeded workload generators: the same seed gives the same operations.
 *   boot     load N modules: each module's sections allocated as Linux 6.4+
 *            does (module_memory: text, data, rodata, ro_after_init, and the
 *            init text/data/rodata freed once the module's init has run)
 *   churn    unload and reload loaded modules, R rounds
 *   kprobes  N optimised-probe instruction pages, one page each
 *   ftrace   N ftrace trampolines
 *   bpf      N JITed BPF programs (each its own allocation: bpf_prog_pack
 *            comes with the execmem-rox design)
 * Section sizes are drawn from log-normal distributions around sizes typical
 * of a distribution kernel's modules (a few KiB of data, tens of KiB of text,
 * a long tail of large modules); the medians are stated below, not measured
 * from a particular kernel.
 *
 * Simplification: Linux 6.1 allocated a module as two areas (core and init
 * layout) rather than one per section; the module_alloc design here still
 * gets one allocation per section.
 */
import type { Rng } from './random';
import type { ExecmemType } from './types';

export type GeneratedOp =
  | { op: 'alloc'; id: string; type: ExecmemType; size: number; vmFlags: [] }
  | { op: 'free'; id: string };

export const WORKLOADS = ['boot', 'churn', 'kprobes', 'ftrace', 'bpf'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

interface SectionKind {
  name: string;
  type: ExecmemType;
  /** Median size in bytes and spread (sigma of the log). */
  median: number;
  sigma: number;
  /** Chance the module has this section at all. */
  present: number;
  init: boolean;
}

const SECTIONS: SectionKind[] = [
  // EXECMEM_MODULE_TEXT is EXECMEM_DEFAULT.
  { name: 'text', type: 'EXECMEM_DEFAULT', median: 24 * 1024, sigma: 1.2, present: 1, init: false },
  { name: 'data', type: 'EXECMEM_MODULE_DATA', median: 4 * 1024, sigma: 1.0, present: 1, init: false },
  { name: 'rodata', type: 'EXECMEM_MODULE_DATA', median: 8 * 1024, sigma: 1.1, present: 0.95, init: false },
  { name: 'ro_after_init', type: 'EXECMEM_MODULE_DATA', median: 512, sigma: 1.0, present: 0.4, init: false },
  { name: 'init_text', type: 'EXECMEM_DEFAULT', median: 2 * 1024, sigma: 1.0, present: 0.8, init: true },
  { name: 'init_data', type: 'EXECMEM_MODULE_DATA', median: 1024, sigma: 1.0, present: 0.6, init: true },
  { name: 'init_rodata', type: 'EXECMEM_MODULE_DATA', median: 512, sigma: 1.0, present: 0.5, init: true },
];

/** A log-normal draw (Box–Muller), at least 16 bytes. */
function logNormal(rng: Rng, median: number, sigma: number): number {
  const u = Math.max(rng.next(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  return Math.max(16, Math.round(median * Math.exp(sigma * z)));
}

export class WorkloadState {
  private nextModule = 0;
  /** Loaded modules and the ids of their resident sections. */
  readonly loaded: { name: string; ids: string[] }[] = [];
  private counter = 0;

  constructor(
    private readonly rng: Rng,
    private readonly pageSize: number,
  ) {}

  private count(params: Record<string, unknown>, key: string, fallback: number, where: string): number {
    const v = params[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 1_000_000) {
      throw new Error(`${where}.params.${key}: expected a whole number from 0 to 1,000,000, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  private loadModule(out: GeneratedOp[]): void {
    const name = `mod${this.nextModule++}`;
    const ids: string[] = [];
    const init: string[] = [];
    for (const s of SECTIONS) {
      if (this.rng.next() >= s.present) continue;
      const id = `${name}.${s.name}`;
      out.push({ op: 'alloc', id, type: s.type, size: logNormal(this.rng, s.median, s.sigma), vmFlags: [] });
      (s.init ? init : ids).push(id);
    }
    // do_init_module(): the init sections are freed once the module's init has run.
    for (const id of init) out.push({ op: 'free', id });
    this.loaded.push({ name, ids });
  }

  generate(name: string, params: Record<string, unknown>, where: string): GeneratedOp[] {
    const out: GeneratedOp[] = [];
    switch (name) {
      case 'boot': {
        const n = this.count(params, 'modules', 60, where);
        for (let i = 0; i < n; i++) this.loadModule(out);
        return out;
      }
      case 'churn': {
        const rounds = this.count(params, 'rounds', 20, where);
        for (let r = 0; r < rounds && this.loaded.length > 0; r++) {
          const [mod] = this.loaded.splice(Math.floor(this.rng.next() * this.loaded.length), 1);
          for (const id of mod!.ids) out.push({ op: 'free', id });
          this.loadModule(out);
        }
        return out;
      }
      case 'kprobes': {
        const n = this.count(params, 'count', 16, where);
        for (let i = 0; i < n; i++) out.push({ op: 'alloc', id: `kprobe${this.counter++}`, type: 'EXECMEM_KPROBES', size: this.pageSize, vmFlags: [] });
        return out;
      }
      case 'ftrace': {
        const n = this.count(params, 'count', 8, where);
        // An x86 ftrace trampoline is the ftrace_caller copy plus a jump: a few hundred bytes.
        for (let i = 0; i < n; i++) out.push({ op: 'alloc', id: `tramp${this.counter++}`, type: 'EXECMEM_FTRACE', size: logNormal(this.rng, 300, 0.2), vmFlags: [] });
        return out;
      }
      case 'bpf': {
        const n = this.count(params, 'count', 64, where);
        for (let i = 0; i < n; i++) out.push({ op: 'alloc', id: `bpf${this.counter++}`, type: 'EXECMEM_BPF', size: logNormal(this.rng, 512, 1.0), vmFlags: [] });
        return out;
      }
      default:
        throw new Error(`${where}.name: unknown workload ${JSON.stringify(name)} (one of ${WORKLOADS.join(', ')})`);
    }
  }
}
