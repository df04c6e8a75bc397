/**
 * The event protocol between a runner process (JS or Python) and the controller that started it.
 *
 * Runner → controller: one JSON object per line on file descriptor 3 (stdout and stderr stay the
 * user's). Controller → runner: one JSON object per line on the runner's stdin.
 * All times are milliseconds since `hello.originEpochMs`, on a clock every thread and process of
 * the machine shares.
 */
import type { HotLockUse, Language, LockEvent, SharedValueChange, SourceLocation, StrategyName, TaskSpan, TaskStatus, Warning } from './model';

/** What the controller asks a runner to do; passed as JSON in the `PP_RUNNER_OPTIONS` env var. */
export interface RunnerOptions {
  file: string;
  name: string;
  language: Language;
  inputs: string;
  spread: boolean;
  strategies: StrategyName[];
  workers: number;
  repeat: number;
  /** Per-task timeout in ms; 0 = none. */
  taskTimeoutMs: number;
  /** Python: start method for the process pool. */
  startMethod?: 'fork' | 'spawn' | 'forkserver';
  /** Scratch folder the runner may write to (bundles, shared memory files); removed afterwards. */
  scratchDir: string;
}

/** One of the user's own locks (Python): its kind ("threading.Lock") and whether worker processes share it. */
export interface OwnLock {
  name: string;
  kind: string;
  shared: boolean;
}

export type RunnerEvent =
  | {
      type: 'hello';
      /** The runner's shared clock at the start: the wall clock (Python) or the monotonic clock (JS). */
      originEpochMs: number;
      pid: number;
      runtime: string;
      platform: string;
      cpus: number;
      gil?: boolean | null;
    }
  /** The target is bundled (JS): the user's module is loaded next; the preparation clock starts. */
  | { type: 'loading' }
  | { type: 'inputs'; count: number }
  /**
   * Python: the user's own locks the harness watches (ownlocks.py), by the names their lock events
   * use, and whether worker processes share each (a multiprocessing lock) or copy it (threading's).
   */
  | { type: 'own-locks'; locks: OwnLock[] }
  | { type: 'run-start'; run: number; strategy: StrategyName; workers: number; repeat: number; startMs: number }
  | { type: 'worker'; run: number; lane: number; pid: number; threadId: number; spawnMs: number; readyMs?: number; loadMs?: number }
  | { type: 'worker-exit'; run: number; lane: number; exitMs: number; exitCode: number | null; signal?: string | null }
  /** A task is running (Python only: every task of its process pool, and tasks of its thread pool still running when it looks). */
  | { type: 'task-start'; run: number; index: number; lane: number; queuedMs: number; startMs: number }
  | ({ type: 'task-end'; run: number } & TaskSpan)
  /**
   * Task ends batched into one line; read it with `spansOf`. The JS runner writes its ok columns to
   * the ok file instead (`okInFile` says how many, and on which lanes, for progress and the
   * deadlock watch); the Python harness sends them here.
   */
  | { type: 'tasks'; run: number; ok?: OkColumns; spans?: TaskSpan[]; okInFile?: { count: number; lanes: number[] } }
  | ({ type: 'lock'; run: number } & LockEvent)
  /** A task ended holding a lock, which its worker then released: a lock left held for ever in a program. */
  | { type: 'left-held'; run: number; task: number; lock: string; site?: SourceLocation }
  /** Each worker's uses of its hot locks (past those told one by one), and how long they waited in all. */
  | { type: 'hot-locks'; run: number; locks: HotLockUse[] }
  /** Workers take locks that are not told one by one (hot ones): the run goes on, for the hang watch. */
  | { type: 'busy'; run: number }
  | { type: 'counter'; run: number; expected: number; observed: number; shared?: SharedValueChange[] }
  | { type: 'run-end'; run: number; wallMs: number; cpuMs: number | null; callsCpuMs?: number; childCpuMs?: number; aborted?: string }
  /** Answer to `dump-stacks`: what each busy worker is running, with its stack where available. */
  /** `idle`: a worker that gave no stack sleeps in its event loop: its call awaits something unsettled (eventLoopIdle.ts). */
  | { type: 'stacks'; run: number; workers: { lane: number; task?: number; stack?: string; idle?: boolean }[] }
  | { type: 'warning'; warning: Warning }
  | { type: 'log'; message: string }
  /** Bad input or an unusable environment: one line for the user, then the runner exits with 2. */
  | { type: 'fatal'; message: string }
  | { type: 'done' };

