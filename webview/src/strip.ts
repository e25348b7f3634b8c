/**
 * One range drawn as a strip on a canvas: the allocations live at the
 * current step coloured by type, guard pages, 4 KiB / 2 MiB boundaries once
 * zoomed in far enough to see them. Zoom with the wheel or + / -, pan by
 * dragging or with the arrow keys, Home shows the whole range, F fits what
 * is used, N / P select the next / previous allocation and say what it is
 * (for keyboard and screen-reader users). 100,000 allocations are drawn by walking only the visible ones
 * (binary search on their sorted offsets) and merging everything that falls
 * in the same pixel column into one rectangle.
 */
import type { LayoutModel } from '../../src/core/layout/model';
import { EXECMEM_TYPES } from '../../src/core/sim/types';

export interface Palette {
  types: string[];
  guard: string;
  background: string;
  page: string;
  pmd: string;
  text: string;
}

export interface Viewport {
  start: number;
  span: number;
}

const HEIGHT = 34;

export class StripView {
  readonly canvas: HTMLCanvasElement;
  /** Allocation indexes of this strip, by offset. */
  private readonly order: Int32Array;
  private readonly offsets: Float64Array;
  private readonly maxLength: number;
  private readonly stripSize: number;
  private usedLo = Infinity;
  private usedHi = 0;
  view: Viewport;
  lastDrawMs = 0;
  private dragX: number | null = null;
  /** Position in `order` of the allocation chosen with N / P, or -1. */
  private selected = -1;
  /** Where the chosen allocation is described (an aria-live region next to the canvas). */
  onSelect: (text: string | null) => void = () => undefined;

  constructor(
    private readonly model: LayoutModel,
    readonly strip: number,
    private readonly palette: () => Palette,
    private readonly step: () => number,
    private readonly onHover: (text: string | null, x: number, y: number) => void,
    private readonly onViewChange: (v: Viewport) => void,
    saved: Viewport | undefined,
  ) {
    const a = model.allocs;
    const idx: number[] = [];
    for (let i = 0; i < a.id.length; i++) if (a.strip[i] === strip) idx.push(i);
    idx.sort((x, y) => a.offset[x]! - a.offset[y]!);
    this.order = Int32Array.from(idx);
    this.offsets = Float64Array.from(idx, (i) => a.offset[i]!);
    let maxLen = 0;
    for (const i of idx) {
      maxLen = Math.max(maxLen, a.length[i]! + a.guard[i]!);
      this.usedLo = Math.min(this.usedLo, a.offset[i]!);
      this.usedHi = Math.max(this.usedHi, a.offset[i]! + a.length[i]! + a.guard[i]!);
    }
    this.maxLength = maxLen;
    this.stripSize = model.strips[strip]!.size;
    this.view = saved && saved.span > 0 && saved.start >= 0 && saved.start + saved.span <= this.stripSize ? { ...saved } : this.fitUsed();
    const c = document.createElement('canvas');
    c.className = 'strip-canvas';
    c.tabIndex = 0;
    c.setAttribute('role', 'img');
    this.canvas = c;
    this.listen();
  }

  /** The used part of the range with a margin, or the whole range when nothing is in it. */
  fitUsed(): Viewport {
    if (this.usedHi <= this.usedLo) return { start: 0, span: this.stripSize };
    const used = this.usedHi - this.usedLo;
    const margin = Math.max(used * 0.1, this.model.pageSize * 4);
    const start = Math.max(0, this.usedLo - margin);
    return { start, span: Math.min(this.stripSize - start, used + 2 * margin) };
  }

  setView(v: Viewport): void {
    const minSpan = 256;
    const span = Math.min(this.stripSize, Math.max(minSpan, v.span));
    const start = Math.min(Math.max(0, v.start), this.stripSize - span);
    this.view = { start, span };
    this.onViewChange(this.view);
    this.draw();
  }

