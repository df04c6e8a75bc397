// How many steps of the bench's work (work.cjs) take a given time on this machine: for bench.ts and
// compareBuilds.ts.
import { performance } from 'node:perf_hooks';

const { work } = require('./work.cjs') as { work: (steps: number) => number };

/** Steps of `work` that take about `ms` on this machine (at least one). */
export function calibrate(ms: number): number {
  let steps = 10_000;
  for (;;) {
    const t0 = performance.now();
    work(steps);
    const took = performance.now() - t0;
    if (took > 50) return Math.max(1, Math.round((steps * ms) / took));
    steps *= 2;
  }
}
