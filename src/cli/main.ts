/**
 * execmem-lens: the headless command line over src/core. Each subcommand
 * prints JSON on stdout (or a readable summary without --json) so scripts and
 * tests outside VS Code can use the same engine the extension does.
 */
import { version } from '../../package.json';
import type { CliIo, Subcommand } from './subcommand';

/**
 * Subcommands by name, each loaded when it is run: a search answered from its
 * index is a few milliseconds of work, and evaluating every command's
 * libraries first (the mail parser, SQLite, the SMTP stack of reply) cost
 * more than that on every start. The summaries are here for --help.
 */
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  archmap: { summary: 'pair each arch’s module_alloc override with its execmem table, from C', load: async () => (await import('./commands/archmap.js')).archmapCommand },
  index: { summary: 'build or update the mail index of each source (only new mail is read)', load: async () => (await import('./commands/index.js')).indexCommand },
  reply: { summary: 'print the reply to a patch: your comments on its lines, trimmed quotes, a trailer (RFC 5322)', load: async () => (await import('./commands/reply.js')).replyCommand },
  search: { summary: "find messages in mail with lore's query language", load: async () => (await import('./commands/search.js')).searchCommand },
  series: { summary: 'list the patch series in mail (mbox, public-inbox, patch folders)', load: async () => (await import('./commands/series.js')).seriesCommand },
  simulate: { summary: 'run an allocation scenario through the allocator simulator', load: async () => (await import('./commands/simulate.js')).simulateCommand },
};

/** Exit codes: 0 done, 1 the work failed, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

function helpText(): string {
  const names = Object.keys(SUBCOMMANDS).sort();
  const width = Math.max(10, ...names.map((n) => n.length));
  const lines = [
    `execmem-lens ${version}: review the kernel's executable-memory allocator work from the command line`,
    '',
    'Usage:',
    '  execmem-lens <command> [options]',
    '  execmem-lens --version',
    '  execmem-lens --help',
    '',
    'Commands:',
    ...(names.length > 0
      ? names.map((n) => `  ${n.padEnd(width)}  ${SUBCOMMANDS[n]!.summary}`)
      : ['  (none)']),
    '',
    'Options:',
    '  --version   print the version and exit',
    '  --help, -h  print this help and exit',
    '',
  ];
  return lines.join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${version}\n`);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    io.stderr(`execmem-lens: unknown option '${first}' (try --help)\n`);
    return EXIT_USAGE;
  }
  const entry = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
  if (!entry) {
    io.stderr(`execmem-lens: unknown command '${first}' (try --help)\n`);
    return EXIT_USAGE;
  }
  const sub = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${sub.usage}\n`);
    return EXIT_OK;
  }
  return sub.run(rest, io);
}