  private live(i: number, step: number): boolean {
    const a = this.model.allocs;
    return a.from[i]! <= step && (a.to[i]! === -1 || a.to[i]! > step);
  }

  /** First position in `order` whose allocation could reach into [from, …). */
  private firstVisible(from: number): number {
    let lo = 0;
    let hi = this.offsets.length;
    const key = from - this.maxLength;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  draw(): void {
    const t0 = performance.now();
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssWidth = Math.max(50, c.clientWidth || c.parentElement?.clientWidth || 600);
    const w = Math.round(cssWidth * dpr);
    const h = Math.round(HEIGHT * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const p = this.palette();
    ctx.fillStyle = p.background;
    ctx.fillRect(0, 0, w, h);
    const { start, span } = this.view;
    const scale = w / span;
    const a = this.model.allocs;
    const step = this.step();
    const end = start + span;
    // Page and huge-page boundaries, once zoomed in far enough to tell them apart.
    for (const [size, colour, minGap] of [
      [this.model.pageSize, p.page, 8 * dpr],
      [this.model.pmdSize, p.pmd, 32 * dpr],
    ] as const) {
      if (size * scale < minGap) continue;
      ctx.fillStyle = colour;
      for (let b = Math.ceil(start / size) * size; b < end; b += size) ctx.fillRect(Math.floor((b - start) * scale), 0, 1, h);
    }
    let curType = -1;
    let rx0 = 0;
    let rx1 = -1;
    const flush = (): void => {
      if (rx1 > rx0 && curType >= 0) {
        ctx.fillStyle = p.types[curType] ?? p.text;
        ctx.fillRect(rx0, 3 * dpr, rx1 - rx0, h - 6 * dpr);
      }
    };
    let live = 0;
    for (let k = this.firstVisible(start); k < this.order.length; k++) {
      const off = this.offsets[k]!;
      if (off >= end) break;
      const i = this.order[k]!;
      if (!this.live(i, step)) continue;
      const len = a.length[i]!;
      if (off + len + a.guard[i]! <= start) continue;
      live++;
      const x0 = Math.floor((off - start) * scale);
      let x1 = Math.ceil((off + len - start) * scale);
      if (x1 <= x0) x1 = x0 + 1;
      const t = a.type[i]!;
      if (t === curType && x0 <= rx1) rx1 = Math.max(rx1, x1);
      else {
        flush();
        curType = t;
        rx0 = x0;
        rx1 = x1;
      }
      const g = a.guard[i]! * scale;
      if (g >= 2) {
        flush();
        curType = -1;
        rx1 = -1;
        ctx.fillStyle = p.guard;
        ctx.fillRect(x1, 8 * dpr, Math.ceil(g), h - 16 * dpr);
      }
    }
    flush();
    const sel = this.order[this.selected];
    if (this.selected >= 0 && sel !== undefined && this.live(sel, step)) {
      const x0 = Math.floor((a.offset[sel]! - start) * scale);
      const x1 = Math.max(x0 + 3, Math.ceil((a.offset[sel]! + a.length[sel]! - start) * scale));
      ctx.strokeStyle = p.text;
      ctx.lineWidth = Math.max(1, dpr);
      ctx.strokeRect(x0 + 0.5, 1.5, x1 - x0 - 1, h - 3);
    }
    const s = this.model.strips[this.strip]!;
    c.setAttribute('aria-label', `${s.name}: ${live} allocations in view at step ${step + 1}; ${s.pgprot}. Arrow keys pan, plus and minus zoom, Home shows the whole range, F fits what is used.`);
    this.lastDrawMs = performance.now() - t0;
  }

  /** Text for allocation i. */
  private describe(i: number): string {
    const a = this.model.allocs;
    const base = BigInt(this.model.strips[this.strip]!.start);
    const lo = base + BigInt(a.offset[i]!);
    const hi = lo + BigInt(a.length[i]!);
    const site = this.model.steps[a.from[i]!]?.label ?? '';
    return `${a.id[i]} · ${EXECMEM_TYPES[a.type[i]!]}\n[0x${lo.toString(16)}, 0x${hi.toString(16)})\n${a.size[i]} bytes requested, ${a.length[i]} mapped${a.guard[i] ? ` + ${a.guard[i]} guard` : ''}\nstep ${a.from[i]! + 1}: ${site}`;
  }

  /** Chooses the next (+1) or previous (-1) allocation live at this step, brings it into view and says what it is. */
  selectNext(dir: 1 | -1): void {
    const step = this.step();
    for (let k = this.selected + dir; k >= 0 && k < this.order.length; k += dir) {
      const i = this.order[k]!;
      if (!this.live(i, step)) continue;
      this.selected = k;
      const off = this.model.allocs.offset[i]!;
      const len = this.model.allocs.length[i]!;
      if (off < this.view.start || off + len > this.view.start + this.view.span) this.setView({ start: off - this.view.span / 2, span: Math.max(this.view.span, len * 2) });
      else this.draw();
      this.onSelect(this.describe(i));
      return;
    }
    this.onSelect(dir > 0 ? 'No further allocation in this range at this step.' : 'No earlier allocation in this range at this step.');
  }

  /** Text for the allocation at a canvas x (CSS pixels), or null. */
  describeAt(cssX: number): string | null {
    const c = this.canvas;
    const scale = (c.clientWidth || 1) / this.view.span;
    const addr = this.view.start + cssX / scale;
    const a = this.model.allocs;
    const step = this.step();
    const slack = 1 / scale; // a one-pixel target for allocations narrower than a pixel
    for (let k = this.firstVisible(addr); k < this.order.length && this.offsets[k]! <= addr + slack; k++) {
      const i = this.order[k]!;
      if (!this.live(i, step)) continue;
      const off = a.offset[i]!;
      if (addr + slack < off || addr - slack > off + a.length[i]!) continue;
      return this.describe(i);
    }
    return null;
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = c.getBoundingClientRect();
        const frac = (e.clientX - rect.left) / Math.max(1, rect.width);
        const factor = e.deltaY > 0 ? 1.25 : 0.8;
        const at = this.view.start + frac * this.view.span;
        const span = this.view.span * factor;
        this.setView({ start: at - frac * span, span });
      },
      { passive: false },
    );
    c.addEventListener('pointerdown', (e) => {
      this.dragX = e.clientX;
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointerup', (e) => {
      this.dragX = null;
      c.releasePointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      const rect = c.getBoundingClientRect();
      if (this.dragX !== null) {
        const dx = e.clientX - this.dragX;
        this.dragX = e.clientX;
        this.setView({ start: this.view.start - (dx / Math.max(1, rect.width)) * this.view.span, span: this.view.span });
        return;
      }
      this.onHover(this.describeAt(e.clientX - rect.left), e.clientX, e.clientY);
    });
    c.addEventListener('pointerleave', () => this.onHover(null, 0, 0));
    c.addEventListener('keydown', (e) => {
      const v = this.view;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.setView({ start: v.start - v.span * 0.1, span: v.span }),
        ArrowRight: () => this.setView({ start: v.start + v.span * 0.1, span: v.span }),
        '+': () => this.setView({ start: v.start + v.span * 0.1, span: v.span * 0.8 }),
        '=': () => this.setView({ start: v.start + v.span * 0.1, span: v.span * 0.8 }),
        '-': () => this.setView({ start: v.start - v.span * 0.125, span: v.span * 1.25 }),
        Home: () => this.setView({ start: 0, span: this.stripSize }),
        f: () => this.setView(this.fitUsed()),
        n: () => this.selectNext(1),
        p: () => this.selectNext(-1),
      };
      const act = keys[e.key];
      if (act) {
        e.preventDefault();
        act();
      }
    });
  }
}
