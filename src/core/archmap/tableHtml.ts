/**
 * The full arch map as a table (arches × execmem types), as the static page
 * the extension shows in an editor webview. Every value is escaped:
 * expressions and paths come from C sources and are shown only as text; no
 * script runs in the page (CSP default-src 'none', styles by nonce). A
 * file:line location is a link only when the caller gives an address for it
 * (the extension: a command that opens the source).
 */
import { EXECMEM_TYPES, type ArchMap, type Side, type TypeEntry } from './types';

/** The address a location links to, or null for plain text. */
export type LocationLink = (side: 'before' | 'after' | 'either', location: string) => string | null;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loc(side: 'before' | 'after' | 'either', location: string, link?: LocationLink): string {
  const href = link?.(side, location);
  return href ? `<a class="loc" href="${esc(href)}">${esc(location)}</a>` : `<span class="loc">${esc(location)}</span>`;
}

function sideCell(s: Side | null, side: 'before' | 'after', link?: LocationLink): string {
  if (!s) return '<span class="none">—</span>';
  const fb = s.fallback_start || s.fallback_end ? `<div>fallback [${esc(s.fallback_start ?? 'unset')}, ${esc(s.fallback_end ?? 'unset')})</div>` : '';
  return `<div class="origin">${esc(s.origin)} ${loc(side, s.location, link)}</div>
<div>[${esc(s.start)}, ${esc(s.end)})</div>${fb}
<div>${esc(s.pgprot)} · align ${esc(s.alignment)}${s.kasan_shadow ? ' · KASAN shadow' : ''}</div>`;
}

function entryCell(e: TypeEntry | undefined, link?: LocationLink): string {
  if (!e) return '<td class="empty"></td>';
  const changed = e.changed.length ? `<div class="changed">changed: ${e.changed.map(esc).join(', ')}</div>` : '';
  const sim = e.simulation?.summary ? `<div class="sim">simulated: ${esc(e.simulation.summary)}</div>` : '';
  return `<td class="${e.verdict}"><div class="verdict">${e.verdict}</div>${changed}${sim}<div class="side"><b>before</b> ${sideCell(e.before, 'before', link)}</div><div class="side"><b>after</b> ${sideCell(e.after, 'after', link)}</div></td>`;
}

export function archMapHtml(map: ArchMap, summary: string, nonce: string, cspSource: string, link?: LocationLink): string {
  const types = EXECMEM_TYPES.filter((t) => Object.values(map.arches).some((a) => a.types[t]));
  const rows = Object.entries(map.arches)
    .map(([arch, a]) => `<tr><th scope="row">${esc(arch)}</th>${types.map((t) => entryCell(a.types[t], link)).join('')}</tr>`)
    .join('\n');
  const findings = map.findings
    .map((f) => `<li class="${f.severity}"><b>${f.severity}</b> ${esc(f.arch ?? '-')} ${esc(f.type ?? '')} ${loc('either', f.location, link)}: ${esc(f.message)}</li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}';">
<title>Arch Map</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 4px 6px; vertical-align: top; text-align: left; }
td { font-family: var(--vscode-editor-font-family); font-size: 0.92em; min-width: 16em; }
.same .verdict { color: var(--vscode-testing-iconPassed); }
.changed .verdict { color: var(--vscode-gitDecoration-modifiedResourceForeground); }
.unknown .verdict { color: var(--vscode-descriptionForeground); }
.loc, .none { color: var(--vscode-descriptionForeground); }
a.loc { color: var(--vscode-textLink-foreground); }
.side { margin-top: 3px; }
.sim { color: var(--vscode-descriptionForeground); font-style: italic; }
li.error b { color: var(--vscode-errorForeground); }
li.warning b { color: var(--vscode-editorWarning-foreground); }
</style></head>
<body>
<h1>Arch Map</h1>
<p class="loc">${esc(summary)}</p>
<table aria-label="Each architecture's allocation per execmem type, before and after the series">
<thead><tr><th scope="col">arch</th>${types.map((t) => `<th scope="col">${t}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Findings (${map.findings.length})</h2>
<ul>${findings}</ul>
</body></html>`;
}

