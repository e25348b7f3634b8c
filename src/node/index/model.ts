/**
 * The series of a set of mail sources made where they can be made whole:
 * each source's index brought up to date and read, the sources merged and
 * grouped (or, when only replies were added at the end of the last source,
 * those put into the model of the last build), and the result written as a
 * model image (image.ts) for an extension host to read slice by slice.
 *
 * It runs on the store worker (storeWorker.ts), which holds the model while
 * it is busy and gives all of it back when it ends; a builder that is kept
 * (the worker still up) takes new mail in without grouping all again.
 */
import * as path from 'node:path';
import { extendWithRead, mergeSources, type SourceRead } from '../../core/series/bysource';
import { groupSeries } from '../../core/series/group';
import type { SeriesIndex } from '../../core/series/model';
import { type OtherThreads, otherThreadsOf, sourceStates, summarize, type SourceProblem, type SourceState, type TriedSource } from '../../core/series/summary';
import { CatFiles } from '../git/catFile';
import { imageKey, type ImageLayout, writeImage } from './image';
import { loadSource, type ReadMark } from './indexer';

/** Why a source could not be read: a path that is not there says so plainly (the raw error names the system call). */
export function sourceReadError(p: string, e: unknown): string {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${p}: no such file or folder` : e instanceof Error ? e.message : String(e);
}

/** What a build says of itself, for the log. */
export interface BuildReport {
  /** Per source read: how many messages it gave and how many of those were read from the mail just now. */
  sources: { path: string; seen: number; fresh: number; ms: number; extended: boolean }[];
  /** What the indexer had to say (an index rebuilt, a file rewritten); a damaged index's note names `.broken`. */
  notes: string[];
  /** What the log should say (a source that is not mail, a count that does not add up). */
  problems: SourceProblem[];
  /** Sources that could not be read, with why. */
  failed: { path: string; message: string }[];
  states: SourceState[];
  /** How the model was made: grouped whole, or the last build's with new mail put in. */
  grouped: 'whole' | 'extended';
  counts: { messages: number; versions: number; families: number; replies: number; others: number; duplicates: number; errors: number };
  groupMs: number;
  /** Where the build's time went, step by step (ms). */
  steps: Record<string, number>;
  /** The image: its size, its slices, the bytes this build wrote (the slices that changed, when the last image was added to). */
  image: { file: string; bytes: number; slices: number; written: number; ms: number };
}

interface Kept {
  read: SourceRead;
  mark: ReadMark;
  addresses: readonly string[];
}

export class ModelBuilder {
  /** The last build's reads, by source, and the model made of them. */
  private kept = new Map<string, Kept>();
  private index: SeriesIndex | undefined;
  private reads: SourceRead[] = [];
  /** Where the last image's slices lie: the next write adds only what changed. */
  private layout: ImageLayout | undefined;
  /** The other mail's threads of the last build's model, and how much other mail it had. */
  private threads: { index: SeriesIndex; count: number; threads: OtherThreads } | undefined;
  /** A git process per epoch, kept for the next update (see git/catFile.ts). */
  private readonly git = new CatFiles();

  /** Ends the git processes kept. */
  dispose(): void {
    this.git.close();
  }

  /** The model of the last build (for questions asked of the whole of it: search). */
  get model(): SeriesIndex | undefined {
    return this.index;
  }

  /**
   * Brings the indexes of `paths` (in `dir`) up to date, makes their model and
   * writes it to `file` under `inputs` (see imageKey).
   */
  async build(dir: string, paths: readonly string[], inputs: string, file: string, onProgress?: (p: string, n: number) => void): Promise<BuildReport> {
    const started = Date.now();
    const tried: TriedSource[] = [];
    const reads: SourceRead[] = [];
    const addresses = new Map<string, readonly string[]>();
    const report: Pick<BuildReport, 'sources' | 'notes' | 'failed'> = { sources: [], notes: [], failed: [] };
    const taken = new Set<string>();
    /** The source whose read only gained mail at its end, and its read before. */
    const extendedFrom: { sourceId: string; before: SourceRead }[] = [];
    const timings: Record<string, number> = {};
    const kept = new Map<string, Kept>();
    for (const p of paths) {
      const sourceId = path.resolve(p);
      if (taken.has(sourceId)) continue;
      taken.add(sourceId);
      const started = Date.now();
      try {
        const prior = this.kept.get(sourceId);
        const r = await loadSource(dir, p, { onProgress: (n) => onProgress?.(p, n), git: this.git, timings }, prior);
        // Nothing added: the read before is this one (the model made of it holds).
        const read = r.extended && prior && r.read.seen === prior.read.seen ? prior.read : r.read;
        reads.push(read);
        addresses.set(sourceId, r.addresses);
        kept.set(sourceId, { read, mark: r.mark, addresses: r.addresses });
        if (r.extended && prior && prior.read !== read) extendedFrom.push({ sourceId, before: prior.read });
        tried.push({ path: p, sourceId });
        report.notes.push(...r.notes);
        report.sources.push({ path: p, seen: r.read.seen, fresh: r.fresh, ms: Date.now() - started, extended: r.extended });
      } catch (e) {
        const message = sourceReadError(p, e);
        tried.push({ path: p, sourceId, error: message });
        report.failed.push({ path: p, message });
      }
    }
    const readMs = Date.now();
    const groupStarted = Date.now();
    const copiesBefore = this.index?.duplicates.length;
    const extended = this.extend(reads, tried, extendedFrom);
    const index = extended ?? this.grouped(reads);
    const groupMs = Date.now() - groupStarted;
    this.index = index;
    this.reads = reads;
    this.kept = kept;
    const counted = Date.now();
    const { states, problems } = sourceStates(index, tried, reads);
    // Other mail's threads change only when other mail is added (new mail never answers mail read
    // before in a way that changes where that mail is: see extendSeries).
    const threads = extended && this.threads?.index === index && this.threads.count === index.others.length ? this.threads.threads : otherThreadsOf(index);
    this.threads = { index, count: index.others.length, threads };
    const summary = summarize(index, states, threads);
    const written = Date.now();
    // The last image's slices are kept only for a model that was that image's with replies put in: a
    // model grouped again can differ in what no slice's fingerprint counts (where a message lies, its
    // subject, which family a version is in), and a copy read from another list changes "also on" of a
    // message already written.
    const reuse = extended !== undefined && index.duplicates.length === copiesBefore ? this.layout : undefined;
    this.layout = undefined;
    const image = writeImage(file, imageKey(inputs), index, states, summary, addresses, reuse, threads);
    this.layout = image.layout;
    return {
      ...report,
      problems,
      states,
      grouped: extended ? 'extended' : 'whole',
      counts: {
        messages: index.messageCount,
        versions: index.series.length,
        families: index.families.length,
        replies: index.replyCount,
        others: index.others.length,
        duplicates: index.duplicates.length,
        errors: index.errors.length,
      },
      groupMs,
      steps: { read: readMs - started, ...timings, group: groupMs, count: written - counted, ...image.steps },
      image: { file, bytes: image.bytes, slices: image.slices, written: image.written, ms: Date.now() - written },
    };
  }

  private grouped(reads: readonly SourceRead[]): SeriesIndex {
    const merged = mergeSources(reads);
    return groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
  }

  /**
   * The last build's model with the new mail put in, when that gives what
   * grouping all again would: the same sources, all read as they were but
   * the last, whose read only gained mail at its end (see extendWithRead).
   */
  private extend(reads: readonly SourceRead[], tried: readonly TriedSource[], extendedFrom: readonly { sourceId: string; before: SourceRead }[]): SeriesIndex | undefined {
    const index = this.index;
    if (!index || tried.some((t) => t.error) || reads.length !== this.reads.length || extendedFrom.length > 1) return undefined;
    if (extendedFrom.length === 0) return reads.every((r, i) => r === this.reads[i]) ? index : undefined;
    const last = reads.length - 1;
    if (reads[last]!.sourceId !== extendedFrom[0]!.sourceId) return undefined;
    if (reads.some((r, i) => (i < last ? r !== this.reads[i] : this.reads[i] !== extendedFrom[0]!.before))) return undefined;
    return extendWithRead(index, extendedFrom[0]!.before, reads[last]!) ?? undefined;
  }
}
