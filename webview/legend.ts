/** The timeline legend: a swatch per task status present, plus start-up, lock wait and straggler. */
import type { Report, TaskStatus } from '../src/core/model';
import { h } from './dom';
import { MARK_VARS, STATUS_VARS } from './theme';

/** Builds the legend for the statuses that occur in the report. */
export function legend(report: Report): HTMLElement {
  const present = new Set<TaskStatus>();
  for (const run of report.runs) for (const t of run.tasks) present.add(t.status);
  const hasWaits = report.runs.some((r) => r.locks.length > 0);
  const hasStragglers = report.runs.some((r) => r.metrics.stragglers.length > 0);
  const item = (label: string, cssVar: string, shape = 'bar') => {
    const swatch = h('span', { className: `swatch ${shape}` });
    swatch.style.background = `var(${cssVar})`;
    return h('span', { className: 'legend-item' }, [swatch, label]);
  };
  const statuses = (Object.keys(STATUS_VARS) as TaskStatus[]).filter((s) => present.has(s));
  return h('div', { className: 'legend' }, [
    ...statuses.map((s) => item(`task ${s}`, STATUS_VARS[s])),
    item('worker start-up', MARK_VARS.startup, 'thin'),
    hasWaits ? item('lock wait', MARK_VARS.lockWait, 'thin') : null,
    hasStragglers ? item('straggler (> 3× median)', MARK_VARS.straggler, 'triangle') : null,
    h('span', { className: 'muted hint', text: 'wheel: zoom · drag: pan · double-click: reset' }),
  ]);
}
