/** What the mail subcommands share: read the sources (or their index) and group them, or say why not. */
import { groupSeries } from '../core/series/group';
import type { SeriesIndex } from '../core/series/model';
import { mergeSources, type SourceRead } from '../core/series/bysource';
import { loadSource } from '../node/index/indexer';
import { expandSources, readSources } from '../node/mail/read';
import type { CliIo } from './subcommand';

/**
 * The grouped mail of `paths`, or exit code 1 after printing why it could not
 * be read. With `indexDir`, each source's index there is brought up to date
 * (only new mail is read) and the series come from it; what the indexer has
 * to say (an index rebuilt, a file rewritten) goes to stderr.
 */
export async function readGrouped(command: string, given: string[], io: CliIo, indexDir?: string): Promise<SeriesIndex | 1> {
  try {
    // A folder of lists (grokmirror/lei layout) is each of its lists.
    const paths = await expandSources(given);
    if (indexDir !== undefined) {
      const reads: SourceRead[] = [];
      for (const p of paths) {
        const { read, notes } = await loadSource(indexDir, p);
        for (const n of notes) io.stderr(`execmem-lens ${command}: ${n}\n`);
        reads.push(read);
      }
      const merged = mergeSources(reads);
      return groupSeries(merged.messages, { errors: merged.errors, duplicates: merged.duplicates });
    }
    const read = await readSources(paths);
    return groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
  } catch (e) {
    io.stderr(`execmem-lens ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Takes `--index DIR` out of args; `undefined` when absent, an error message when DIR is missing. */
export function takeIndexOption(args: string[]): { args: string[]; indexDir?: string; error?: string } {
  const i = args.indexOf('--index');
  if (i < 0) return { args };
  const dir = args[i + 1];
  if (dir === undefined || dir.startsWith('--')) return { args, error: "'--index' needs a folder (where the index is kept)" };
  return { args: [...args.slice(0, i), ...args.slice(i + 2)], indexDir: dir };
}
