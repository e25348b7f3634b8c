/**
 * Benchmark of the Memory Layout panel (issue "Call sites and the layout
 * panel", Speed), in headless Chromium (Debian's), the page served alone
 * with the CSP the extension gives it:
 *   - drawing 100,000 allocations at several zoom levels: milliseconds per
 *     frame (all strips redrawn), target ≤ 16 ms;
 *   - updating the panel after a step (timeline label, metrics pane, every
 *     strip redrawn), target ≤ 50 ms;
 *   - for information: checking and rendering the whole 'layout' message.
 * The layout is a real simulation: arm64, execmem design, 100,000 areas
 * (module text, kprobe pages, BPF programs) over 20 steps, some freed.
 * Frame times are measured in the page (performance.now around the draw
 * calls); medians of many frames. Needs `npm run build` first.
 *
 *   npm run bench:panel [-- --frames 30]
 */

// page.evaluate callbacks run in the page, where these browser globals exist (the Node build has no DOM types).
declare const window: any;
declare const document: any;
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { simulateSteps, type SimStep } from '../src/core/layout/simulate';
import { CHROMIUM, ROOT } from '../scripts/lib/codeServer';
import { servePanelPage } from '../scripts/lib/panelPage';

const FRAME_TARGET_MS = 16;
const STEP_TARGET_MS = 50;
const frames = Number(process.argv[process.argv.indexOf('--frames') + 1]) || 30;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function bigLayout() {
  const steps: SimStep[] = [];
  for (let s = 0; s < 20; s++) {
    const ops: SimStep['ops'] = [];
    for (let k = 0; k < 5000; k++) {
      const r = (s * 5000 + k) % 10;
      ops.push(r < 6 ? { op: 'alloc', type: 'EXECMEM_DEFAULT', size: 4096 * (1 + (k % 3)) } : r < 8 ? { op: 'alloc', type: 'EXECMEM_KPROBES', size: 4096 } : { op: 'alloc', type: 'EXECMEM_BPF', size: 4096 * (1 + (k % 2)) });
    }
    if (s % 4 === 3) for (let k = 0; k < 200; k++) ops.push({ op: 'free', type: null });
    steps.push({ label: `step ${s + 1}: 5,000 allocations`, site: null, ops });
  }
  return simulateSteps('arm64', 'execmem', steps);
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'webview', 'layout.js'))) throw new Error('dist/webview/layout.js is missing: run npm run build');
  const t0 = Date.now();
  const model = bigLayout();
  console.log(`layout: ${model.allocs.id.length.toLocaleString('en')} allocations in ${model.strips.length} strips over ${model.steps.length} steps (simulated in ${Date.now() - t0} ms)`);
  const server = await servePanelPage({ bench: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { __layoutBench?: unknown }).__layoutBench !== undefined);
    const msg = { type: 'layout', variant: 'execmem', compare: null, step: 19, primary: model, secondary: null };
    const renderMs = await page.evaluate((m) => {
      const b = (window as any).__layoutBench;
      b.handle({ type: 'init', protocol: 2, extensionVersion: 'bench', arches: ['arm64'], arch: 'arm64' });
      const t = performance.now();
      b.handle(m);
      return performance.now() - t;
    }, msg);
    const rows: [string, number, string][] = [];
    const frame = async (label: string, setup: string): Promise<void> => {
      const times = await page.evaluate(
        ([setupCode, n]) => {
          const b = (window as any).__layoutBench;
          if (setupCode === 'full') b.full();
          else if (setupCode.startsWith('zoom')) b.zoom(Number(setupCode.slice(5)));
          const out: number[] = [];
          for (let k = 0; k < (n as number); k++) out.push(b.redraw());
          return out;
        },
        [setup, frames] as const,
      );
      rows.push([label, median(times), `≤ ${FRAME_TARGET_MS} ms`]);
    };
    await frame('frame, whole ranges', 'full');
    // The frames drew what they should: the strips' own count of live allocations in view equals the simulation's.
    const inView = await page.evaluate(() =>
      [...document.querySelectorAll('canvas.strip-canvas')].reduce((n, c) => n + Number(/: (\d+) allocations in view/.exec(c.getAttribute('aria-label') ?? '')?.[1] ?? 0), 0),
    );
    const live = model.metrics[19]!.live;
    console.log(`allocations drawn at step 20, whole ranges: ${inView.toLocaleString('en')} (live in the simulation: ${live.toLocaleString('en')})`);
    if (inView !== live) throw new Error('the panel did not draw every live allocation');
    await frame('frame, used part (fit)', 'none');
    await frame('frame, zoomed in 10×', 'zoom 0.1');
    await frame('frame, zoomed in 1,000×', 'zoom 0.001');
    await frame('frame, zoomed out again', 'full');
    const stepTimes = await page.evaluate((n) => {
      const b = (window as any).__layoutBench;
      const out: number[] = [];
      for (let k = 0; k < n; k++) out.push(b.setStep(k % 20));
      return out;
    }, frames);
    rows.push(['panel update after a step', median(stepTimes), `≤ ${STEP_TARGET_MS} ms`]);
    const pass = (label: string, v: number): string => (v <= (label.startsWith('panel') ? STEP_TARGET_MS : FRAME_TARGET_MS) ? 'met' : 'MISSED');
    console.log(`\nheadless Chromium ${browser.version()}, 1400×900, medians of ${frames}\n`);
    console.log('| measurement | ms | target | |\n| --- | ---: | --- | --- |');
    for (const [label, v, target] of rows) console.log(`| ${label} | ${v.toFixed(2)} | ${target} | ${pass(label, v)} |`);
    console.log(`| check + render of the whole layout message (information) | ${renderMs.toFixed(1)} | — | |`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
