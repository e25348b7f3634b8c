/**
 * What a subcommand is and what it writes to. Kept apart from main.ts so the
 * commands depend on this contract, not on the dispatcher that imports them.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Subcommand {
  usage: string;
  run: (args: string[], io: CliIo) => Promise<number> | number;
}
