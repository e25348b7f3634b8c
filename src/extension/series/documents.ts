/**
 * Read-only virtual documents of the series explorer:
 *   execmem-mail:/<msgid>/<name>.patch|.eml   one message, headers and body
 *   execmem-mail:/<msgid>/<name>.eml?source=..&origin=..
 *                                             a duplicate copy: the one read there
 *   execmem-side:/<old|new>/<path>?msgid=..&mode=hunks|applied
 *                                             one side of a file of a patch
 * Mail is shown as text only; nothing in it is interpreted.
 */
import * as path from 'node:path';
import { applyPatch } from 'diff';
import * as vscode from 'vscode';
import type { PatchFile } from '../../core/patch/patch';
import { isTreeRelative } from '../../core/patch/paths';
import { hunkSides } from '../../core/patch/sides';
import type { PatchEntry, SeriesVersion, SourcedMessage } from '../../core/series/model';
import type { SeriesStore } from './store';

export const MAIL_SCHEME = 'execmem-mail';
export const SIDE_SCHEME = 'execmem-side';
export const DIFF_SCHEME = 'execmem-diff';

/** The diff of one patch alone (for interdiffs between versions). */
export function diffUri(msgid: string, label: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${encodeURIComponent(msgid)}/${label.replace(/[^A-Za-z0-9._-]+/g, '-')}.diff` });
}

/** The Message-ID of the patch a diffUri shows. */
export function parseDiffUri(uri: vscode.Uri): { msgid: string } {
  return { msgid: decodeURIComponent(uri.path.split('/')[1] ?? '') };
}

export type SideMode = 'hunks' | 'applied';

export function slug(subject: string): string {
  return subject.replace(/^(re:\s*)*(\[[^\]]*\]\s*)*/i, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50) || 'message';
}

/** Where a duplicate copy was read (the copy that counts is named by its Message-ID alone). */
export interface CopyOf {
  sourceId: string;
  origin: string;
}

/** Where a message sits in a series: its version and number (0 for the cover letter). */
export interface SeriesPlace {
  version: number;
  index: number;
}

/**
 * The document of one message, named as `git format-patch -v N` names files
 * ("v2-0004-mm-introduce-execmem.patch", "v2-0000-….eml" for a cover
 * letter), so tabs of the same patch in two versions can be told apart.
 */
export function mailUri(msg: SourcedMessage, isPatch: boolean, place?: SeriesPlace, copy?: CopyOf): vscode.Uri {
  const prefix = place ? `v${place.version}-${String(place.index).padStart(4, '0')}-` : '';
  const name = `${prefix}${slug(msg.subject)}${copy ? ' (duplicate)' : ''}.${isPatch ? 'patch' : 'eml'}`;
  const query = copy ? new URLSearchParams({ source: copy.sourceId, origin: copy.origin }).toString() : '';
  return vscode.Uri.from({ scheme: MAIL_SCHEME, path: `/${encodeURIComponent(msg.msgid)}/${name}`, query });
}

/** What a mailUri names: the message, and which duplicate copy of it when it is one. */
export function parseMailUri(uri: vscode.Uri): { msgid: string; copy?: CopyOf } {
  const msgid = decodeURIComponent(uri.path.split('/')[1] ?? '');
  const q = new URLSearchParams(uri.query);
  const sourceId = q.get('source');
  const origin = q.get('origin');
  return sourceId !== null && origin !== null ? { msgid, copy: { sourceId, origin } } : { msgid };
}

export function sideUri(side: 'old' | 'new', filePath: string, msgid: string, mode: SideMode): vscode.Uri {
  return vscode.Uri.from({
    scheme: SIDE_SCHEME,
    path: `/${side}/${filePath}`,
    query: new URLSearchParams({ msgid, mode }).toString(),
  });
}

/** What a sideUri names: which side of which file of which patch, rebuilt from its hunks or applied. */
export function parseSideUri(uri: vscode.Uri): { side: 'old' | 'new'; filePath: string; msgid: string; mode: SideMode } {
  const [, side, ...rest] = uri.path.split('/');
  const q = new URLSearchParams(uri.query);
  return { side: side === 'old' ? 'old' : 'new', filePath: rest.join('/'), msgid: q.get('msgid') ?? '', mode: q.get('mode') === 'applied' ? 'applied' : 'hunks' };
}

export function renderMessage(msg: SourcedMessage, note?: string): string {
  const head = [
    ...(note ? [`X-Execmem-Lens-Note: ${note}`] : []),
    `From: ${msg.from.name ? `${msg.from.name} <${msg.from.address}>` : msg.from.address}`,
    `Date: ${msg.date ?? '(unknown)'}`,
    `Subject: ${msg.subject}`,
    `Message-ID: <${msg.msgid}>${msg.syntheticId ? ' (none in the mail; named after its file)' : ''}`,
  ];
  if (msg.inReplyTo) head.push(`In-Reply-To: <${msg.inReplyTo}>`);
  head.push(`X-Execmem-Lens-Origin: ${msg.origin}`);
  const attached = msg.attachedPatches.map((p, i) => `\n--- attached patch ${i + 1} ---\n${p}`).join('');
  return `${head.join('\n')}\n\n${msg.body}${attached}`;
}

/** Finds the file a patch touches in the workspace, if the workspace holds it. */
export async function workspaceFile(relPath: string): Promise<vscode.Uri | undefined> {
  // Paths come from mail: a/../../.ssh/id_rsa must not reach outside the workspace.
  if (!isTreeRelative(relPath)) return undefined;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, relPath);
    try {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.type & vscode.FileType.File) return uri;
    } catch {
      /* not in this folder */
    }
  }
  return undefined;
}

export interface PatchLookup {
  version: SeriesVersion;
  patch: PatchEntry;
}

/** The version and number of a cover letter or patch, if the message is one. */
export function placeOf(store: SeriesStore, msgid: string): SeriesPlace | undefined {
  const found = store.placeOf(msgid);
  return found ? { version: found.version.version, index: found.patch ? found.patch.index : 0 } : undefined;
}

export function findPatch(store: SeriesStore, msgid: string): PatchLookup | undefined {
  const found = store.placeOf(msgid);
  return found?.patch ? { version: found.version, patch: found.patch } : undefined;
}

/** The new side of a file: the workspace copy with the patch applied, or false when it does not apply. */
export async function appliedText(file: PatchFile): Promise<string | false> {
  const base = await workspaceFile(file.oldPath ?? file.path);
  if (!base) return false;
  const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(base));
  return applyPatch(original, file.structured, { fuzzFactor: 0 });
}

export class SeriesDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly store: SeriesStore) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.scheme === MAIL_SCHEME) {
      const { msgid, copy } = parseMailUri(uri);
      if (copy) {
        const d = this.store.duplicate(msgid, copy.sourceId, copy.origin);
        if (!d) return `This copy is no longer among the loaded mail (${msgid}, ${copy.origin}).\n`;
        const note = `a duplicate copy, ${d.identical ? 'identical to' : 'not the same as'} the one that counts (read at ${d.firstOrigin})`;
        return renderMessage(d.message, note);
      }
      const msg = this.store.message(msgid);
      return msg ? renderMessage(msg) : `This message is no longer among the loaded mail (${msgid}).\n`;
    }
    if (uri.scheme === DIFF_SCHEME) {
      return findPatch(this.store, parseDiffUri(uri).msgid)?.patch.diff ?? 'This patch is no longer among the loaded mail.\n';
    }
    const { side, filePath, msgid, mode } = parseSideUri(uri);
    const found = findPatch(this.store, msgid);
    const file = found?.patch.files.find((f) => (side === 'old' ? (f.oldPath ?? f.path) : f.path) === filePath);
    if (!file) return `The patch for ${filePath} is no longer among the loaded mail.\n`;
    if (mode === 'applied' && side === 'new') {
      const text = await appliedText(file);
      if (text !== false) return text;
    }
    const sides = hunkSides(file.structured);
    return side === 'old' ? sides.old.text : sides.new.text;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function basename(p: string): string {
  return path.posix.basename(p);
}

