/**
 * The profiling panel's entry: renders a report (or live progress) from the host's messages, keeps
 * the report in the webview state so the panel survives a reload, and sends the user's actions
 * (open a location, export, save, re-run) back to the host.
 */
import type { Report, SourceLocation } from '../src/core/model';
import { assertNever, type ToWebview } from '../src/core/webviewProtocol';
import { counterView, sharedTitle } from './counterView';
import { h, section } from './dom';
import { legend } from './legend';
import { progressView } from './progressView';
import { reportProblem } from './reportCheck';
import { reportHeader } from './reportHeader';
import { SpeedupChart } from './speedupChart';
import { speedupPoints } from './speedupPoints';
import { summaryTable } from './summaryTable';
import { readPalette, watchTheme } from './theme';
import { layoutRun } from './timelineLayout';
import { TimelineView } from './timelineView';
import { host } from './vscodeApi';
import { warningsList } from './warningsList';

const root = document.getElementById('root') ?? document.body;
let palette = readPalette();
let timelines: TimelineView[] = [];
let chart: SpeedupChart | undefined;
/** Key of the report on screen (see `reportKey`), undefined when none is. */
let shownKey: string | undefined;
/** How many reports were rendered (data-rendered, for tests and debugging). */
let renders = 0;

const openLocation = (location: SourceLocation): void => host.postMessage({ type: 'openLocation', location });

function toolbar(enabled: boolean): HTMLElement {
  const button = (text: string, title: string, onClick: () => void, secondary = true) => {
    const b = h('button', { text, title, className: secondary ? 'secondary' : '' });
    b.disabled = !enabled;
    b.addEventListener('click', onClick);
    return b;
  };
  return h('nav', { className: 'toolbar' }, [
    button('Re-run', 'Profile the same function with the same inputs again', () => host.postMessage({ type: 'rerun' }), false),
    button('Export Chrome trace…', 'Save a trace for chrome://tracing or Perfetto', () => host.postMessage({ type: 'exportTrace' })),
    button('Save report…', 'Save this report as JSON; Open Report… shows it again', () => host.postMessage({ type: 'exportReport' })),
  ]);
}

function clear(): void {
  for (const t of timelines) t.dispose();
  timelines = [];
  chart?.dispose();
  chart = undefined;
}

/** Replaces the panel's content with the report. */
function renderReport(report: Report): void {
  clear();
  timelines = report.runs.map((run) => new TimelineView(layoutRun(run), palette, openLocation));
  chart = new SpeedupChart(speedupPoints(report), palette);
  root.replaceChildren(
    toolbar(true),
    reportHeader(report),
    section('summary', 'Summary', [summaryTable(report)]),
    section('warnings', `Warnings (${report.warnings.length})`, [warningsList(report, openLocation)]),
    section('timelines', 'Timeline per strategy', [legend(report), ...timelines.map((t) => t.element)]),
    h('div', { className: 'columns' }, [
      section('speedup', 'Speedup: measured vs ideal', [chart.element]),
      section('counter', sharedTitle(report), [counterView(report)]),
    ]),
  );
  for (const t of timelines) t.draw();
  document.body.dataset.rendered = String(++renders);
}

function renderProgress(target: string, lines: string[]): void {
  clear();
  shownKey = undefined;
  root.replaceChildren(toolbar(false), progressView(target, lines));
}

function renderEmpty(): void {
  root.replaceChildren(
    h('p', { className: 'muted empty', text: 'No profile yet. Run "Parallel Profiler: Profile Function at Cursor" or open a saved report.' }),
  );
}

function renderError(error: unknown): void {
  clear();
  const text = error instanceof Error ? error.message : String(error);
  root.replaceChildren(h('p', { className: 'banner', text: `This report cannot be shown: ${text}. Re-run the profile or open another report.` }));
}

function applyTheme(): void {
  palette = readPalette();
  for (const t of timelines) t.setPalette(palette);
  chart?.setPalette(palette);
}

/** Identifies a report cheaply: when it was made, of what, and how many tasks. */
function reportKey(report: Report): string {
  return JSON.stringify([report.createdAt, report.target?.file, report.target?.name, report.runs?.map((r) => r.tasks?.length)]);
}

/** Renders a report; false (and a one-line reason on screen) when it cannot be shown. */
function show(report: Report): boolean {
  const started = performance.now();
  shownKey = undefined;
  const problem = reportProblem(report);
  if (problem) {
    renderError(new Error(problem));
    return false;
  }
  try {
    renderReport(report);
    shownKey = reportKey(report);
    document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
    return true;
  } catch (error) {
    renderError(error);
    return false;
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'report':
      // The host re-sends its report when a hidden panel comes back; it is already on screen.
      if (shownKey !== undefined && shownKey === reportKey(msg.report)) break;
      // Kept for the serializer: the panel shows it again after a window reload.
      if (show(msg.report)) host.setState({ report: msg.report });
      break;
    case 'progress':
      renderProgress(msg.target, msg.lines);
      break;
    case 'theme':
      applyTheme();
      break;
    default:
      assertNever(msg);
  }
});
watchTheme(applyTheme);

const saved = host.getState();
if (saved?.report) show(saved.report);
else renderEmpty();
host.postMessage({ type: 'ready' });
