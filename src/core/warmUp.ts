/**
 * Start-up that a function pays once per process — a library initializing, a regular expression
 * compiled into `re`'s cache, an import inside the function — lands in the sequential run's first
 * call. A Python thread pool runs after it in the same process, and a forked process pool starts
 * from a copy of it: neither pays it again, so their speedups count it in their favour (a GIL-bound
 * thread pool timed at 1.4×). Found from the timings alone: the sequential run's first call far
 * slower than its others, while the same input, and every worker's first call, ran at the usual
 * pace in the pool.
 */
import type { Run, TaskSpan } from './model';
import { median } from './metrics';

export interface WarmUp {
  /** The sequential run's first call, and the median of its others, ms. */
  firstMs: number;
  medianMs: number;
  /** What the first call took beyond the others: the start-up, ms. */
  excessMs: number;
  /** The pools that did not pay it again, with their speedups as timed and without it. */
  pools: { run: Run; timed: number; without: number }[];
}

const duration = (t: TaskSpan) => t.endMs - t.startMs;

/**
 * A start-up under a millisecond is told to no one: it changes no choice of a pool, and in a run of
 * microsecond calls (whose whole wall is a few ms) a cold first call is 5% of it every time.
 */
const MIN_EXCESS_MS = 1;

/** The sequential run's first-call start-up, where it makes some pool's speedup 5% or more too kind. */
export function firstCallWarmUp(sequential: Run | undefined, pools: Run[]): WarmUp | undefined {
  if (!sequential || sequential.aborted) return undefined;
  const calls = sequential.tasks.filter((t) => t.status === 'ok').sort((a, b) => a.startMs - b.startMs);
  if (calls.length < 4) return undefined;
  const first = calls[0];
  const firstMs = duration(first);
  const medianMs = median(calls.slice(1).map(duration))!;
  const excessMs = firstMs - medianMs;
  if (firstMs < 2 * medianMs || excessMs < 0.05 * sequential.wallMs || excessMs < MIN_EXCESS_MS) return undefined;
  const unpaid = pools.filter((run) => {
    const ok = run.tasks.filter((t) => t.status === 'ok');
    if (run.aborted || run.metrics.speedup === null || ok.length === 0) return false;
    // The same input ran at the usual pace: it was the call's being first, not a big input.
    const same = ok.find((t) => t.index === first.index);
    if (!same || duration(same) > firstMs - excessMs / 2) return false;
    // Nor did any worker's first call pay it (each JS worker's JIT does, each spawned process
    // does). The pace is the sequential run's after its first call: a pool's own median is slow
    // too where several calls of each worker warm up.
    const firsts = new Map<number, TaskSpan>();
    for (const t of ok) if (!firsts.has(t.lane) || t.startMs < firsts.get(t.lane)!.startMs) firsts.set(t.lane, t);
    return [...firsts.values()].every((t) => duration(t) - medianMs < excessMs / 2);
  });
  if (unpaid.length === 0) return undefined;
  const pace = sequential.wallMs - excessMs;
  return { firstMs, medianMs, excessMs, pools: unpaid.map((run) => ({ run, timed: run.metrics.speedup!, without: pace / run.wallMs })) };
}

/**
 * The runs as judged: the pools that did not pay the start-up get their speedup and efficiency
 * without it (copies; the report keeps the timed ones).
 */
export function judgedWithoutWarmUp(runs: Run[], warm: WarmUp | undefined): Run[] {
  if (!warm) return runs;
  return runs.map((run) => {
    const pool = warm.pools.find((p) => p.run === run);
    return pool ? { ...run, metrics: { ...run.metrics, speedup: pool.without, efficiency: pool.without / run.workers } } : run;
  });
}
