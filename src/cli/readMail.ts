/** What the mail subcommands share: read the sources and group them, or say why not. */
import { groupSeries } from '../core/series/group';
import type { SeriesIndex } from '../core/series/model';
import { readSources } from '../node/mail/read';
import type { CliIo } from './subcommand';

/** The grouped mail of `paths`, or exit code 1 after printing why it could not be read. */
export async function readGrouped(command: string, paths: string[], io: CliIo): Promise<SeriesIndex | 1> {
  try {
    const read = await readSources(paths);
    return groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
  } catch (e) {
    io.stderr(`execmem-lens ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
