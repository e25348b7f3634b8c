/**
 * Code lens above each executable-memory call site: its type and where it
 * lands on the selected arch ("EXECMEM_KPROBES · arm64 → vmalloc, ROX"),
 * with Simulate and Step from here; and a hover giving the site's
 * before/after from the arch map.
 */
import * as vscode from 'vscode';
import { isArchName } from '../../core/arch/arches';
import { archOfPath } from '../../core/archmap/build';
import { siteSummary } from '../../core/layout/describe';
import type { ArchMapStore } from '../archmap/store';
import type { LensState } from '../state';
import type { SimulationSession } from './session';
import type { CallSiteIndex } from './sites';

export class CallSiteLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly index: CallSiteIndex,
    private readonly state: LensState,
    private readonly session: SimulationSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs = [
      state.onDidChangeArch(() => this.changed.fire()),
      session.onDidChange((what) => what === 'layout' && this.changed.fire()),
      this.changed,
    ];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const sites = await this.index.sitesOf(doc);
    const variant = this.session.length > 0 ? this.session.variant : 'auto';
    const lenses: vscode.CodeLens[] = [];
    for (const site of sites) {
      // A file under arch/<name>/ runs on that arch (a patch's sites carry their file's path); anything else on the selected arch.
      const own = archOfPath(site.path);
      const arch = own && isArchName(own) ? own : this.state.arch;
      const at = new vscode.Range(site.line - 1, site.column, site.line - 1, site.column + site.callee.length);
      const args = [doc.uri.toString(), site.line, site.column];
      const converted = site.converted === true ? 'execmem' : site.converted === false ? 'module_alloc era' : 'wrapper';
      const summary = siteSummary(site, arch, variant);
      if (summary.error) this.warnOnce(summary.error);
      lenses.push(
        new vscode.CodeLens(at, {
          title: `${summary.text}${site.kind === 'override' ? ' (override)' : ''}`,
          tooltip: `${site.callee}: ${site.kind}, ${converted}; type from the ${site.typeFrom ?? '—'}; size ${site.size ?? '—'}${summary.error ? `\n${summary.error}` : ''}`,
          command: 'execmemLens.showLayout',
        }),
        new vscode.CodeLens(at, { title: 'Simulate', tooltip: 'Run this site alone through the simulator and show it in the Memory Layout panel', command: 'execmemLens.simulateCallSite', arguments: args }),
        new vscode.CodeLens(at, { title: 'Step from here', tooltip: 'Start a step-through at this site (Next Call Site continues)', command: 'execmemLens.stepFromHere', arguments: args }),
      );
    }
    return lenses;
  }

  private readonly warned = new Set<string>();

  /** Lenses are asked for on every edit: each failure is logged once. */
  private warnOnce(error: string): void {
    if (this.warned.has(error)) return;
    this.warned.add(error);
    this.log.warn(`call-site lens: simulation failed: ${error}`);
  }
}

export class CallSiteHover implements vscode.HoverProvider {
  constructor(
    private readonly index: CallSiteIndex,
    private readonly state: LensState,
    private readonly archMap: ArchMapStore,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const sites = await this.index.sitesOf(doc);
    const site = sites.find((s) => s.line - 1 === pos.line && pos.character >= s.column && pos.character <= s.column + s.callee.length && s.kind !== 'override');
    if (!site) return undefined;
    const own = archOfPath(site.path);
    const arch = own && isArchName(own) ? own : this.state.arch;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Execmem Lens** · call site`);
    md.appendCodeblock(`${site.text}\ntype   ${site.type ?? '—'} (from the ${site.typeFrom ?? '—'})\nsize   ${site.size ?? '—'}\nin     ${site.caller ?? '—'}()`, 'text');
    if (site.type) {
      try {
        const { map } = await this.archMap.get();
        const e = map.arches[arch]?.types[site.type] ?? map.arches[arch]?.types.EXECMEM_DEFAULT;
        if (e) {
          const side = (s: typeof e.before): string => (s ? `${s.origin} [${s.start}, ${s.end}) ${s.pgprot} · ${s.location}` : '—');
          md.appendText(`On ${arch}, from the arch map (${e.verdict}):`);
          md.appendCodeblock(`before  ${side(e.before)}\nafter   ${side(e.after)}`, 'text');
        }
      } catch (e) {
        // No kernel tree read gives an empty map, not an error: a failure here is one to show (the store logged it).
        md.appendText(`The arch map could not be built: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return new vscode.Hover(md);
  }
}
