/** `execmem-lens index SOURCE... [--index DIR] [--json]`: build or update the mail index of each source. */
import { defaultIndexDir, indexSources } from '../../node/index/indexer';
import { expandSources } from '../../node/mail/read';
import { takeIndexOption } from '../readMail';
import type { CliIo, Subcommand } from '../subcommand';

const USAGE = `Usage: execmem-lens index SOURCE... [--index DIR] [--json]

Builds the index of each mail source (a folder of lists in the grokmirror
or lei layout, <list>/git/<N>.git, is each of its lists), or brings it up
to date reading only
what is new: for a public-inbox repository the commits after the last one
indexed (per epoch), for an mbox the mail appended since (a file rewritten
is indexed again), for a folder the files changed or added. The index keeps
each message's headers, where to read it again, and what its text says
(files and functions a patch touches, trailers), not the text itself.

  --index DIR  where the index files are kept (one per source); default
               $XDG_CACHE_HOME/execmem-lens/index (~/.cache/execmem-lens/index)
  --json       {"messages": N, "new": N, "ms": N}: messages the index holds
               for these sources, how many were read now, and how long it took

search and series use an index with --index DIR.`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const opt = takeIndexOption(argv);
  if (opt.error) {
    io.stderr(`execmem-lens index: ${opt.error}\n${USAGE}\n`);
    return 2;
  }
  const json = opt.args.includes('--json');
  const unknown = opt.args.filter((a) => a.startsWith('--') && a !== '--json');
  if (unknown.length) {
    io.stderr(`execmem-lens index: unknown option '${unknown[0]}'\n${USAGE}\n`);
    return 2;
  }
  const paths = opt.args.filter((a) => a !== '--json');
  if (paths.length === 0) {
    io.stderr(`execmem-lens index: no SOURCE given\n${USAGE}\n`);
    return 2;
  }
  const dir = opt.indexDir ?? defaultIndexDir();
  let result;
  try {
    result = await indexSources(dir, await expandSources(paths));
  } catch (e) {
    io.stderr(`execmem-lens index: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const { run: r, open } = result;
  open.close();
  for (const n of r.notes) io.stderr(`execmem-lens index: ${n}\n`);
  if (json) {
    io.stdout(`${JSON.stringify({ messages: r.messages, new: r.new, ms: r.ms })}\n`);
  } else {
    io.stdout(`${r.messages} messages in the index (${r.new} read now) in ${r.ms} ms; index in ${dir}\n`);
  }
  return 0;
}

export const indexCommand: Subcommand = { usage: USAGE, run };
