/**
 * The speedup chart (chart.js): measured speedup of each strategy and worker count next to the
 * ideal (= workers), as the summary table gives it. Colours come from the theme palette; on a theme change
 * the chart is rebuilt with the new palette.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import type { Report } from '../src/core/model';
import { h } from './dom';
import type { Palette } from './theme';
import type { SpeedupPoint } from './speedupPoints';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The chart and its canvas; `setPalette` redraws in new colours. */
export class SpeedupChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private chart: Chart<'bar', (number | null)[], string> | undefined;

  constructor(private readonly points: SpeedupPoint[], palette: Palette) {
    this.canvas = h('canvas', {
      className: 'speedup-canvas',
      attrs: { role: 'img', 'aria-label': 'Measured speedup against ideal speedup per strategy' },
    });
    this.element = h('div', { className: 'chart-wrap' }, [this.canvas]);
    this.build(palette);
  }

  setPalette(palette: Palette): void {
    this.chart?.destroy();
    this.build(palette);
  }

  dispose(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private build(p: Palette): void {
    const axis = { ticks: { color: p.foreground, font: { family: fontFamily(p.font) } }, grid: { color: p.grid }, border: { color: p.grid } };
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data: {
        labels: this.points.map((x) => x.label),
        datasets: [
          { label: 'measured', data: this.points.map((x) => x.measured), backgroundColor: p.status.ok, borderColor: p.status.ok, borderWidth: 1 },
          { label: 'ideal', data: this.points.map((x) => x.ideal), backgroundColor: p.ideal, borderColor: p.ideal, borderWidth: 1 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: axis,
          y: { ...axis, beginAtZero: true, title: { display: true, text: 'speedup (×)', color: p.muted } },
        },
        plugins: {
          legend: { labels: { color: p.foreground, font: { family: fontFamily(p.font) } } },
          tooltip: {
            callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? '—' : item.parsed.y.toFixed(2)}×` },
          },
        },
      },
    });
  }
}

function fontFamily(font: string): string {
  return font.replace(/^\S+px\s+/, '');
}
