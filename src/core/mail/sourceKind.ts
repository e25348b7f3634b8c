/**
 * What kind of mail a configured path holds, judged from its name and, for a
 * folder, the names inside it. Pure: the caller does the file-system reads.
 *
 * The kinds are the three the series explorer reads: an mbox file, a
 * public-inbox repository (one bare git repository per epoch, as lore.kernel.org
 * mirrors keep them), and a folder of `git format-patch` / .eml files; a folder
 * of mbox files (like ../shared/corpus/threads) counts as a folder of mboxes.
 */

export type MailSourceKind = 'mbox' | 'public-inbox' | 'mbox-folder' | 'patch-folder' | 'unknown';

export type PathFacts =
  | { kind: 'file'; name: string }
  | { kind: 'directory'; name: string; children: readonly string[] }
  | { kind: 'missing'; name: string };

export interface MailSourceInfo {
  kind: MailSourceKind;
  /** Short text for a tree item's description. */
  summary: string;
}

const MBOX_RE = /\.(mbox|mboxrd|mbx)$/i;
const PATCH_RE = /\.(patch|eml|diff)$/i;
/** A bare git repository has these at its top. */
const BARE_GIT = ['HEAD', 'objects', 'refs'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function classifyMailSource(facts: PathFacts): MailSourceInfo {
  if (facts.kind === 'missing') return { kind: 'unknown', summary: 'not found' };
  if (facts.kind === 'file') {
    if (MBOX_RE.test(facts.name)) return { kind: 'mbox', summary: 'mbox file' };
    if (PATCH_RE.test(facts.name)) return { kind: 'patch-folder', summary: 'single patch file' };
    return { kind: 'unknown', summary: 'file of unknown kind (expected .mbox, .patch or .eml)' };
  }
  const names = facts.children;
  if (BARE_GIT.every((n) => names.includes(n))) return { kind: 'public-inbox', summary: 'public-inbox epoch (bare git)' };
  const epochs = names.filter((n) => /^\d+\.git$/.test(n));
  if (epochs.length > 0) return { kind: 'public-inbox', summary: `public-inbox, ${plural(epochs.length, 'epoch')}` };
  if (names.includes('git')) return { kind: 'public-inbox', summary: 'public-inbox (v2 layout)' };
  const mboxes = names.filter((n) => MBOX_RE.test(n)).length;
  const patches = names.filter((n) => PATCH_RE.test(n)).length;
  if (mboxes > 0 && mboxes >= patches) return { kind: 'mbox-folder', summary: `folder, ${plural(mboxes, 'mbox file')}` };
  if (patches > 0) return { kind: 'patch-folder', summary: `folder, ${plural(patches, 'patch file')}` };
  return { kind: 'unknown', summary: 'folder with no mail found' };
}
