/** The summary table: one row per run with its timings and metrics, the fastest marked. */
import type { Report } from '../src/core/model';
import { stoppedHow } from '../src/core/textSummary';
import { lostUpdates } from '../src/core/sharedValues';
import { totalCpuMs } from '../src/core/metrics';
import { h } from './dom';
import { formatCount, formatMs, formatPercent, formatTimes } from './format';

const COLUMNS = ['strategy', 'workers', 'wall', 'CPU', 'speedup', 'efficiency', 'utilization', 'lost updates', 'warnings'];

/** Builds the table element for a report. */
export function summaryTable(report: Report): HTMLTableElement {
  // "fastest" only for a pool that beats sequential: marking the least slow one would mislead.
  const sequential = report.runs.find((r) => r.strategy === 'sequential' && !r.aborted);
  const parallel = report.runs.filter((r) => r.strategy !== 'sequential' && !r.aborted && (!sequential || r.wallMs < sequential.wallMs));
  const fastest = parallel.reduce<number | undefined>((best, r) => (best === undefined || r.wallMs < best ? r.wallMs : best), undefined);
  const repeats = report.runs.some((r) => r.repeat > 0);
  const head = h('thead', {}, [h('tr', {}, COLUMNS.map((c, i) => h('th', { text: c, className: i ? 'num' : '' })))]);
  const body = h(
    'tbody',
    {},
    report.runs.map((run) => {
      const warnings = report.warnings.filter((w) => w.strategy === run.strategy).length;
      const name = run.strategy + (repeats ? ` #${run.repeat + 1}` : '') + (run.aborted ? ` (${stoppedHow(run)})` : '');
      const classes = [
        run.strategy !== 'sequential' && run.wallMs === fastest ? 'best' : '',
        run.aborted ? 'aborted-row' : '',
      ].filter(Boolean);
      const cell = (text: string, className = 'num') => h('td', { text, className });
      return h('tr', { className: classes.join(' '), attrs: { 'data-strategy': run.strategy } }, [
        h('td', { text: name, title: run.aborted ? `stopped: ${run.aborted}` : '' }),
        cell(String(run.workers)),
        cell(formatMs(run.wallMs)),
        cell(formatMs(totalCpuMs(run))),
        cell(formatTimes(run.metrics.speedup)),
        cell(formatPercent(run.metrics.efficiency)),
        cell(formatPercent(run.metrics.utilization)),
        cell(formatCount(lostUpdates(run)), lostUpdates(run) > 0 ? 'num bad' : 'num'),
        cell(String(warnings), warnings > 0 ? 'num warn' : 'num'),
      ]);
    }),
  );
  return h('table', { className: 'summary' }, [head, body]);
}
