/**
 * Short text about a report for code lenses and notifications, e.g.
 * `threads 1.9× · processes 1.7× · 2 warnings`. No `vscode` import.
 */
import type { Report, StrategyName } from '../core/model';
import { endedCount, type RunnerEvent } from '../core/protocol';
import { representativeRuns } from '../core/metrics';
import { speedupText } from '../core/verdict';

/**
 * One line summing up a report: speedup per parallel strategy (with --repeat, the table's: the
 * median run's) and the warning count.
 */
export function summarizeReport(report: Report): string {
  const parts: string[] = [];
  for (const run of representativeRuns(report.runs)) {
    if (run.strategy === 'sequential') continue;
    const s = run.metrics.speedup;
    parts.push(`${run.strategy} ${s === null || !Number.isFinite(s) ? '–' : speedupText(s)}`);
  }
  const w = report.warnings.length;
  parts.push(w === 0 ? 'no warnings' : `${w} warning${w === 1 ? '' : 's'}`);
  if (report.cancelled) parts.push('cancelled');
  return parts.join(' · ');
}

/** Live task counts per strategy, folded from runner events, for the progress notification. */
export class ProgressCounts {
  private total = 0;
  private readonly runs = new Map<number, { strategy: StrategyName; done: number; failed: number; running: number }>();

  /** Folds one event; returns true when the visible text may have changed. */
  add(event: RunnerEvent): boolean {
    switch (event.type) {
      case 'inputs':
        this.total = event.count;
        return true;
      case 'run-start':
        this.runs.set(event.run, { strategy: event.strategy, done: 0, failed: 0, running: 0 });
        return true;
      case 'task-start': {
        const r = this.runs.get(event.run);
        if (r) r.running++;
        return !!r;
      }
      case 'task-end': {
        const r = this.runs.get(event.run);
        if (!r) return false;
        r.running = Math.max(0, r.running - 1);
        if (event.status === 'ok') r.done++;
        else r.failed++;
        return true;
      }
      case 'tasks': {
        const r = this.runs.get(event.run);
        if (!r) return false;
        const { ended, failed } = endedCount(event);
        r.running = Math.max(0, r.running - ended);
        r.done += ended - failed;
        r.failed += failed;
        return true;
      }
      default:
        return false;
    }
  }

  /** One line per strategy run so far, e.g. `threads 12/16 (1 failed)`. */
  lines(): string[] {
    const total = this.total > 0 ? `/${this.total}` : '';
    return [...this.runs.values()].map(
      (r) => `${r.strategy} ${r.done + r.failed}${total}${r.failed > 0 ? ` (${r.failed} failed)` : ''}`,
    );
  }

  /** Fraction of all tasks of all planned runs finished, 0..1, given how many runs are planned. */
  fraction(plannedRuns: number): number {
    if (this.total === 0 || plannedRuns === 0) return 0;
    let finished = 0;
    for (const r of this.runs.values()) finished += r.done + r.failed;
    return Math.min(1, finished / (this.total * plannedRuns));
  }
}
