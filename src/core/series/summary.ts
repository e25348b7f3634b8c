/**
 * What the Patch Series view shows before anything is expanded: each
 * source's line (its accounting) and its series families' lines, with the
 * counts of its other mail, duplicates and unreadable messages. A window
 * opened again shows this at once from the copy kept beside the mail index,
 * while the full model (every message, its thread, its facts) is read in
 * the background; a family expanded before then waits for it.
 *
 * It is derived data: kept under a key that names every input (the sources,
 * what their files looked like when they were read, the code that grouped
 * them), and thrown away, never patched, when any of them changes.
 */
import { accountBySource, sourceFailure, type SourceAccounting, type SourceRead } from './bysource';
import type { SeriesFamily, SeriesIndex, SeriesVersion, SourcedMessage } from './model';
import { type MailThread, threadsOf } from './thread';

/** Bumped whenever grouping or this shape changes, so that an older summary is not shown. */
export const SUMMARY_VERSION = 1;

/** One source as the view lists it. */
export interface SourceState {
  /** The configured path, absolute. */
  path: string;
  /** How its messages name it (SourcedMessage.sourceId). */
  sourceId: string;
  /** The source gave no mail, and why: a path that is not there, a file that is not mail. */
  error?: string;
  /** Every message read from it, by bucket. */
  counts: SourceAccounting;
}

/** A family's line: its title, first Message-ID and its versions' labels, oldest first. */
export interface FamilySummary {
  id: string;
  title: string;
  versions: string[];
}

export interface SourceSummary {
  state: SourceState;
  families: FamilySummary[];
  /** Other mail: messages, and the threads they make. */
  others: number;
  otherThreads: number;
  duplicates: number;
  /** Of the duplicates, those identical to the copy that counts. */
  identical: number;
  errors: number;
}

export interface TreeSummary {
  version: number;
  /** Series versions in all, for the filter's message. */
  seriesVersions: number;
  sources: SourceSummary[];
}

/** "RFC RESEND v2 (inferred)": a version as the tree, pickers and titles name it. */
export function versionLabel(v: Pick<SeriesVersion, 'rfc' | 'resend' | 'version' | 'versionInferred'>): string {
  return `${v.rfc ? 'RFC ' : ''}${v.resend ? 'RESEND ' : ''}v${v.version}${v.versionInferred ? ' (inferred)' : ''}`;
}

export function familySummary(f: SeriesFamily): FamilySummary {
  return { id: f.id, title: f.title, versions: f.versions.map(versionLabel) };
}

/** A version's first message: its cover letter, else its lowest patch. */
export function headOf(v: SeriesVersion): SourcedMessage | undefined {
  return v.cover ?? v.patches[0]?.message ?? v.extras[0]?.message;
}

/**
 * The families listed under a source: those whose first version's first
 * message was read from it; one read from no source listed goes under the
 * first (each family is listed once).
 */
export function familiesOfSource(index: SeriesIndex, states: readonly Pick<SourceState, 'sourceId'>[], sourceId: string): SeriesFamily[] {
  return index.families.filter((f) => {
    const v = f.versions[0];
    const head = v && headOf(v);
    return head?.sourceId === sourceId || (head && !states.some((s) => s.sourceId === head.sourceId) && states[0]?.sourceId === sourceId);
  });
}

/** Each source's other mail (not of a series) and its threads: the summary counts them, a model image chunks them by thread. */
export type OtherThreads = Map<string, { others: SourcedMessage[]; threads: MailThread[] }>;

export function otherThreadsOf(index: SeriesIndex): OtherThreads {
  const by = new Map<string, SourcedMessage[]>();
  for (const m of index.others) {
    const list = by.get(m.sourceId);
    if (list) list.push(m);
    else by.set(m.sourceId, [m]);
  }
  const out: OtherThreads = new Map();
  for (const [sourceId, others] of by) out.set(sourceId, { others, threads: threadsOf(others, index.parentOf) });
  return out;
}

