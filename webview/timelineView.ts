/**
 * One run's timeline on a canvas: a lane per worker, task bars coloured by status, worker start-up
 * and lock-wait segments, straggler marks, a time axis; wheel zooms, drag pans, double-click or
 * "Reset zoom" resets; hovering shows the task's details. Bars narrower than a pixel are merged
 * per pixel column (the most severe status wins), so 100k tasks draw as fast as 100.
 */
import type { SourceLocation, TaskStatus } from '../src/core/model';
import { h } from './dom';
import { formatMs } from './format';
import type { Palette } from './theme';
import { type LaneRow, type TimelineLayout, axisLabelX, taskAt } from './timelineLayout';
import { describeHit, type Hit } from './timelineTooltip';

const LABEL_WIDTH = 110;
const AXIS_HEIGHT = 22;
const LANE_HEIGHT = 26;
const BAR_TOP = 5;
const BAR_HEIGHT = 13;
const WAIT_TOP = BAR_TOP + BAR_HEIGHT + 2;
const WAIT_HEIGHT = 4;
const STARTUP_HEIGHT = 5;
/** Bars at least this wide (CSS px) are drawn one by one with a gap; narrower ones are merged. */
const MIN_BAR = 3;

/** Higher wins when several tasks share a pixel column. */
const SEVERITY: Record<TaskStatus, number> = { ok: 1, cancelled: 2, timeout: 3, error: 4, crashed: 5, deadlocked: 6 };
const BY_SEVERITY: TaskStatus[] = ['ok', 'ok', 'cancelled', 'timeout', 'error', 'crashed', 'deadlocked'];

