/**
 * Call sites of open C documents (parsed on demand, cached per document
 * version) and of the whole workspace (scanned with progress and
 * cancellation, for the Call Sites view and for stepping across files).
 */
import * as vscode from 'vscode';
import type { CallSite } from '../../core/callsites/detect';
import { basename } from 'node:path';
import { scanTree, sitesOfPatchText, sitesOfText } from '../../node/callsites/scan';
import { kernelRoots, SETTINGS } from '../config';

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

export interface WorkspaceSite {
  site: CallSite;
  uri: vscode.Uri;
  /** The tree's folder name when more than one tree is scanned (linux-source-6.1 beside 6.12). */
  tree?: string;
}

export class CallSiteIndex implements vscode.Disposable {
  private readonly docs = new Map<string, { version: number; sites: Promise<CallSite[]> }>();
  private scanned: WorkspaceSite[] | undefined;
  /** The last scan was cancelled: scanned holds what it found until then. */
  partial = false;
  private scanning: Promise<WorkspaceSite[]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subs = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SETTINGS.kernelSources) || !this.scanned) return;
        // Other trees to read: the next look at the view scans again.
        this.scanned = undefined;
        this.partial = false;
        this.changed.fire();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.docs.delete(d.uri.toString())),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (!/\.[ch]$/.test(d.uri.path) || !this.scanned) return;
        // Keep the workspace list in step with a saved file.
        void this.sitesOf(d).then((sites) => {
          const key = d.uri.toString();
          this.scanned = [...this.scanned!.filter((w) => w.uri.toString() !== key), ...sites.map((site) => ({ site, uri: d.uri }))].sort(order);
          this.changed.fire();
        });
      }),
      this.changed,
    ];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }

  /** Sites of a document, with paths relative to its workspace folder. */
  sitesOf(doc: vscode.TextDocument): Promise<CallSite[]> {
    const key = doc.uri.toString();
    const hit = this.docs.get(key);
    if (hit && hit.version === doc.version) return hit.sites;
    // A patch (the explorer's .patch documents, a .diff file) is read for its changed lines.
    const patch = doc.languageId === 'diff' || /\.(patch|diff)$/.test(doc.uri.path);
    const read = patch ? sitesOfPatchText(doc.getText()) : sitesOfText(vscode.workspace.asRelativePath(doc.uri, false), doc.getText());
    const sites = read.catch((e: unknown) => {
      this.log.warn(`call sites of ${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    });
    this.docs.set(key, { version: doc.version, sites });
    return sites;
  }

  get workspaceSites(): WorkspaceSite[] | undefined {
    return this.scanned;
  }

  /** Scans every workspace folder (once; again with force), showing progress in the Call Sites view. */
  scan(force = false): Promise<WorkspaceSite[]> {
    if (this.scanning) return this.scanning;
    if (this.scanned && !force) return Promise.resolve(this.scanned);
    const running = Promise.resolve(vscode.window
      .withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Execmem Lens: scanning for call sites', cancellable: true },
        async (progress, token) => {
          const out: WorkspaceSite[] = [];
          const started = Date.now();
          // The workspace and the trees of execmemLens.kernelSources: a 6.1 tree beside 6.12 is
          // where the module_alloc-era sites are.
          const roots = kernelRoots();
          for (const root of roots) {
            const folder = { uri: vscode.Uri.file(root.path) };
            if (root.configured && !(await isFolder(folder.uri))) continue; // said by the settings check
            let last = 0;
            const r = await scanTree(folder.uri.fsPath, {
              isCancelled: () => token.isCancellationRequested,
              onProgress: (done, total, file) => {
                const pct = Math.floor((done / total) * 100);
                if (pct > last) {
                  progress.report({ increment: pct - last, message: `${done}/${total} ${file}` });
                  last = pct;
                }
              },
            });
            const tree = roots.length > 1 ? basename(root.path) : undefined;
            out.push(...r.sites.map((site) => ({ site, uri: vscode.Uri.joinPath(folder.uri, site.path), ...(tree ? { tree } : {}) })));
            this.log.info(`call sites: ${r.sites.length} in ${r.files} files of ${folder.uri.fsPath} (${r.prefilter}${r.cancelled ? ', cancelled' : ''}) in ${Date.now() - started} ms`);
            if (r.cancelled) return { sites: out.sort(order), cancelled: true };
          }
          return { sites: out.sort(order), cancelled: false };
        },
      ),
    ).then(
      ({ sites, cancelled }) => {
        this.scanning = undefined;
        // A cancelled scan keeps what it found, marked partial (the view says so and offers to scan again).
        this.scanned = sites;
        this.partial = cancelled;
        this.changed.fire();
        return sites;
      },
      (e: unknown) => {
        this.scanning = undefined;
        const text = e instanceof Error ? e.message : String(e);
        this.log.error(`call sites: the scan failed: ${text}`);
        void vscode.window.showErrorMessage(`Execmem Lens: scanning for call sites failed: ${text}`);
        return [] as WorkspaceSite[];
      },
    );
    this.scanning = running;
    return running;
  }
}

function order(a: WorkspaceSite, b: WorkspaceSite): number {
  const pa = a.uri.toString();
  const pb = b.uri.toString();
  return pa < pb ? -1 : pa > pb ? 1 : a.site.line - b.site.line || a.site.column - b.site.column;
}
