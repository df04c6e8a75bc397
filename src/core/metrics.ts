/**
 * Metrics of one run against the sequential baseline: speedup, efficiency, utilization,
 * overhead, load imbalance, stragglers, Karp–Flatt serial fraction, CPU per wall time.
 */
import type { Run, RunMetrics, TaskSpan } from './model';

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function duration(task: TaskSpan): number {
  return Math.max(0, task.endMs - task.startMs);
}

/** A task is a straggler when it takes over three times the median task. */
export const STRAGGLER_FACTOR = 3;

/** The tasks whose call ran to its end, returning or throwing: what busy time counts. */
function ranTasks(run: Run): TaskSpan[] {
  return run.tasks.filter((t) => t.status === 'ok' || t.status === 'error');
}

/** Each worker lane's busy time, every lane of the run included (an idle one at 0). */
export function laneBusyMs(run: Run): number[] {
  const perLane = new Map<number, number>(run.lanes.map((l) => [l.id, 0]));
  // A task that failed before reaching a worker (lane -1) ran on no lane.
  for (const task of ranTasks(run)) if (task.lane >= 0) perLane.set(task.lane, (perLane.get(task.lane) ?? 0) + duration(task));
  return [...perLane.values()];
}

export function computeMetrics(run: Run, baselineWallMs: number | null): RunMetrics {
  const ran = ranTasks(run);
  const durations = ran.map(duration);
  const busyMs = durations.reduce((a, b) => a + b, 0);
  const medianTaskMs = median(durations);
  const p = run.workers;
  // A run stopped before its tasks ran (cancelled, or a pool that could not start) has no speedup:
  // its wall time covers only part of the work, or none.
  const comparable = baselineWallMs !== null && run.wallMs > 0 && !run.aborted;
  const speedup = comparable ? baselineWallMs / run.wallMs : null;
  const laneBusy = laneBusyMs(run);
  const meanBusy = laneBusy.length ? laneBusy.reduce((a, b) => a + b, 0) / laneBusy.length : 0;
  const cpuTasks = ran.filter((t) => t.cpuMs !== undefined);
  // Per-task CPU where measured; else the calls' CPU measured from the workers' ready; else the
  // run's, which counts start-up too (about 0.1 s: a short run of waiting calls then looks busier).
  const runCpuMs = run.callsCpuMs ?? run.cpuMs;
  // A call's child processes (a subprocess doing the work) keep CPUs busy for it.
  const childMs = run.childCpuMs ?? 0;
  const cpuPerWall =
    cpuTasks.length === ran.length && ran.length > 0 && busyMs > 0
      ? (cpuTasks.reduce((a, t) => a + (t.cpuMs ?? 0), 0) + childMs) / busyMs
      : runCpuMs !== null && busyMs > 0
        ? Math.min(1, (runCpuMs + childMs) / busyMs)
        : null;
  return {
    speedup,
    efficiency: speedup !== null ? speedup / p : null,
    utilization: run.wallMs > 0 ? busyMs / (run.wallMs * p) : null,
    overheadMs: comparable ? run.wallMs - baselineWallMs / p : null,
    loadImbalance: meanBusy > 0 ? Math.max(...laneBusy) / meanBusy : null,
    serialFraction: speedup !== null && p > 1 && speedup > 0 ? (1 / speedup - 1 / p) / (1 - 1 / p) : null,
    stragglers:
      medianTaskMs !== null && medianTaskMs > 0 && ran.length >= 4
        ? ran.filter((t) => duration(t) > STRAGGLER_FACTOR * medianTaskMs).map((t) => t.index)
        : [],
    busyMs,
    medianTaskMs,
    callMs: medianTaskMs === null ? null : Math.max(medianTaskMs, busyMs / ran.length),
    cpuPerWall,
  };
}

/** A run's CPU time as the table shows it: its own and its calls' child processes'. */
export function totalCpuMs(run: Pick<Run, 'cpuMs' | 'childCpuMs'>): number | null {
  return run.cpuMs === null ? null : run.cpuMs + (run.childCpuMs ?? 0);
}

/**
 * Whether the calls keep a CPU busy (at least half their time on it), as the sequential run
 * measured them, or else `run`: then more workers than CPUs cannot help, and the GIL holds threads.
 */
export function isCpuBound(sequential: Run | undefined, run?: Run): boolean {
  return (sequential?.metrics.cpuPerWall ?? run?.metrics.cpuPerWall ?? 0) >= 0.5;
}

/**
 * Fills in every run's metrics against the sequential run the summary shows (with --repeat, the
 * one of median wall time), so that a row's speedup is the sequential row's wall over its own:
 * against each repeat's own sequential run, a pool's median row could show 2.2× beside walls of
 * 474 and 270 ms.
 */
export function applyMetrics(runs: Run[]): void {
  const [baseline] = representativeRuns(runs.filter((run) => run.strategy === 'sequential' && !run.aborted));
  for (const run of runs) run.metrics = computeMetrics(run, baseline?.wallMs ?? null);
}

/** Per strategy, the run with the median wall time: what the summary shows when repeated. */
export function representativeRuns(runs: Run[]): Run[] {
  const byStrategy = new Map<string, Run[]>();
  for (const run of runs) byStrategy.set(run.strategy, [...(byStrategy.get(run.strategy) ?? []), run]);
  return [...byStrategy.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.wallMs - b.wallMs);
    return sorted[(sorted.length - 1) >> 1];
  });
}

/** One call that took more than a worker's share of all the calls' time, and the speedup it allows. */
export interface DominantTask {
  index: number;
  /** Its share of the calls' time. */
  share: number;
  /** The calls' time over its own: the most any pool can gain, however the inputs are ordered. */
  cap: number;
}

/**
 * The call that took more than a worker's share of the run's calls (all of them over the workers),
 * if one did: the pool cannot finish before it ends, whatever the order of the inputs.
 */
export function dominantTask(run: Run): DominantTask | undefined {
  const ran = ranTasks(run);
  if (run.workers < 2 || ran.length < 2) return undefined;
  const total = ran.reduce((sum, t) => sum + duration(t), 0);
  const biggest = ran.reduce((a, b) => (duration(b) > duration(a) ? b : a));
  if (total <= 0 || duration(biggest) * run.workers <= total) return undefined;
  return { index: biggest.index, share: duration(biggest) / total, cap: total / duration(biggest) };
}