/** A zoomable, hoverable timeline of one run. Append `element`, then call `dispose()` when done. */
export class TimelineView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly wrap: HTMLElement;
  private readonly resize: ResizeObserver;
  private fromMs: number;
  private toMs: number;
  private width = 0;
  private drag: { x: number; from: number; to: number; moved: boolean } | undefined;

  constructor(
    private readonly layout: TimelineLayout,
    private palette: Palette,
    private readonly onOpen: (location: SourceLocation) => void,
  ) {
    this.fromMs = layout.fromMs;
    this.toMs = layout.toMs;
    const { run } = layout;
    this.canvas = h('canvas', {
      className: 'timeline-canvas',
      attrs: {
        'data-strategy': run.strategy,
        role: 'img',
        'aria-label': `${run.strategy} timeline: ${layout.rows.length} workers, ${run.tasks.length} tasks`,
      },
    });
    this.tooltip = h('div', { className: 'tooltip', attrs: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.wrap = h('div', { className: 'timeline-wrap' }, [this.canvas, this.tooltip]);
    const reset = h('button', { className: 'secondary small', text: 'Reset zoom', title: 'Show the whole run' });
    reset.addEventListener('click', () => this.resetZoom());
    const title = h('div', { className: 'timeline-title' }, [
      h('h3', { text: `${run.strategy}${run.repeat ? ` (repeat ${run.repeat + 1})` : ''}` }),
      h('span', { className: 'muted', text: `${run.workers} worker${run.workers === 1 ? '' : 's'} · ${run.tasks.length.toLocaleString('en-US')} tasks · wall ${formatMs(run.wallMs)}` }),
      run.aborted ? h('span', { className: 'aborted', text: `stopped: ${run.aborted}` }) : null,
      reset,
    ]);
    this.element = h('div', { className: 'timeline', attrs: { 'data-strategy': run.strategy } }, [title, this.wrap]);

    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('pointerleave', () => (this.tooltip.hidden = true));
    this.canvas.addEventListener('dblclick', () => this.resetZoom());
    // Redraw when the width changes (not for the first observation, which `draw()` already covers).
    this.resize = new ResizeObserver(() => {
      if (Math.max(this.wrap.clientWidth, LABEL_WIDTH + 100) !== this.width) this.draw();
    });
    this.resize.observe(this.wrap);
  }

  /** New theme colours: redraw. */
  setPalette(palette: Palette): void {
    this.palette = palette;
    this.draw();
  }

  /** Back to the whole run. */
  resetZoom(): void {
    this.fromMs = this.layout.fromMs;
    this.toMs = this.layout.toMs;
    this.draw();
  }

  dispose(): void {
    this.resize.disconnect();
  }

  /** Draws the whole canvas for the current view window and size. */
  draw(): void {
    const started = performance.now();
    const width = Math.max(this.wrap.clientWidth, LABEL_WIDTH + 100);
    const rows = this.layout.rows;
    const height = AXIS_HEIGHT + Math.max(rows.length, 1) * LANE_HEIGHT + 4;
    const dpr = window.devicePixelRatio || 1;
    this.width = width;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const p = this.palette;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.background;
    ctx.fillRect(0, 0, width, height);
    ctx.font = p.font;
    ctx.textBaseline = 'middle';

    const plotWidth = width - LABEL_WIDTH - 8;
    const scale = plotWidth / (this.toMs - this.fromMs);
    const xOf = (ms: number): number => LABEL_WIDTH + (ms - this.fromMs) * scale;
    this.drawAxis(ctx, plotWidth, height, scale);

    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_WIDTH, 0, plotWidth, height);
    ctx.clip();
    const centers: number[] = [];
    rows.forEach((row, i) => {
      const top = AXIS_HEIGHT + i * LANE_HEIGHT;
      centers.push(top + BAR_TOP + BAR_HEIGHT / 2);
      this.drawLane(ctx, row, top, plotWidth, xOf);
    });
    ctx.restore();

    ctx.fillStyle = p.foreground;
    ctx.textAlign = 'left';
    rows.forEach((row, i) => {
      const top = AXIS_HEIGHT + i * LANE_HEIGHT;
      const label = laneLabel(this.layout.run.strategy, row);
      ctx.fillText(label, 4, top + BAR_TOP + BAR_HEIGHT / 2, LABEL_WIDTH - 8);
    });
    if (rows.length === 0) {
      ctx.fillStyle = p.muted;
      ctx.fillText('No tasks ran.', LABEL_WIDTH, AXIS_HEIGHT + LANE_HEIGHT / 2);
    }
    // For tests and debugging: where the lanes are, and how long drawing took.
    this.canvas.dataset.laneCenters = centers.join(',');
    this.canvas.dataset.plotLeft = String(LABEL_WIDTH);
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
  }

  private drawAxis(ctx: CanvasRenderingContext2D, plotWidth: number, height: number, scale: number): void {
    const p = this.palette;
    const span = this.toMs - this.fromMs;
    const step = niceStep(span / Math.max(2, Math.floor(plotWidth / 90)));
    const origin = this.layout.run.startMs;
    ctx.strokeStyle = p.grid;
    ctx.fillStyle = p.muted;
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    const first = Math.ceil((this.fromMs - origin) / step) * step + origin;
    ctx.beginPath();
    for (let t = first; t <= this.toMs; t += step) {
      const x = Math.round(LABEL_WIDTH + (t - this.fromMs) * scale) + 0.5;
      ctx.moveTo(x, AXIS_HEIGHT - 4);
      ctx.lineTo(x, height);
      const label = formatMs(t - origin);
      ctx.fillText(label, axisLabelX(x, ctx.measureText(label).width, LABEL_WIDTH + plotWidth), AXIS_HEIGHT / 2 - 1);
    }
    ctx.globalAlpha = 0.35;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  private drawLane(
    ctx: CanvasRenderingContext2D,
    row: LaneRow,
    top: number,
    plotWidth: number,
    xOf: (ms: number) => number,
  ): void {
    const p = this.palette;
    const lane = row.lane;
    if (lane && lane.readyMs != null && lane.readyMs > lane.spawnMs) {
      const x0 = xOf(lane.spawnMs);
      const x1 = xOf(lane.readyMs);
      ctx.fillStyle = p.startup;
      ctx.fillRect(x0, top + BAR_TOP + (BAR_HEIGHT - STARTUP_HEIGHT) / 2, Math.max(1, x1 - x0), STARTUP_HEIGHT);
    }
    ctx.fillStyle = p.lockWait;
    for (const w of row.waits) {
      const x0 = xOf(w.fromMs);
      const x1 = xOf(w.toMs);
      if (x1 < LABEL_WIDTH || x0 > LABEL_WIDTH + plotWidth) continue;
      ctx.fillRect(x0, top + WAIT_TOP, Math.max(1, x1 - x0), WAIT_HEIGHT);
    }

    // Tasks: wide ones as separate rectangles, narrow ones merged into pixel columns.
    const paths = new Map<TaskStatus, Path2D>();
    const path = (s: TaskStatus): Path2D => {
      let pa = paths.get(s);
      if (!pa) paths.set(s, (pa = new Path2D()));
      return pa;
    };
    const columns = new Uint8Array(Math.ceil(plotWidth) + 1);
    const stragglerXs: number[] = [];
    const left = LABEL_WIDTH;
    const right = LABEL_WIDTH + plotWidth;
    for (const t of row.tasks) {
      const x0 = xOf(t.startMs);
      const x1 = xOf(t.endMs);
      if (x1 < left || x0 > right) continue;
      if (x1 - x0 >= MIN_BAR) {
        const a = Math.max(x0, left - 1);
        const b = Math.min(x1, right + 1);
        path(t.status).rect(Math.round(a), top + BAR_TOP, Math.max(1, Math.round(b) - Math.round(a) - 1), BAR_HEIGHT);
      } else {
        const c0 = Math.max(0, Math.floor(x0 - left));
        const c1 = Math.min(columns.length - 1, Math.floor(x1 - left));
        const sev = SEVERITY[t.status];
        for (let c = c0; c <= c1; c++) if (columns[c] < sev) columns[c] = sev;
      }
      if (this.layout.stragglers.has(t.index)) stragglerXs.push((Math.max(x0, left) + Math.min(x1, right)) / 2);
    }
    for (let c = 0; c < columns.length; ) {
      const sev = columns[c];
      let end = c + 1;
      while (end < columns.length && columns[end] === sev) end++;
      if (sev) path(BY_SEVERITY[sev]).rect(left + c, top + BAR_TOP, end - c, BAR_HEIGHT);
      c = end;
    }
    for (const [status, pa] of paths) {
      ctx.fillStyle = p.status[status];
      ctx.fill(pa);
    }
    if (stragglerXs.length) {
      ctx.fillStyle = p.straggler;
      ctx.beginPath();
      let lastX = -Infinity;
      for (const x of stragglerXs) {
        if (x - lastX < 6) continue;
        lastX = x;
        ctx.moveTo(x - 4, top);
        ctx.lineTo(x + 4, top);
        ctx.lineTo(x, top + BAR_TOP + 1);
        ctx.closePath();
      }
      ctx.fill();
    }
  }

  private msAt(x: number): number {
    const plotWidth = this.width - LABEL_WIDTH - 8;
    return this.fromMs + ((x - LABEL_WIDTH) / plotWidth) * (this.toMs - this.fromMs);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const x = e.offsetX;
    if (x < LABEL_WIDTH) return;
    const at = this.msAt(x);
    const factor = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.002)));
    const full = this.layout.toMs - this.layout.fromMs;
    const span = Math.min(full, Math.max(full * 1e-6, 1e-3, (this.toMs - this.fromMs) * factor));
    const ratio = (at - this.fromMs) / (this.toMs - this.fromMs);
    this.setWindow(at - ratio * span, span);
  }

  /** Moves the view window, kept inside the run's extent. */
  private setWindow(from: number, span: number): void {
    const min = this.layout.fromMs;
    const max = this.layout.toMs;
    from = Math.max(min, Math.min(from, max - span));
    this.fromMs = from;
    this.toMs = from + span;
    this.draw();
  }

  private onDown(e: PointerEvent): void {
    this.drag = { x: e.offsetX, from: this.fromMs, to: this.toMs, moved: false };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    if (this.drag) {
      const dx = e.offsetX - this.drag.x;
      if (Math.abs(dx) > 2) this.drag.moved = true;
      if (this.drag.moved) {
        const span = this.drag.to - this.drag.from;
        const plotWidth = this.width - LABEL_WIDTH - 8;
        this.setWindow(this.drag.from - (dx / plotWidth) * span, span);
        this.tooltip.hidden = true;
        return;
      }
    }
    this.showTooltip(e.offsetX, e.offsetY);
  }

  private onUp(e: PointerEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (drag && !drag.moved) {
      const hit = this.hitTest(e.offsetX, e.offsetY);
      if (hit?.kind === 'task' && hit.task.errorLocation) this.onOpen(hit.task.errorLocation);
    }
  }

  private hitTest(x: number, y: number): Hit | undefined {
    if (x < LABEL_WIDTH) return undefined;
    const i = Math.floor((y - AXIS_HEIGHT) / LANE_HEIGHT);
    const row = this.layout.rows[i];
    if (!row) return undefined;
    const inLane = y - AXIS_HEIGHT - i * LANE_HEIGHT;
    const at = this.msAt(x);
    const msPerPx = (this.toMs - this.fromMs) / (this.width - LABEL_WIDTH - 8);
    if (inLane >= WAIT_TOP - 1) {
      const wait = row.waits.find((w) => at >= w.fromMs - 2 * msPerPx && at <= w.toMs + 2 * msPerPx);
      if (wait) return { kind: 'wait', wait, row };
    }
    const task = taskAt(row, at, 2 * msPerPx);
    if (task) return { kind: 'task', task, row };
    const lane = row.lane;
    if (lane?.readyMs != null && at >= lane.spawnMs && at <= lane.readyMs) return { kind: 'startup', row };
    return undefined;
  }

  private showTooltip(x: number, y: number): void {
    const hit = this.hitTest(x, y);
    if (!hit) {
      this.tooltip.hidden = true;
      return;
    }
    const lines = describeHit(hit, this.layout.stragglers);
    this.tooltip.replaceChildren(...lines.map(([k, v]) => h('div', {}, [h('span', { className: 'key', text: k }), v])));
    this.tooltip.hidden = false;
    const tipWidth = this.tooltip.offsetWidth;
    const left = x + 14 + tipWidth > this.wrap.clientWidth ? Math.max(0, x - 14 - tipWidth) : x + 14;
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${y + 14}px`;
  }
}

/** "w1 · thread 3", "w0 · pid 4101" or "worker 2": which OS thread or process the lane was. */
function laneLabel(strategy: string, row: LaneRow): string {
  const lane = row.lane;
  if (!lane) return `worker ${row.id}`;
  if (strategy === 'threads' && lane.threadId) return `w${row.id} · thread ${lane.threadId}`;
  return lane.pid ? `w${row.id} · pid ${lane.pid}` : `worker ${row.id}`;
}

/** 1, 2 or 5 × 10^k, the tick step nearest above `raw`. */
function niceStep(raw: number): number {
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}
