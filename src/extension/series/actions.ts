/** What the series commands do, apart from VS Code's command plumbing. */
import * as vscode from 'vscode';
import { functionDefs } from '../../core/search/functions';
import { compareVersions, type PatchChange } from '../../core/series/compare';
import type { SeriesFamily, SeriesVersion } from '../../core/series/model';
import type { ReviewComments } from './comments';
import { appliedText, basename, type CopyOf, diffUri, findPatch, mailUri, placeOf, sideUri, workspaceFile } from './documents';
import type { MailSources } from './sources';
import type { FamilySummary } from '../../core/series/summary';
import type { SeriesStore } from './store';
import { versionLabel } from './tree';
import { setWalkthroughContext, WALKTHROUGH_CONTEXT } from '../walkthrough';

export async function addSource(sources: MailSources, store: SeriesStore, uri: vscode.Uri): Promise<void> {
  const added = await sources.add(uri.fsPath);
  if (!added) await store.reload();
  await vscode.commands.executeCommand('execmemLens.series.focus');
}

export async function pickAndAdd(
  sources: MailSources,
  store: SeriesStore,
  kind: 'mbox' | 'public-inbox' | 'any',
  given?: unknown,
): Promise<void> {
  if (given instanceof vscode.Uri) return addSource(sources, store, given);
  const picked = await vscode.window.showOpenDialog({
    title: kind === 'mbox' ? 'Open mbox' : kind === 'public-inbox' ? 'Open public-inbox repository' : 'Add mail source',
    canSelectFiles: kind !== 'public-inbox',
    canSelectFolders: kind !== 'mbox',
    canSelectMany: true,
    openLabel: 'Read Mail',
    filters: kind === 'mbox' ? { Mail: ['mbox', 'mboxrd', 'mbx', 'eml', 'patch'], 'All files': ['*'] } : undefined,
  });
  for (const uri of picked ?? []) await addSource(sources, store, uri);
}

function isCopyOf(x: unknown): x is CopyOf {
  return typeof x === 'object' && x !== null && typeof (x as CopyOf).sourceId === 'string' && typeof (x as CopyOf).origin === 'string';
}

