/** A feature's commands: id → a small factory that, given the Ctx, makes the handler. */
import type { Ctx } from './ctx';

export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;
export type CommandTable = Record<string, CommandFactory>;
