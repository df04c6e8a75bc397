/** What the speedup chart draws: one bar group per strategy, without the DOM (unit-tested). */
import type { Report } from '../src/core/model';
import { representativeRuns } from '../src/core/metrics';

/** One bar group: a strategy at a worker count. */
export interface SpeedupPoint {
  label: string;
  measured: number | null;
  ideal: number;
}

/**
 * Per strategy, the speedup of the run the summary table shows (with --repeat, the one of median
 * wall time), so that chart and table agree; sequential first.
 */
export function speedupPoints(report: Report): SpeedupPoint[] {
  return representativeRuns(report.runs).map((run) => ({
    label: run.strategy === 'sequential' ? 'sequential' : `${run.strategy} × ${run.workers}`,
    measured: run.strategy === 'sequential' ? run.metrics.speedup ?? 1 : run.metrics.speedup,
    ideal: run.strategy === 'sequential' ? 1 : run.workers,
  }));
}