export type ControllerCommand =
  /** Stop everything now; finish with partial runs marked cancelled. */
  | { type: 'cancel' }
  /** Stop these running tasks (e.g. deadlocked), replacing their workers; they end with `status`. */
  | { type: 'kill-tasks'; run: number; tasks: number[]; status: TaskStatus; reason: string }
  /** Report what each worker is doing (stacks where available), as `log`/`warning` events. */
  | { type: 'dump-stacks'; run: number };

/**
 * Tasks that returned normally, as columns (entry i of every array is one task): a batch of
 * thousands of tiny tasks is then a few arrays of numbers to write and parse, not thousands of
 * objects with the same keys. Times are whole microseconds: integers are about three times quicker
 * than decimals to write and to parse.
 */
export interface OkColumns {
  index: number[];
  lane: number[];
  queuedUs: number[];
  startUs: number[];
  endUs: number[];
  /** null where the runtime cannot measure one task's CPU time. */
  cpuUs: (number | null)[];
  digest: string[];
  /** null where the preview is the digest without its type tag (`n:42` → `42`). */
  preview: (string | null)[];
}

/**
 * Where the JS runner appends its ok columns: one `OkLine` per line, in the profile's scratch
 * folder, read by the controller once the runner has exited. Every task that returned normally
 * crosses here rather than through the events pipe: the controller, reading and parsing megabytes
 * of them while the run went on, took CPU time from the workers being measured (about 3.5% of the
 * thread pool's throughput on empty tasks, 2 cores). A regular file costs the runner a write to the
 * page cache, and the controller nothing until the run is over; what was written before a crash is
 * still there.
 */
export const OK_FILE = 'ok-columns.jsonl';

export interface OkLine {
  run: number;
  ok: OkColumns;
}

/** The `tasks` events of an ok file's text; a line cut short by a crash is left out. */
export function okFileEvents(text: string): Extract<RunnerEvent, { type: 'tasks' }>[] {
  const events: Extract<RunnerEvent, { type: 'tasks' }>[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const { run, ok } = JSON.parse(line) as OkLine;
      events.push({ type: 'tasks', run, ok });
    } catch {
      // the runner died while writing it
    }
  }
  return events;
}

/** How many task ends a `tasks` event tells of, and how many of them failed. */
export function endedCount(event: Extract<RunnerEvent, { type: 'tasks' }>): { ended: number; failed: number } {
  const failed = event.spans?.filter((s) => s.status !== 'ok').length ?? 0;
  const ok = event.ok?.index.length ?? event.okInFile?.count ?? 0;
  return { ended: ok + (event.spans?.length ?? 0), failed };
}

/** The task spans of a `tasks` event: the ok columns as spans, then the others as they came. */
export function spansOf(event: Extract<RunnerEvent, { type: 'tasks' }>): TaskSpan[] {
  const spans: TaskSpan[] = [];
  const ok = event.ok;
  if (ok) {
    for (let i = 0; i < ok.index.length; i++) {
      const span: TaskSpan = {
        index: ok.index[i],
        lane: ok.lane[i],
        queuedMs: ok.queuedUs[i] / 1000,
        startMs: ok.startUs[i] / 1000,
        endMs: ok.endUs[i] / 1000,
        status: 'ok',
        digest: ok.digest[i],
        resultPreview: ok.preview[i] ?? ok.digest[i].slice(2),
      };
      const cpuUs = ok.cpuUs[i];
      if (cpuUs !== null) span.cpuMs = cpuUs / 1000;
      spans.push(span);
    }
  }
  if (event.spans) spans.push(...event.spans);
  return spans;
}

/** The task ends an event carries, in either form: a `tasks` line's spans, or one `task-end`. */
export function endedSpans(event: RunnerEvent): TaskSpan[] {
  if (event.type === 'tasks') return spansOf(event);
  if (event.type === 'task-end') {
    const { type: _type, run: _run, ...span } = event;
    return [span];
  }
  return [];
}

/** Exit code of a runner (and the CLI) for bad input. */
export const EXIT_BAD_INPUT = 2;
