/**
 * The report as text for a terminal: the side-by-side table, the verdict, the warnings.
 */
import type { Report, Run } from './model';
import { representativeRuns, totalCpuMs } from './metrics';
import { lostUpdates } from './sharedValues';

const num = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const pct = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);

export interface SummaryRow {
  strategy: string;
  workers: number;
  wallMs: number;
  cpuMs: number | null;
  speedup: number | null;
  efficiency: number | null;
  utilization: number | null;
  lost: number;
  warnings: number;
  failed: number;
}

/** One row per strategy (the median run when repeated), as the CLI and the panel show it. */
export function summaryRows(report: Report): SummaryRow[] {
  return representativeRuns(report.runs).map((run: Run) => ({
    strategy: run.aborted ? `${run.strategy} (${stoppedHow(run)})` : run.strategy,
    workers: run.workers,
    wallMs: run.wallMs,
    cpuMs: totalCpuMs(run),
    speedup: run.metrics.speedup,
    efficiency: run.metrics.efficiency,
    utilization: run.metrics.utilization,
    lost: lostUpdates(run),
    warnings: report.warnings.filter((w) => w.strategy === run.strategy).length,
    failed: run.tasks.filter((t) => t.status !== 'ok').length,
  }));
}

/** How a run that did not run all its tasks ended, for its row: the reason is in the warnings. */
export function stoppedHow(run: Run): string {
  if (run.aborted === 'cancelled') return 'cancelled';
  return run.lanes.length === 0 ? 'skipped' : 'stopped';
}

export function formatSummary(report: Report): string {
  const header = ['strategy', 'workers', 'wall ms', 'CPU ms', 'speedup', 'efficiency', 'utilization', 'lost updates', 'failed', 'warnings'];
  const rows = summaryRows(report).map((r) => [
    r.strategy,
    String(r.workers),
    num(r.wallMs),
    num(r.cpuMs),
    r.speedup === null ? '—' : `${r.speedup.toFixed(2)}×`,
    pct(r.efficiency),
    pct(r.utilization),
    String(r.lost),
    String(r.failed),
    String(r.warnings),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [
    `${report.target.name} in ${report.target.file} — ${report.inputs.count} inputs, ${report.machine.cpus} CPUs, ${report.machine.runtime}`,
    '',
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
    '',
    `Verdict: ${report.verdict}`,
  ];
  if (report.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of report.warnings) {
      const where = w.location ? ` (${w.location.file}:${w.location.line})` : '';
      const seen = w.seenIn ? ` [seen in ${w.seenIn.repeats} of ${w.seenIn.of} repeats]` : '';
      out.push(`  [${w.kind}] ${w.message}${seen}${where && !w.message.includes(`${w.location!.file}:${w.location!.line}`) ? where : ''}`);
    }
  }
  if (report.cancelled) out.push('', 'Cancelled: the report holds what finished before.');
  return out.join('\n');
}
