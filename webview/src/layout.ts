/**
 * The Memory Layout panel's page. It speaks to the extension only through the
 * typed messages of src/core/protocol/layout.ts, checks each one it receives,
 * and builds its DOM with textContent, never from HTML strings: labels and
 * call sites come from kernel sources and mail.
 *
 * Controls are @vscode-elements; the timeline is a native range input
 * because the element set has no slider.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { type ArchName, isArchName } from '../../src/core/arch/arches';
import type { LayoutModel, StepMetrics } from '../../src/core/layout/model';
import { type HostToPanel, LAYOUT_PROTOCOL_VERSION, parseHostToPanel, type PanelToHost } from '../../src/core/protocol/layout';
import { VARIANTS, type Variant } from '../../src/core/sim/archData';
import { EXECMEM_TYPES } from '../../src/core/sim/types';
import { type Palette, StripView } from './strip';
import { type PanelState, vscodeApi } from './vscodeApi';

interface SelectElement extends HTMLElement {
  value: string;
}
interface CheckboxElement extends HTMLElement {
  checked: boolean;
}

type LayoutMsg = Extract<HostToPanel, { type: 'layout' }>;

const TYPE_COLOURS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-purple', '--vscode-charts-green', '--vscode-terminal-ansiCyan'];
const FALLBACK_COLOURS = ['#3794ff', '#d18616', '#b180d7', '#89d185', '#11a8cd'];

function el(tag: string, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const post = (m: PanelToHost): void => vscodeApi.postMessage(m);
const state = (): PanelState => vscodeApi.getState() ?? {};
const save = (patch: Partial<PanelState>): void => vscodeApi.setState({ ...state(), ...patch });

let palette: Palette | null = null;
function readPalette(): Palette {
  if (palette) return palette;
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  palette = {
    types: TYPE_COLOURS.map((n, k) => v(n, FALLBACK_COLOURS[k]!)),
    guard: v('--vscode-charts-red', '#f14c4c'),
    background: v('--vscode-editorWidget-background', v('--vscode-editor-background', '#1e1e1e')),
    page: v('--vscode-editorIndentGuide-background1', v('--vscode-editorIndentGuide-background', '#404040')),
    pmd: v('--vscode-editorRuler-foreground', '#5a5a5a'),
    text: v('--vscode-foreground', '#cccccc'),
  };
  return palette;
}
// Theme changes (VS Code switches body classes) re-read the colours and redraw.
new MutationObserver(() => {
  palette = null;
  redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const app = document.getElementById('app');
if (!app) throw new Error('layout panel: #app is missing from the page');

let arches: ArchName[] = [];
let currentArch: ArchName | null = null;
let version = '';
let layout: LayoutMsg | null = null;
let step = 0;
let strips: StripView[] = [];
let clearReason = 'Use Simulate or Step from here on a call site (code lens above module_alloc(), execmem_alloc() and friends).';

const tooltip = el('div', { className: 'tooltip', hidden: true });
tooltip.setAttribute('role', 'tooltip');
document.body.append(tooltip);

function showTooltip(text: string | null, x: number, y: number): void {
  if (!text) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = text;
  tooltip.hidden = false;
  const w = tooltip.offsetWidth;
  tooltip.style.left = `${Math.max(4, Math.min(x + 12, window.innerWidth - w - 4))}px`;
  tooltip.style.top = `${y + 16}px`;
}

function select(id: string, label: string, values: readonly string[], current: string, onChange: (v: string) => void): HTMLElement[] {
  const s = el('vscode-single-select', { id }) as SelectElement;
  s.setAttribute('aria-label', label);
  for (const v of values) {
    const o = el('vscode-option', {}, v);
    o.setAttribute('value', v);
    if (v === current) o.setAttribute('selected', '');
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  const l = el('vscode-label', {}, label);
  l.setAttribute('for', id);
  return [l, s];
}

function button(label: string, title: string, onClick: () => void, id?: string): HTMLElement {
  const b = el('vscode-button', { title }, label);
  if (id) b.id = id;
  b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

function toolbar(): HTMLElement {
  const items: HTMLElement[] = [];
  items.push(
    ...select('arch-select', 'Architecture', arches, currentArch ?? arches[0] ?? 'x86', (v) => {
      if (isArchName(v)) post({ type: 'selectArch', arch: v });
    }),
  );
  if (layout) {
    items.push(
      ...select('variant-select', 'Design', VARIANTS, layout.variant, (v) => {
        if ((VARIANTS as readonly string[]).includes(v)) post({ type: 'selectVariant', variant: v as Variant });
      }),
    );
    const cmp = el('vscode-checkbox', { id: 'compare-toggle' }, 'Compare with') as CheckboxElement;
    cmp.checked = layout.compare !== null;
    const other = layout.compare ?? (layout.variant === 'execmem-rox' ? 'module_alloc' : 'execmem-rox');
    const [, cmpSelect] = select('compare-select', 'Second design', VARIANTS, other, (v) => {
      if (cmp.checked && (VARIANTS as readonly string[]).includes(v)) post({ type: 'setCompare', variant: v as Variant });
    });
    cmp.addEventListener('change', () => post({ type: 'setCompare', variant: cmp.checked ? ((cmpSelect as SelectElement).value as Variant) : null }));
    items.push(cmp, cmpSelect!);
    items.push(button('Export PNG', 'Save the drawn layout as a PNG image', exportPng, 'export-png'), button('Export JSON', 'Save the simulation (every allocation, every step) as JSON', () => post({ type: 'exportJson' }), 'export-json'));
  }
  const bar = el('header', { className: 'toolbar' }, ...items);
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Layout options');
  return bar;
}

function timeline(model: LayoutModel): HTMLElement {
  const n = model.steps.length;
  const range = el('input', { type: 'range', min: '0', max: String(Math.max(0, n - 1)), step: '1', value: String(step), id: 'step-slider' }) as HTMLInputElement;
  range.setAttribute('aria-label', 'Simulation step');
  range.setAttribute('aria-valuetext', `Step ${step + 1} of ${n}`);
  range.addEventListener('input', () => setStep(Number(range.value), true));
  const label = el('span', { className: 'step-label', id: 'step-label' });
  label.textContent = `Step ${step + 1}/${n}: ${model.steps[step]?.label ?? ''}`;
  label.setAttribute('aria-live', 'polite');
  return el(
    'section',
    { className: 'timeline' },
    button('◀', 'Previous step', () => setStep(step - 1, true), 'step-prev'),
    range,
    button('▶', 'Next step', () => setStep(step + 1, true), 'step-next'),
    label,
    button('Go to call site', 'Open the call site of this step in the editor', () => post({ type: 'openSite', step }), 'open-site'),
  );
}

const fmtBytes = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);

const METRIC_ROWS: [keyof StepMetrics, string, (v: number) => string][] = [
  ['live', 'Live areas', String],
  ['vaUsed', 'VA used (guards incl.)', fmtBytes],
  ['pages', 'Pages', String],
  ['hugePages', 'Huge pages touched', String],
  ['itlb4k', 'iTLB entries, 4 KiB pages', String],
  ['itlb2m', 'iTLB entries, 2 MiB pages', String],
  ['fragmentation', 'Largest free / free', (v) => v.toFixed(3)],
  ['failures', 'Failures', String],
  ['fallbacks', 'Fallbacks taken', String],
];

function sparkline(values: number[], current: number, label: string): HTMLCanvasElement {
  const c = el('canvas', { className: 'spark', width: 120, height: 22 }) as HTMLCanvasElement;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', `${label} over ${values.length} steps`);
  const ctx = c.getContext('2d');
  if (!ctx || values.length === 0) return c;
  const p = readPalette();
  const max = Math.max(...values, 1e-9);
  ctx.strokeStyle = p.types[0]!;
  ctx.beginPath();
  values.forEach((v, k) => {
    const x = values.length === 1 ? 60 : (k / (values.length - 1)) * 118 + 1;
    const y = 21 - (v / max) * 19;
    if (k === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  const cx = values.length === 1 ? 60 : (current / (values.length - 1)) * 118 + 1;
  ctx.fillStyle = p.guard;
  ctx.fillRect(cx - 1, 0, 2, 22);
  return c;
}

function metricsPane(models: LayoutModel[]): HTMLElement {
  const table = el('table', { className: 'metrics' });
  table.setAttribute('aria-label', 'Metrics at this step');
  const head = el('tr', {}, el('th', {}, 'Metric'), ...models.map((m) => el('th', {}, `${m.variant}`)), el('th', {}, 'Over the steps'));
  table.append(head);
  for (const [key, name, fmt] of METRIC_ROWS) {
    const row = el('tr', {}, el('th', { scope: 'row' }, name));
    for (const m of models) row.append(el('td', {}, fmt(m.metrics[step]?.[key] ?? 0)));
    const sparks = el('td', {});
    if (key === 'vaUsed' || key === 'fragmentation' || key === 'itlb4k') for (const m of models) sparks.append(sparkline(m.metrics.map((x) => x[key]), step, `${name} (${m.variant})`));
    row.append(sparks);
    table.append(row);
  }
  return el('section', { className: 'metrics-pane' }, el('h3', {}, 'Metrics'), table);
}

function legend(): HTMLElement {
  const p = readPalette();
  const items = EXECMEM_TYPES.map((t, k) => {
    const sw = el('span', { className: 'swatch' });
    sw.style.background = p.types[k]!;
    return el('span', { className: 'legend-item' }, sw, t.replace('EXECMEM_', ''));
  });
  const g = el('span', { className: 'swatch' });
  g.style.background = p.guard;
  items.push(el('span', { className: 'legend-item' }, g, 'guard page'));
  return el('div', { className: 'legend' }, ...items);
}

function column(model: LayoutModel, which: number): HTMLElement {
  const col = el('section', { className: 'layout-column' });
  col.setAttribute('aria-label', `${model.arch} · ${model.variant}`);
  col.append(el('h3', {}, `${model.arch} · ${model.variant}`));
  const views = state().views ?? {};
  model.strips.forEach((s, k) => {
    const key = `${which}:${model.variant}:${s.name}`;
    const v = new StripView(
      model,
      k,
      readPalette,
      () => step,
      showTooltip,
      (vp) => save({ views: { ...(state().views ?? {}), [key]: vp } }),
      views[key],
    );
    strips.push(v);
    const head = el('div', { className: 'strip-head' }, el('span', { className: 'strip-name' }, s.name), el('span', { className: 'strip-range' }, `[${s.start}, ${s.end}) · ${fmtBytes(s.size)} · ${s.pgprot}`));
    const detail = el('div', { className: 'strip-detail', hidden: true });
    detail.setAttribute('aria-live', 'polite');
    v.onSelect = (text) => {
      detail.textContent = text ?? '';
      detail.hidden = !text;
    };
    col.append(el('div', { className: 'strip' }, head, v.canvas, detail));
  });
  if (model.notes.length) col.append(el('ul', { className: 'notes' }, ...model.notes.slice(0, 20).map((n) => el('li', {}, n))));
  return col;
}

function render(): void {
  strips = [];
  tooltip.hidden = true;
  const parts: HTMLElement[] = [toolbar()];
  if (!layout) {
    const archName = el('strong', { className: 'arch-name' }, currentArch ?? '');
    parts.push(el('section', { className: 'empty-state' }, el('h2', {}, 'No simulation yet'), el('p', {}, 'Architecture: ', archName), el('p', {}, clearReason)));
  } else {
    const models = [layout.primary, ...(layout.secondary ? [layout.secondary] : [])];
    parts.push(timeline(layout.primary), legend());
    parts.push(el('div', { className: `columns${models.length > 1 ? ' compare' : ''}` }, ...models.map((m, k) => column(m, k))));
    parts.push(metricsPane(models));
  }
  parts.push(el('footer', { className: 'about' }, `Execmem Lens ${version} · panel protocol ${LAYOUT_PROTOCOL_VERSION}`));
  app!.replaceChildren(...parts);
  redraw();
}

function redraw(): number {
  const t0 = performance.now();
  for (const s of strips) s.draw();
  return performance.now() - t0;
}

function setStep(k: number, fromUser: boolean): void {
  if (!layout) return;
  const n = layout.primary.steps.length;
  const next = Math.max(0, Math.min(n - 1, k));
  if (next === step && fromUser) return;
  step = next;
  if (fromUser) post({ type: 'selectStep', step });
  const range = document.getElementById('step-slider') as HTMLInputElement | null;
  if (range) {
    range.value = String(step);
    range.setAttribute('aria-valuetext', `Step ${step + 1} of ${n}`);
  }
  const label = document.getElementById('step-label');
  if (label) label.textContent = `Step ${step + 1}/${n}: ${layout.primary.steps[step]?.label ?? ''}`;
  const old = document.querySelector('.metrics-pane');
  if (old) old.replaceWith(metricsPane([layout.primary, ...(layout.secondary ? [layout.secondary] : [])]));
  redraw();
}

function exportPng(): void {
  const canvases = strips.map((s) => s.canvas);
  if (canvases.length === 0) return;
  const dpr = window.devicePixelRatio || 1;
  const rowH = canvases[0]!.height + Math.round(18 * dpr);
  const out = document.createElement('canvas');
  out.width = Math.max(...canvases.map((c) => c.width));
  out.height = rowH * canvases.length;
  const ctx = out.getContext('2d');
  if (!ctx) return;
  const p = readPalette();
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = p.text;
  ctx.font = `${Math.round(12 * dpr)}px sans-serif`;
  canvases.forEach((c, k) => {
    const s = strips[k]!;
    ctx.fillText(`${s.strip + 1}. ${c.getAttribute('aria-label')?.split(':')[0] ?? ''}`, 4, k * rowH + 13 * dpr);
    ctx.drawImage(c, 0, k * rowH + Math.round(16 * dpr));
  });
  post({ type: 'exportPng', data: out.toDataURL('image/png') });
}

function showError(text: string): void {
  const box = el('p', { className: 'error' }, text);
  box.setAttribute('role', 'alert');
  app!.append(box);
}

function handle(msg: HostToPanel): void {
  switch (msg.type) {
    case 'init':
      arches = msg.arches;
      currentArch = state().arch && msg.arches.includes(state().arch!) ? msg.arch : msg.arch;
      version = msg.extensionVersion;
      save({ arch: msg.arch });
      render();
      return;
    case 'archChanged': {
      currentArch = msg.arch;
      save({ arch: msg.arch });
      const s = document.getElementById('arch-select') as SelectElement | null;
      if (s && s.value !== msg.arch) s.value = msg.arch;
      for (const n of document.querySelectorAll('.arch-name')) n.textContent = msg.arch;
      return;
    }
    case 'layout':
      layout = msg;
      step = msg.step;
      currentArch = msg.primary.arch;
      render();
      return;
    case 'step':
      setStep(msg.step, false);
      return;
    case 'clear':
      layout = null;
      clearReason = msg.reason;
      render();
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = parseHostToPanel(event.data);
  if (!parsed.ok) {
    showError(`Ignored a message from the extension: ${parsed.error}`);
    return;
  }
  handle(parsed.value);
});
window.addEventListener('resize', () => redraw());

// Benchmarks (bench/panel.ts) load this page outside VS Code and time drawing through this hook.
if (document.body.dataset.bench === 'on') {
  (window as unknown as { __layoutBench: unknown }).__layoutBench = {
    handle: (m: unknown) => {
      const p = parseHostToPanel(m);
      if (!p.ok) throw new Error(p.error);
      handle(p.value);
    },
    redraw,
    setStep: (k: number) => {
      const t0 = performance.now();
      setStep(k, false);
      return performance.now() - t0;
    },
    zoom: (factor: number) => {
      for (const s of strips) s.view = { start: s.view.start, span: Math.max(256, s.view.span * factor) };
      return redraw();
    },
    full: () => {
      for (const s of strips) s.view = { start: 0, span: layout!.primary.strips[s.strip]!.size };
      return redraw();
    },
  };
}

post({ type: 'ready', protocol: LAYOUT_PROTOCOL_VERSION });
