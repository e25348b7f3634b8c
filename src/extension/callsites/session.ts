/**
 * The running simulation the Memory Layout panel shows: the call sites
 * stepped through so far (each one step), the step the reviewer is on, the
 * design and an optional second design to compare. Like a debugger session:
 * Simulate starts it at one site, Next Call Site steps forward (a new site
 * replaces whatever was recorded after the current step), Previous steps
 * back through what was recorded.
 */
import * as vscode from 'vscode';
import type { CallSite } from '../../core/callsites/detect';
import type { LayoutModel } from '../../core/layout/model';
import { simulateSteps, stepOfSite } from '../../core/layout/simulate';
import type { Variant } from '../../core/sim/archData';
import type { LensState } from '../state';
import { setWalkthroughContext, WALKTHROUGH_CONTEXT } from '../walkthrough';

export interface SessionStep {
  site: CallSite;
  uri: vscode.Uri;
}

export interface SessionView {
  variant: Variant;
  compare: Variant | null;
  step: number;
  primary: LayoutModel;
  secondary: LayoutModel | null;
}

export class SimulationSession implements vscode.Disposable {
  private steps: SessionStep[] = [];
  private current = -1;
  private chosenVariant: Variant | null = null;
  private compareVariant: Variant | null = null;
  private cache: { key: string; view: SessionView } | undefined;
  private readonly changed = new vscode.EventEmitter<'layout' | 'step'>();
  /** 'step' when only the current step moved (the panel redraws, nothing is re-simulated). */
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly state: LensState) {
    this.sub = state.onDidChangeArch(() => this.invalidate());
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  get length(): number {
    return this.steps.length;
  }

  get index(): number {
    return this.current;
  }

  stepAt(k: number): SessionStep | undefined {
    return this.steps[k];
  }

  /** The design: chosen in the panel, else the era of the sites (execmem if any is converted). */
  get variant(): Variant {
    return this.chosenVariant ?? (this.steps.some((s) => s.site.converted === true) ? 'execmem' : 'module_alloc');
  }

  get compare(): Variant | null {
    return this.compareVariant;
  }

  start(step: SessionStep): void {
    this.steps = [step];
    this.current = 0;
    this.invalidate();
  }

  /** Steps forward to a site: the next recorded step if it is that site, else a new step after the current one. */
  push(step: SessionStep): void {
    const next = this.steps[this.current + 1];
    if (next && next.uri.toString() === step.uri.toString() && next.site.line === step.site.line && next.site.column === step.site.column) {
      this.current++;
      this.changed.fire('step');
      return;
    }
    this.steps = [...this.steps.slice(0, this.current + 1), step];
    this.current = this.steps.length - 1;
    this.invalidate();
  }

  back(): SessionStep | undefined {
    if (this.current <= 0) return undefined;
    this.current--;
    this.changed.fire('step');
    return this.steps[this.current];
  }

  select(k: number): SessionStep | undefined {
    if (k < 0 || k >= this.steps.length || k === this.current) return undefined;
    this.current = k;
    this.changed.fire('step');
    return this.steps[k];
  }

  setVariant(v: Variant): void {
    this.chosenVariant = v;
    this.invalidate();
  }

  setCompare(v: Variant | null): void {
    this.compareVariant = v;
    this.invalidate();
  }

  clear(): void {
    this.steps = [];
    this.current = -1;
    this.invalidate();
  }

  private invalidate(): void {
    if (this.steps.length > 0) void setWalkthroughContext(WALKTHROUGH_CONTEXT.siteSimulated);
    this.cache = undefined;
    this.changed.fire('layout');
  }

  /** The layouts for the panel (simulated again only when steps, arch or designs changed). */
  view(): SessionView | null {
    if (this.steps.length === 0) return null;
    const arch = this.state.arch;
    const key = `${arch}/${this.variant}/${this.compare}`;
    // invalidate() drops the cache whenever the steps or the designs change; the key covers the arch.
    if (!this.cache || this.cache.key !== key) {
      const simSteps = this.steps.map((s) => stepOfSite(s.site, arch));
      const primary = simulateSteps(arch, this.variant, simSteps);
      const secondary = this.compare ? simulateSteps(arch, this.compare, simSteps) : null;
      this.cache = { key, view: { variant: this.variant, compare: this.compare, step: this.current, primary, secondary } };
    }
    return { ...this.cache.view, step: this.current };
  }
}
