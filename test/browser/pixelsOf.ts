/**
 * Pixel questions the panel tests ask about a timeline canvas: where its lanes are (the canvas
 * publishes their centres in `data-lane-centers`) and which colours a lane's row holds.
 */
import type { PanelPage } from './panelPage';
import { countColor, hexColor, type Pixels } from './png';

/** A timeline canvas: its pixels and lane geometry (CSS px, device scale 1 in the tests). */
export interface TimelineShot {
  pixels: Pixels;
  laneCenters: number[];
  plotLeft: number;
}

/** Screenshots the timeline canvas of `strategy`. */
export async function timelineShot(panel: PanelPage, strategy: string, name?: string): Promise<TimelineShot> {
  const selector = `canvas.timeline-canvas[data-strategy="${strategy}"]`;
  const canvas = panel.page.locator(selector);
  const centers = (await canvas.getAttribute('data-lane-centers')) ?? '';
  const plotLeft = Number(await canvas.getAttribute('data-plot-left'));
  return {
    pixels: await panel.pixels(selector, name),
    laneCenters: centers ? centers.split(',').map(Number) : [],
    plotLeft,
  };
}

/** Pixels of `hex` in the plot area of lane `lane`, within ±`half` rows of its centre. */
export function laneCount(shot: TimelineShot, lane: number, hex: string, half = 4): number {
  const y = Math.round(shot.laneCenters[lane]);
  return countColor(shot.pixels, hexColor(hex), { x0: shot.plotLeft, y0: y - half, y1: y + half + 1 });
}

/** Pixels of `hex` anywhere in the shot. */
export function totalCount(shot: TimelineShot | Pixels, hex: string): number {
  return countColor('pixels' in shot ? shot.pixels : shot, hexColor(hex));
}

/** x of the first pixel of `hex` on lane `lane`'s centre row, or -1. */
export function firstX(shot: TimelineShot, lane: number, hex: string): number {
  const y = Math.round(shot.laneCenters[lane]);
  for (let x = shot.plotLeft; x < shot.pixels.width; x++) {
    if (countColor(shot.pixels, hexColor(hex), { x0: x, x1: x + 1, y0: y, y1: y + 1 }) === 1) return x;
  }
  return -1;
}

/** Longest horizontal run of `hex` on lane `lane`'s centre row: a bar's width in pixels. */
export function longestRun(shot: TimelineShot, lane: number, hex: string): number {
  const y = Math.round(shot.laneCenters[lane]);
  let best = 0;
  let run = 0;
  for (let x = shot.plotLeft; x < shot.pixels.width; x++) {
    const hit = countColor(shot.pixels, hexColor(hex), { x0: x, x1: x + 1, y0: y, y1: y + 1 }) === 1;
    run = hit ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/**
 * Pixels of `hex` whose whole 3×3 neighbourhood is `hex` too: filled areas (bars), not the
 * anti-aliased edges of text or shapes that blend into similar colours.
 */
export function solidCount(shot: TimelineShot | Pixels, hex: string, tolerance = 6): number {
  const p = 'pixels' in shot ? shot.pixels : shot;
  const [r, g, b] = hexColor(hex);
  const match = new Uint8Array(p.width * p.height);
  for (let i = 0; i < match.length; i++) {
    const o = i * 4;
    match[i] = Math.abs(p.data[o] - r) <= tolerance && Math.abs(p.data[o + 1] - g) <= tolerance && Math.abs(p.data[o + 2] - b) <= tolerance ? 1 : 0;
  }
  let n = 0;
  for (let y = 1; y < p.height - 1; y++) {
    for (let x = 1; x < p.width - 1; x++) {
      let all = 1;
      for (let dy = -1; dy <= 1 && all; dy++) for (let dx = -1; dx <= 1 && all; dx++) all = match[(y + dy) * p.width + x + dx];
      n += all;
    }
  }
  return n;
}

/** Widths of the separate bars of `hex` on lane `lane`'s centre row, left to right. */
export function barWidths(shot: TimelineShot, lane: number, hex: string): number[] {
  const y = Math.round(shot.laneCenters[lane]);
  const widths: number[] = [];
  let run = 0;
  for (let x = shot.plotLeft; x <= shot.pixels.width; x++) {
    const hit = x < shot.pixels.width && countColor(shot.pixels, hexColor(hex), { x0: x, x1: x + 1, y0: y, y1: y + 1 }) === 1;
    if (hit) run++;
    else if (run) {
      widths.push(run);
      run = 0;
    }
  }
  return widths;
}