/** Opens a message read-only; with `copy`, the duplicate copy read there instead of the one that counts. */
export async function openMessage(store: SeriesStore, msgid: unknown, copy?: unknown): Promise<void> {
  if (typeof msgid !== 'string') return;
  if (isCopyOf(copy)) {
    const d = store.duplicate(msgid, copy.sourceId, copy.origin);
    if (!d) {
      void vscode.window.showWarningMessage(`Execmem Lens: that copy of <${msgid}> is not among the loaded mail any more.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(mailUri(d.message, false, undefined, copy));
    await vscode.window.showTextDocument(doc, { preview: true });
    return;
  }
  const msg = store.message(msgid);
  if (!msg) {
    void vscode.window.showWarningMessage(`Execmem Lens: message <${msgid}> is not among the loaded mail.`);
    return;
  }
  const found = findPatch(store, msgid);
  const doc = await vscode.workspace.openTextDocument(mailUri(msg, !!found && found.patch.files.length > 0, placeOf(store, msgid)));
  await vscode.window.showTextDocument(doc, { preview: true });
}

/**
 * Opens a patch's change to one file in the diff editor; with `fn` (the
 * history of a function), at that function: the diff editor keeps both sides
 * in step, so its hunk is what shows.
 */
export async function openFileDiff(store: SeriesStore, comments: ReviewComments, msgid: unknown, filePath: unknown, fn?: unknown): Promise<void> {
  if (typeof msgid !== 'string' || typeof filePath !== 'string') return;
  const found = findPatch(store, msgid);
  const file = found?.patch.files.find((f) => f.path === filePath);
  if (!found || !file) {
    void vscode.window.showWarningMessage(`Execmem Lens: ${filePath} is not in that patch any more.`);
    return;
  }
  const { version, patch } = found;
  const title = `${basename(file.path)} (${String(patch.index).padStart(2, '0')}/${version.total} ${versionLabel(version)})`;
  const inTree = file.status === 'added' ? undefined : await workspaceFile(file.oldPath ?? file.path);
  let left: vscode.Uri;
  let right: vscode.Uri;
  let mode: 'hunks' | 'applied' = 'hunks';
  let rightText: string | undefined;
  if (inTree) {
    const applied = await appliedText(file);
    if (applied !== false) {
      left = inTree;
      right = sideUri('new', file.path, msgid, 'applied');
      mode = 'applied';
      rightText = applied;
    } else {
      void vscode.window.showInformationMessage(`${file.path}: the patch does not apply to the workspace copy; showing its hunks instead.`);
      left = sideUri('old', file.oldPath ?? file.path, msgid, 'hunks');
      right = sideUri('new', file.path, msgid, 'hunks');
    }
  } else {
    left = sideUri('old', file.oldPath ?? file.path, msgid, 'hunks');
    right = sideUri('new', file.path, msgid, 'hunks');
  }
  comments.show(version, patch, file, left, right, mode, rightText);
  void setWalkthroughContext(WALKTHROUGH_CONTEXT.patchDiffOpened);
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  if (typeof fn === 'string') revealFunction([right, left], fn);
}

/**
 * Puts the cursor on the definition of `fn` in the diff's new side, or its old
 * side when the patch removed it, in the middle of the view.
 */
function revealFunction(sides: vscode.Uri[], fn: string): void {
  for (const side of sides) {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === side.toString());
    const def = editor && functionDefs(editor.document.getText()).find((d) => d.name === fn);
    if (!editor || !def) continue;
    const at = new vscode.Position(def.line, 0);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
    return;
  }
}

function changeLabel(c: PatchChange): string {
  const p = 'new' in c ? c.new : c.old;
  return `${p.subject.title}`;
}

const CHANGE_ICONS: Record<PatchChange['kind'], string> = {
  added: '$(diff-added)',
  dropped: '$(diff-removed)',
  changed: '$(diff-modified)',
  unchanged: '$(check)',
};

export async function compareVersionsCommand(store: SeriesStore, given?: unknown): Promise<void> {
  await store.ensure();
  const asked = given && typeof given === 'object' ? (given as { family?: SeriesFamily; stub?: FamilySummary }) : undefined;
  let family: SeriesFamily | undefined = asked?.family ?? (asked?.stub ? store.family(asked.stub.id) : undefined);
  if (!family) {
    // Chosen from the families' lines: only the one chosen is read.
    const candidates = store.allFamilyStubs().filter((f) => f.versions.length > 1);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('Execmem Lens: no series in the loaded mail has more than one version.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map((f) => ({ label: f.title, description: f.versions.join(', '), id: f.id })),
      { title: 'Compare versions: which series?' },
    );
    family = pick ? store.family(pick.id) : undefined;
  }
  if (!family) return;
  const versions = family.versions.filter((v) => !v.superseded);
  if (versions.length < 2) {
    void vscode.window.showInformationMessage(`Execmem Lens: ${family.title} has one version that is not superseded; there is nothing to compare it with.`);
    return;
  }
  // Versions in the order they were sent: by number, then by date (a resend after its original).
  const ordered = [...versions].sort((x, y) => x.version - y.version || x.time - y.time);
  const pickVersion = async (title: string, from: SeriesVersion[]) =>
    (
      await vscode.window.showQuickPick(
        from.map((v) => ({ label: versionLabel(v), description: `${v.patches.length}/${v.total} · ${(v.date ?? '').slice(0, 10)}`, detail: v.title, v })),
        { title },
      )
    )?.v;
  const older = await pickVersion(`Compare ${family.title}: older version`, ordered.slice(0, -1));
  if (!older) return;
  // Only what came after it is offered as newer.
  const newer = await pickVersion(`Compare with ${versionLabel(older)}: newer version`, ordered.slice(ordered.indexOf(older) + 1));
  if (!newer) return;
  const [a, b] = [older, newer];
  // What a reviewer reads first: what changed, then what came and went, then what stayed.
  const rankOf: Record<PatchChange['kind'], number> = { changed: 0, added: 1, dropped: 2, unchanged: 3 };
  const changes = compareVersions(a, b).sort((x, y) => rankOf[x.kind] - rankOf[y.kind]);
  const counts = (k: PatchChange['kind']) => changes.filter((c) => c.kind === k).length;
  const pick = await vscode.window.showQuickPick(
    changes.map((c) => ({
      label: `${CHANGE_ICONS[c.kind]} ${changeLabel(c)}`,
      description: c.kind,
      detail:
        c.kind === 'added'
          ? `new in ${versionLabel(b)} as ${c.new.index}/${b.total}`
          : c.kind === 'dropped'
            ? `was ${c.old.index}/${a.total} in ${versionLabel(a)}`
            : `${c.old.index}/${a.total} → ${c.new.index}/${b.total}${c.kind === 'changed' ? ' · pick to see the interdiff' : ''}`,
      change: c,
    })),
    {
      title: `${family.title}: ${versionLabel(a)} → ${versionLabel(b)}: ${counts('added')} added, ${counts('dropped')} dropped, ${counts('changed')} changed, ${counts('unchanged')} unchanged`,
      matchOnDescription: true,
    },
  );
  const c = pick?.change;
  if (!c) return;
  if (c.kind === 'changed' || c.kind === 'unchanged') {
    const left = diffUri(c.old.message.msgid, `${versionLabel(a)}-${c.old.index}`);
    const right = diffUri(c.new.message.msgid, `${versionLabel(b)}-${c.new.index}`);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${c.new.subject.title} (${versionLabel(a)} ↔ ${versionLabel(b)})`);
  } else {
    await openMessage(store, (c.kind === 'added' ? c.new : c.old).message.msgid);
  }
}
