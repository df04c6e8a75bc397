/**
 * `npm run bench`: the profiler's own cost, as ratios against the bare libraries measured in one
 * run (alternating, median of several rounds), never as absolute times. Every round of a bare pool
 * runs in a fresh Node process, as every profile runs in a fresh runner.
 *   - profiled threads vs bare piscina, profiled processes vs a bare child-process pool, for
 *     CPU-bound tasks of ~0.1 ms, 1 ms and 10 ms (target ≤ 1.03 at 1 ms);
 *   - empty-task throughput vs bare piscina (target ≥ 0.9);
 *   - speedup of the profiled thread pool over sequential on 10 ms tasks (target ≥ 1.8 on 2 cores),
 *     beside bare piscina's own on the same tasks;
 *   - the Python process pool vs a bare ProcessPoolExecutor (bench/pythonBench.ts; target ≤ 1.05).
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProfile } from '../src/core/profile';
import type { StrategyName } from '../src/core/model';
import { formatPythonBench, runPythonBench } from './pythonBench';

const WORK = path.join(__dirname, 'work.cjs');
const { work } = require(WORK) as { work: (steps: number) => number };
const WORKERS = Math.min(os.availableParallelism(), 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Steps of `work` that take about `ms` on this machine. */
function calibrate(ms: number): number {
  let steps = 10_000;
  for (;;) {
    const t0 = performance.now();
    work(steps);
    const took = performance.now() - t0;
    if (took > 50) return Math.max(1, Math.round((steps * ms) / took));
    steps *= 2;
  }
}

/** A bare pool's wall time, run in a fresh process (barePools.cjs), as the profiled runner is. */
function runBare(kind: 'piscina' | 'processes', tasks: number, steps: number, workers = WORKERS): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'barePools.cjs'), kind, String(tasks), String(steps), String(workers)], (error, stdout) =>
      error ? reject(error) : resolve(Number(stdout)),
    );
  });
}

async function profiled(strategies: StrategyName[], tasks: number, steps: number): Promise<Map<string, number>> {
  const outcome = await startProfile({
    target: { file: WORK, name: 'work', language: 'javascript' },
    inputs: `Array(${tasks}).fill(${steps})`,
    strategies,
    workers: WORKERS,
  }).done;
  if (!outcome.ok) throw new Error(outcome.error);
  return new Map(outcome.report.runs.map((r) => [r.strategy, r.wallMs]));
}

async function ratio(label: string, tasks: number, steps: number): Promise<string[]> {
  const bare = { threads: [] as number[], processes: [] as number[] };
  const ours = { threads: [] as number[], processes: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    bare.threads.push(await runBare('piscina', tasks, steps));
    ours.threads.push((await profiled(['threads'], tasks, steps)).get('threads')!);
    bare.processes.push(await runBare('processes', tasks, steps));
    ours.processes.push((await profiled(['processes'], tasks, steps)).get('processes')!);
  }
  return (['threads', 'processes'] as const).map((s) => {
    const r = median(ours[s]) / median(bare[s]);
    const vs = s === 'threads' ? 'bare piscina' : 'bare child-process pool';
    return `${label.padEnd(10)} ${s.padEnd(9)} ${tasks} tasks: profiled/${vs} = ${r.toFixed(3)}× (medians ${median(ours[s]).toFixed(1)} / ${median(bare[s]).toFixed(1)} ms)`;
  });
}

async function throughput(): Promise<string> {
  const tasks = 50_000;
  const bare: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(tasks / (await runBare('piscina', tasks, 0)));
    ours.push(tasks / (await profiled(['threads'], tasks, 0)).get('threads')!);
  }
  const r = median(ours) / median(bare);
  return `empty tasks: profiled throughput / bare piscina = ${r.toFixed(3)} (medians ${Math.round(median(ours) * 1000)} / ${Math.round(median(bare) * 1000)} tasks/s)`;
}

/**
 * Speedup of the profiled thread pool over the profiled sequential loop, beside what the bare
 * library reaches on the same tasks: piscina with N threads over piscina with one. Both include
 * start-up, which short runs cannot amortize, so a longer run is measured as well.
 */
async function speedup(steps: number, tasks: number): Promise<string> {
  const ours: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
    const outcome = await startProfile({
      target: { file: WORK, name: 'work', language: 'javascript' },
      inputs: `Array(${tasks}).fill(${steps})`,
      strategies: ['sequential', 'threads'],
      workers: WORKERS,
    }).done;
    if (!outcome.ok) throw new Error(outcome.error);
    ours.push(outcome.report.runs.find((r) => r.strategy === 'threads')!.metrics.speedup!);
    bare.push((await runBare('piscina', tasks, steps, 1)) / (await runBare('piscina', tasks, steps)));
  }
  return `10 ms tasks ×${tasks}: profiled threads speedup over sequential = ${median(ours).toFixed(2)}× with ${WORKERS} workers (bare piscina, ${WORKERS} threads over 1: ${median(bare).toFixed(2)}×)`;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.availableParallelism()} CPUs, ${WORKERS} workers, Node ${process.version}, ${ROUNDS} rounds`);
  const ms = { '0.1 ms': calibrate(0.1), '1 ms': calibrate(1), '10 ms': calibrate(10) };
  // BENCH_ONLY=1ms,throughput (names: 0.1ms, 1ms, 10ms, throughput, speedup, python) runs a part.
  const only = process.env.BENCH_ONLY?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const lines = [
    ...(wanted('0.1ms') ? await ratio('0.1 ms', 2000, ms['0.1 ms']) : []),
    ...(wanted('1ms') ? await ratio('1 ms', 400, ms['1 ms']) : []),
    ...(wanted('10ms') ? await ratio('10 ms', 48, ms['10 ms']) : []),
    ...(wanted('throughput') ? [await throughput()] : []),
    ...(wanted('speedup') ? [await speedup(ms['10 ms'], 24 * WORKERS), await speedup(ms['10 ms'], 96 * WORKERS)] : []),
  ];
  for (const line of lines) console.log(line);
  if (wanted('python')) {
    try {
      console.log(formatPythonBench(await runPythonBench()));
    } catch (error) {
      console.log(`python: skipped (${(error as Error).message})`);
    }
  }
}

void main();
