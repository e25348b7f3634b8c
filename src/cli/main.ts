/**
 * execmem-lens: the headless command line over src/core. Each subcommand
 * prints JSON on stdout (or a readable summary without --json) so scripts and
 * tests outside VS Code can use the same engine the extension does.
 */
import { version } from '../../package.json';
import { archmapCommand } from './commands/archmap';
import { indexCommand } from './commands/index';
import { replyCommand } from './commands/reply';
import { searchCommand } from './commands/search';
import { seriesCommand } from './commands/series';
import { simulateCommand } from './commands/simulate';
import type { CliIo, Subcommand } from './subcommand';

/** Subcommands by name; later capabilities (series, simulate, archmap) add theirs here. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  archmap: archmapCommand,
  index: indexCommand,
  reply: replyCommand,
  search: searchCommand,
  series: seriesCommand,
  simulate: simulateCommand,
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
  const sub = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
  if (!sub) {
    io.stderr(`execmem-lens: unknown command '${first}' (try --help)\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${sub.usage}\n`);
    return EXIT_OK;
  }
  return sub.run(rest, io);
}