/** What the view shows of `index` before anything is expanded, source by source (`threads`: otherThreadsOf(index), when made already). */
export function summarize(index: SeriesIndex, states: readonly SourceState[], threads: OtherThreads = otherThreadsOf(index)): TreeSummary {
  const sources = states.map((state): SourceSummary => {
    const mine = <T extends { sourceId?: string }>(list: readonly T[]) => list.filter((x) => (x.sourceId ?? '') === state.sourceId);
    const others = threads.get(state.sourceId);
    const dups = mine(index.duplicates);
    return {
      state,
      families: familiesOfSource(index, states, state.sourceId).map(familySummary),
      others: others?.others.length ?? 0,
      otherThreads: others?.threads.length ?? 0,
      duplicates: dups.length,
      identical: dups.filter((d) => d.identical).length,
      errors: mine(index.errors).length,
    };
  });
  return { version: SUMMARY_VERSION, seriesVersions: index.series.length, sources };
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

const COUNT_KEYS = ['messages', 'covers', 'patches', 'replies', 'others', 'duplicates', 'errors', 'unaccounted'] as const;

/**
 * A summary read back from its file, checked field by field: anything that
 * is not what this version writes is refused (the caller then reads the
 * mail as if there were no summary), never shown half.
 */
export function parseSummary(x: unknown): TreeSummary | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const s = x as Record<string, unknown>;
  if (s.version !== SUMMARY_VERSION || !isCount(s.seriesVersions) || !Array.isArray(s.sources)) return undefined;
  for (const src of s.sources as unknown[]) {
    if (typeof src !== 'object' || src === null) return undefined;
    const o = src as Record<string, unknown>;
    const st = o.state as Record<string, unknown> | null;
    if (typeof st !== 'object' || st === null || typeof st.path !== 'string' || typeof st.sourceId !== 'string') return undefined;
    if (st.error !== undefined && typeof st.error !== 'string') return undefined;
    const c = st.counts as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || !COUNT_KEYS.every((k) => (k === 'unaccounted' ? typeof c[k] === 'number' : isCount(c[k])))) return undefined;
    if (![o.others, o.otherThreads, o.duplicates, o.identical, o.errors].every(isCount) || !Array.isArray(o.families)) return undefined;
    for (const f of o.families as unknown[]) {
      const fam = f as Record<string, unknown> | null;
      if (typeof fam !== 'object' || fam === null || typeof fam.id !== 'string' || typeof fam.title !== 'string' || !isStrings(fam.versions) || fam.versions.length === 0) return undefined;
    }
  }
  return x as TreeSummary;
}

/** A source as it was tried: its path and id, and why it gave no mail when it could not be read at all. */
export interface TriedSource {
  path: string;
  sourceId: string;
  error?: string;
}

/** What a log should say of a source: a warning (not mail), or an error (a count that does not add up). */
export interface SourceProblem {
  error: boolean;
  text: string;
}

/**
 * Each tried source's line: its accounting, and its error (its own, or what
 * its mail says: not mail at all). `problems` says what a log should warn of:
 * a source that is not mail, and a count that does not add up.
 */
export function sourceStates(index: SeriesIndex, tried: readonly TriedSource[], reads: readonly SourceRead[]): { states: SourceState[]; problems: SourceProblem[] } {
  const read = new Map(tried.map((t) => [t.sourceId, 0]));
  for (const r of reads) read.set(r.sourceId, r.seen);
  const counts = accountBySource(index, read);
  const problems: SourceProblem[] = [];
  const states = tried.map((t): SourceState => {
    const c = counts.get(t.sourceId)!;
    const error = t.error ?? sourceFailure(c, index.errors.filter((e) => (e.sourceId ?? '') === t.sourceId)) ?? undefined;
    if (!t.error && error) problems.push({ error: false, text: `mail source ${t.path}: ${error}` });
    if (c.unaccounted !== 0) problems.push({ error: true, text: `mail source ${t.path}: ${c.unaccounted} of ${c.messages} messages are not accounted for` });
    return { path: t.path, sourceId: t.sourceId, ...(error ? { error } : {}), counts: c };
  });
  return { states, problems };
}
