/**
 * Python pool overhead (issue 4.8): the profiled process pool vs a bare `ProcessPoolExecutor.map`,
 * and the profiled thread pool vs a bare `ThreadPoolExecutor.map`, on the same tasks (~1 ms, or
 * empty), measured in one run, alternating, median of each. Prints the ratio (target ≤ 1.05 for
 * the process pool). `node --import tsx bench/pythonBench.ts` after a build; bench/bench.ts calls
 * `runPythonBench()`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { endedSpans, type RunnerEvent, type RunnerOptions } from '../src/core/protocol';

const ROOT = resolve(__dirname, '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'busyWait.py');

export type PythonPool = 'processes' | 'threads';
const BARE: Record<PythonPool, string> = { processes: 'ProcessPoolExecutor', threads: 'ThreadPoolExecutor' };

export interface PythonBenchResult {
  pool: PythonPool;
  tasks: number;
  taskMs: number;
  workers: number;
  /** Median wall time of the profiled pool's run (run-end wallMs), ms. */
  profiledMs: number;
  /** Median wall time of the bare executor (pool creation, map, shutdown), ms. */
  bareMs: number;
  ratio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function profiledOnce(python: string, pool: PythonPool, tasks: number, taskMs: number, workers: number): Promise<number> {
  const options: RunnerOptions = {
    file: FIXTURE,
    name: 'busy',
    language: 'python',
    inputs: `[${taskMs}] * ${tasks}`,
    spread: false,
    strategies: [pool],
    workers,
    repeat: 1,
    taskTimeoutMs: 0,
    scratchDir: '/tmp',
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, ['-u', join(ROOT, 'dist', 'python', 'harness.py')], {
      cwd: join(ROOT, 'test', 'fixtures'),
      env: { ...process.env, PP_RUNNER_OPTIONS: JSON.stringify(options) },
      stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
    });
    let text = '';
    (child.stdio[3] as Readable).on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', (code) => {
      const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunnerEvent);
      const end = events.find((e) => e.type === 'run-end');
      const spans = events.flatMap(endedSpans);
      const failed = spans.filter((span) => span.status !== 'ok').length + tasks - spans.length;
      if (code !== 0 || !end || end.type !== 'run-end' || failed > 0) reject(new Error(`profiled run failed (exit ${code}, ${failed} failed tasks)`));
      else resolvePromise(end.wallMs);
    });
    child.stdin?.on('error', () => undefined);
  });
}

function bareOnce(python: string, pool: PythonPool, tasks: number, taskMs: number, workers: number): number {
  const script = [
    'import sys, time',
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'test', 'fixtures'))})`,
    `from concurrent.futures import ${BARE[pool]}`,
    'from busyWait import busy',
    'if __name__ == "__main__":',
    '    t0 = time.time_ns()',
    `    with ${BARE[pool]}(${workers}) as pool:`,
    `        results = list(pool.map(busy, [${taskMs}] * ${tasks}))`,
    '    print((time.time_ns() - t0) / 1e6)',
  ].join('\n');
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bare ${BARE[pool]} failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}

/** Runs both sides `rounds` times, alternating, and returns the medians and their ratio. */
export async function runPythonBench(
  opts: { python?: string; pool?: PythonPool; tasks?: number; taskMs?: number; workers?: number; rounds?: number } = {},
): Promise<PythonBenchResult> {
  const python = opts.python ?? 'python3';
  const pool = opts.pool ?? 'processes';
  const tasks = opts.tasks ?? 400;
  const taskMs = opts.taskMs ?? 1;
  const workers = opts.workers ?? cpus().length;
  const rounds = opts.rounds ?? 5;
  const profiled: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(bareOnce(python, pool, tasks, taskMs, workers));
    profiled.push(await profiledOnce(python, pool, tasks, taskMs, workers));
  }
  const profiledMs = median(profiled);
  const bareMs = median(bare);
  return { pool, tasks, taskMs, workers, profiledMs, bareMs, ratio: profiledMs / bareMs };
}

/** One line for the bench table. */
export function formatPythonBench(r: PythonBenchResult): string {
  const size = r.taskMs === 0 ? 'empty' : `${r.taskMs} ms`;
  const target = r.pool === 'processes' ? ' (target ≤ 1.05)' : '';
  return `python ${r.pool.padEnd(9)} ${r.tasks} × ${size} tasks on ${r.workers} workers — profiled ${r.profiledMs.toFixed(1)} ms vs bare ${BARE[r.pool]}.map ${r.bareMs.toFixed(1)} ms: ratio ${r.ratio.toFixed(3)}${target}`;
}

if (require.main === module) {
  runPythonBench().then(
    (r) => console.log(formatPythonBench(r)),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
