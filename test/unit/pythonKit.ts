/**
 * Test kit for the Python harness: starts the real `python3 dist/python/harness.py` with the
 * runner protocol's pipes (events on fd 3, commands on stdin) and collects its events.
 * Used by test/unit/python*.unit.test.ts; build first (`node esbuild.mjs`).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { endedSpans, type ControllerCommand, type RunnerEvent, type RunnerOptions } from '../../src/core/protocol';
import type { TaskSpan } from '../../src/core/model';

export const ROOT = resolve(__dirname, '..', '..');
export const HARNESS = join(ROOT, 'dist', 'python', 'harness.py');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const PYTHON = process.env.PP_TEST_PYTHON ?? 'python3';

/** Fails early with a clear hint when the build has not been run. */
export function assertBuilt(): void {
  if (!existsSync(HARNESS)) throw new Error(`missing ${HARNESS}: run \`node esbuild.mjs\` first`);
}

export interface HarnessResult {
  events: RunnerEvent[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface HarnessControl {
  /** Sends a controller command to the harness's stdin. */
  send(command: ControllerCommand): void;
  pid: number;
}

/** Options with defaults for a fixture file of test/fixtures. */
export function options(file: string, name: string, inputs: string, extra: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    file: file.startsWith('/') ? file : join(FIXTURES, file),
    name,
    language: 'python',
    inputs,
    spread: false,
    strategies: ['sequential', 'threads', 'processes'],
    workers: 2,
    repeat: 1,
    taskTimeoutMs: 0,
    scratchDir: '/tmp',
    ...extra,
  };
}

/**
 * Runs the harness to completion. `onEvent` sees each event as it arrives and may send commands.
 * Rejects if the harness outlives `limitMs` (it is then killed).
 */
export function runHarness(
  opts: RunnerOptions,
  onEvent?: (event: RunnerEvent, control: HarnessControl) => void,
  limitMs = 60_000,
): Promise<HarnessResult> {
  assertBuilt();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, ['-u', HARNESS], {
      cwd: dirname(opts.file),
      env: { ...process.env, PP_RUNNER_OPTIONS: JSON.stringify(opts) },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const events: RunnerEvent[] = [];
    let stdout = '';
    let stderr = '';
    let buffered = '';
    const control: HarnessControl = {
      send: (command) => (child.stdin as Writable).write(JSON.stringify(command) + '\n'),
      pid: child.pid ?? -1,
    };
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const event = JSON.parse(line) as RunnerEvent;
        events.push(event);
        onEvent?.(event, control);
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`harness still running after ${limitMs} ms; stderr: ${stderr}`));
    }, limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ events, code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/** Events of one type, typed. */
export function ofType<T extends RunnerEvent['type']>(events: RunnerEvent[], type: T): Extract<RunnerEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<RunnerEvent, { type: T }>[];
}

/** The run numbers of a strategy, in order. */
export function runsOf(events: RunnerEvent[], strategy: string): number[] {
  return ofType(events, 'run-start').filter((e) => e.strategy === strategy).map((e) => e.run);
}

/** The task spans of one run, by input index: from `tasks` lines (many ends to a line) and any single `task-end`. */
export function tasksOf(events: RunnerEvent[], run: number): TaskSpan[] {
  return events.flatMap((e) => ('run' in e && e.run === run ? endedSpans(e) : [])).sort((a, b) => a.index - b.index);
}

/** All descendant pids of a process (children, grandchildren, …), via `ps -o pid= --ppid`. */
export function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

/** Whether a pid is still alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false;
  }
}

/** Waits until `check` holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/**
 * Starts the harness without waiting for it: for tests that close its stdin or kill it.
 * `until(text)` resolves once an event line containing `text` arrived, rejects if it exits first.
 */
export function startHarness(opts: RunnerOptions) {
  assertBuilt();
  const child = spawn(PYTHON, ['-u', HARNESS], {
    cwd: dirname(opts.file),
    env: { ...process.env, PP_RUNNER_OPTIONS: JSON.stringify(opts) },
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
  });
  let events = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  (child.stdio[3] as Readable).on('data', (d: Buffer) => (events += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const until = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (events.includes(text)) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 20);
      void closed.then((code) => {
        check();
        clearInterval(timer);
        reject(new Error(`harness exited (${code}) before ${text}; events: ${events}; stderr: ${stderr}`));
      });
    });
  return { child, closed, until, events: () => events };
}
