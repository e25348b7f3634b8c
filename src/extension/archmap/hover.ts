/**
 * Hover on an execmem_info initializer entry ([EXECMEM_KPROBES] = ...) or on
 * a module_alloc-era override (alloc_insn_page...) in an arch's C file shows
 * the other side of the conversion from the arch map. Values from C are put
 * in code blocks, never rendered as Markdown.
 */
import * as vscode from 'vscode';
import { isArchName } from '../../core/arch/arches';
import { archOfPath } from '../../core/archmap/build';
import type { Side, TypeEntry } from '../../core/archmap/types';
import { isOverrideName, OVERRIDE_TYPE } from '../../core/archmap/words';
import { canonicalType, EXECMEM_ALIASES } from '../../core/sim/types';
import { locationCommandUri } from '../../core/archmap/links';
import type { ArchMapStore } from './store';

/** Text for a Markdown link's label: every character Markdown could read as syntax is escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

function sideText(s: Side): string {
  return [
    `origin          ${s.origin}`,
    `location        ${s.location}`,
    `start           ${s.start}`,
    `end             ${s.end}`,
    `fallback        ${s.fallback_start ?? 'unset'} .. ${s.fallback_end ?? 'unset'}`,
    `pgprot          ${s.pgprot}`,
    `alignment       ${s.alignment}`,
    `kasan_shadow    ${s.kasan_shadow}`,
    `vm_flags        ${s.vm_flags.join(' | ') || 'none'}`,
    ...(s.conditions.length ? [`conditions      ${s.conditions.join(' && ')}`] : []),
  ].join('\n');
}

export class ArchMapHover implements vscode.HoverProvider {
  constructor(private readonly store: ArchMapStore) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const range = doc.getWordRangeAtPosition(pos, /[A-Za-z_]\w*/);
    if (!range) return undefined;
    const word = doc.getText(range);
    const override = isOverrideName(word);
    const type = canonicalType(word, EXECMEM_ALIASES) ?? (override ? OVERRIDE_TYPE[word] : undefined);
    if (!type) return undefined;
    const rel = vscode.workspace.asRelativePath(doc.uri, false);
    const arch = archOfPath(rel);
    // Only the arches the map knows: a folder name is not trusted text.
    if (!arch || !isArchName(arch)) return undefined;
    const { map } = await this.store.get();
    if (token.isCancellationRequested) return undefined;
    const entry: TypeEntry | undefined = map.arches[arch]?.types[type];
    if (!entry) return undefined;
    // This file's own side is the one whose location is in it; show the other.
    const inFile = (s: Side | null): boolean => !!s && s.location.startsWith(`${rel}:`);
    const mine = inFile(entry.after) ? 'after' : inFile(entry.before) ? 'before' : override ? 'before' : 'after';
    const other = mine === 'after' ? entry.before : entry.after;
    const md = new vscode.MarkdownString();
    md.isTrusted = { enabledCommands: ['execmemLens.openArchMapLocation'] };
    md.appendMarkdown('**Execmem Lens** · ');
    md.appendText(`${arch} · ${type} · ${entry.verdict}`);
    if (entry.changed.length) md.appendText(` (changed: ${entry.changed.join(', ')})`);
    md.appendMarkdown(`\n\n${mine === 'after' ? 'Before the series' : 'After the series'}:`);
    if (other) {
      // The location opens the source: the link's text is escaped, its arguments JSON in the URI.
      md.appendMarkdown(' ');
      md.appendMarkdown(`[${escapeMarkdown(other.location)}](${locationCommandUri(mine === 'after' ? 'before' : 'after', other.location)})`);
      md.appendCodeblock(sideText(other), 'text');
    }
    else md.appendText(' no counterpart in the trees read (add the other kernel tree to execmemLens.kernelSources).');
    if (entry.simulation?.summary) {
      md.appendMarkdown('\n\nSimulated on the profile:');
      md.appendCodeblock(`${entry.simulation.workload}\n${entry.simulation.summary}`, 'text');
    }
    return new vscode.Hover(md, range);
  }
}
