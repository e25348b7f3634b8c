/**
 * Context keys the Getting Started walkthrough completes on
 * (package.json contributes.walkthroughs).
 *
 * Its steps cannot all complete on `onCommand:`: VS Code hands a command
 * with arguments that comes from a tree item or a code lens to the
 * extension host under an internal delegating id, so opening a patch's diff
 * from the Patch Series tree, or stepping from a lens, never fires
 * `onCommand:execmemLens.openFileDiff`. What the step asks for having
 * happened is said as a context key instead, whichever way it was reached.
 *
 * A key that is already true when VS Code registers the walkthrough does not
 * complete its step (VS Code 1.100's walkthrough service files it as seen
 * without progressing the step, and then ignores it): mail configured before
 * the window opened does not tick "Add mail". The steps whose buttons run a
 * command directly also complete on that command (onCommand:), so doing the
 * step from the walkthrough always ticks it.
 */
import * as vscode from 'vscode';

export const WALKTHROUGH_CONTEXT = {
  /** A workspace folder or configured kernel source reads as a kernel tree. */
  kernelTreeOpen: 'execmemLens.kernelTreeOpen',
  /** Some mail source was read and gave mail. */
  mailRead: 'execmemLens.mailRead',
  /** A file of a patch was opened as a diff. */
  patchDiffOpened: 'execmemLens.patchDiffOpened',
  /** A call site was simulated (a step of a simulation shown). */
  siteSimulated: 'execmemLens.siteSimulated',
} as const;

const set = new Map<string, boolean>();

/** Sets a walkthrough context key; a value already set is not sent again. */
export function setWalkthroughContext(key: (typeof WALKTHROUGH_CONTEXT)[keyof typeof WALKTHROUGH_CONTEXT], value = true): Thenable<unknown> | undefined {
  if (set.get(key) === value) return undefined;
  set.set(key, value);
  return vscode.commands.executeCommand('setContext', key, value);
}
