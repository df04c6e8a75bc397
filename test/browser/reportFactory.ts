/**
 * Builds realistic `Report` objects (pure data) for the panel tests: sequential, thread and process
 * runs whose tasks are scheduled greedily on workers, with start-up, lock waits, stragglers, a
 * shared counter and warnings. Deterministic (seeded), so every run of a test sees the same report.
 */
import type { LockEvent, Report, Run, StrategyName, TaskSpan, TaskStatus, Warning } from '../../src/core/model';

/** What to put in the report. */
export interface ReportOptions {
  tasks?: number;
  workers?: number;
  /** Duration of one task, ms (tasks vary around it). */
  taskMs?: number;
  /** Every n-th task fails with `errorText` (0: none). */
  errorEvery?: number;
  errorText?: string;
  /** Lost counter updates in each parallel run. */
  lost?: number;
  /** Add lock request/acquire/release events (one lock, "a"). */
  locks?: boolean;
  /** Used for every user-provided string: name, file, inputs, results, errors, warning text. */
  userText?: string;
  file?: string;
  seed?: number;
}

/** A deterministic pseudo-random generator in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Makes a complete report with one run per strategy. */
export function makeReport(options: ReportOptions = {}): Report {
  const count = options.tasks ?? 24;
  const workers = options.workers ?? 4;
  const taskMs = options.taskMs ?? 20;
  const file = options.file ?? '/work/project/src/primes.ts';
  const rnd = random(options.seed ?? 7);
  const durations = Array.from({ length: count }, (_, i) => taskMs * (0.6 + 0.8 * rnd()) * (i % 97 === 5 ? 5 : 1));

  const runs: Run[] = [];
  let clock = 0;
  const sequential = makeRun('sequential', 1, clock, durations, 2, options, rnd);
  runs.push(sequential);
  clock += sequential.wallMs + 10;
  const threads = makeRun('threads', workers, clock, durations, 15, options, rnd);
  runs.push(threads);
  clock += threads.wallMs + 10;
  runs.push(makeRun('processes', workers, clock, durations, 60, options, rnd));
  for (const run of runs) {
    const speedup = sequential.wallMs / run.wallMs;
    run.metrics.speedup = speedup;
    run.metrics.efficiency = speedup / run.workers;
    run.metrics.overheadMs = run.wallMs - sequential.wallMs / run.workers;
  }

  const warnings: Warning[] = [];
  const text = options.userText;
  if (options.lost) {
    warnings.push({
      kind: 'race',
      strategy: 'threads',
      message: text ?? `counter.unsafeAdd lost ${options.lost} of ${count} updates: a read-modify-write without a lock.`,
      location: { file, line: 12 },
      details: text ? [text] : [`worker 1 observed 17 while 18 were added`],
    });
  }
  if (options.errorEvery) {
    warnings.push({
      kind: 'error',
      strategy: 'processes',
      message: text ?? `${Math.floor(count / options.errorEvery)} tasks threw: ${options.errorText ?? 'RangeError'}`,
      location: { file, line: 7 },
    });
  }
  warnings.push({ kind: 'overhead', strategy: 'processes', message: 'Process start-up takes 60 ms per worker, 3× a task.' });

  return {
    version: 1,
    createdAt: '2026-11-22T02:30:00.000Z',
    target: { file, name: text ?? 'countPrimes', language: 'typescript' },
    machine: { cpus: 2, platform: 'linux', runtime: 'node v20.19.0' },
    inputs: { expression: text ?? '[20000, 40000, 80000]', count, spread: false },
    runs,
    warnings,
    verdict: text ?? 'The process pool is 1.8× faster; threads are 1.9× faster with lower start-up cost: use a thread pool.',
  };
}

function makeRun(
  strategy: StrategyName,
  workers: number,
  startMs: number,
  durations: number[],
  startupMs: number,
  options: ReportOptions,
  rnd: () => number,
): Run {
  const lanes = Array.from({ length: workers }, (_, id) => ({
    id,
    pid: strategy === 'processes' ? 4100 + id : 4000,
    threadId: strategy === 'threads' ? id + 1 : 0,
    spawnMs: startMs,
    readyMs: startMs + startupMs * (0.8 + 0.4 * rnd()),
    exitMs: undefined as number | undefined,
    exitCode: 0,
  }));
  const free = lanes.map((l) => l.readyMs);
  const tasks: TaskSpan[] = [];
  const locks: LockEvent[] = [];
  durations.forEach((d, index) => {
    let lane = 0;
    for (let i = 1; i < workers; i++) if (free[i] < free[lane]) lane = i;
    const start = free[lane] + 0.05;
    const end = start + d * (strategy === 'sequential' ? 1 : 1.05);
    free[lane] = end;
    const failed = options.errorEvery ? index % options.errorEvery === options.errorEvery - 1 : false;
    const status: TaskStatus = failed ? 'error' : 'ok';
    tasks.push({
      index,
      lane,
      queuedMs: startMs,
      startMs: start,
      endMs: end,
      status,
      error: failed ? (options.userText ?? options.errorText ?? 'RangeError: input too large') : undefined,
      errorLocation: failed ? { file: options.file ?? '/work/project/src/primes.ts', line: 7 } : undefined,
      digest: failed ? undefined : `d${index}`,
      resultPreview: failed ? undefined : (options.userText ?? String(1000 + index * 7)),
      cpuMs: d * 0.97,
    });
    if (options.locks && strategy !== 'sequential') {
      const req = start + d * 0.3;
      const acq = req + d * 0.2;
      locks.push(
        { lane, task: index, lock: 'a', kind: 'request', atMs: req, site: { file: 'x.ts', line: 3 } },
        { lane, task: index, lock: 'a', kind: 'acquire', atMs: acq },
        { lane, task: index, lock: 'a', kind: 'release', atMs: acq + d * 0.1 },
      );
    }
  });
  const endMs = Math.max(...free);
  for (const l of lanes) l.exitMs = endMs + 1;
  const busy = tasks.reduce((s, t) => s + (t.endMs - t.startMs), 0);
  const sorted = tasks.map((t) => t.endMs - t.startMs).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? null;
  const lost = strategy === 'sequential' ? 0 : (options.lost ?? 0);
  const wallMs = endMs - startMs;
  return {
    strategy,
    workers,
    repeat: 0,
    wallMs,
    cpuMs: busy * 0.97,
    startMs,
    lanes,
    tasks,
    locks,
    counter: { expected: durations.length, observed: durations.length - lost, lost },
    metrics: {
      speedup: null,
      efficiency: null,
      utilization: busy / (wallMs * workers),
      overheadMs: null,
      loadImbalance: 1.1,
      serialFraction: 0.05,
      stragglers: median === null ? [] : tasks.filter((t) => t.endMs - t.startMs > 3 * median).map((t) => t.index),
      busyMs: busy,
      medianTaskMs: median,
      callMs: median === null ? null : Math.max(median, busy / tasks.length),
      cpuPerWall: 0.97,
    },
  };
}
