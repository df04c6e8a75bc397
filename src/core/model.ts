/**
 * The report: what one profiling run produced. It is plain data (JSON) that the CLI writes, the
 * panel renders and other tools read; the field names listed in the README's report contract are
 * stable, new fields may be added.
 */

export type Language = 'javascript' | 'typescript' | 'python';
export type StrategyName = 'sequential' | 'threads' | 'processes';
export const STRATEGIES: readonly StrategyName[] = ['sequential', 'threads', 'processes'];

export type TaskStatus = 'ok' | 'error' | 'timeout' | 'crashed' | 'cancelled' | 'deadlocked';
export type LockKind = 'request' | 'acquire' | 'release';
export type WarningKind =
  | 'race'
  | 'divergence'
  | 'deadlock'
  | 'lock-order'
  | 'hang'
  | 'error'
  | 'crash'
  | 'gil'
  | 'overhead'
  | 'imbalance'
  /** Other programs (or the VM's host) took enough CPU time during a run to skew its timing. */
  | 'busy-machine'
  /** The sequential run's first call paid start-up that the pools after it did not (warmUp.ts). */
  | 'warm-up'
  /** A pool's calls spent much of their time waiting for a lock (lockWaits.ts). */
  | 'contention';

/** One function in one file. */
export interface Target {
  file: string;
  name: string;
  language: Language;
}

export interface SourceLocation {
  file: string;
  line: number;
}

/** One worker (thread or process) of one run. Times are ms since the profile's start. */
export interface Lane {
  id: number;
  pid: number;
  threadId: number;
  spawnMs: number;
  readyMs?: number;
  /** How long the worker took to load the user's module (its imports and top-level code), ms. */
  loadMs?: number;
  exitMs?: number;
  exitCode?: number | null;
  signal?: string | null;
}

/** One call of the target. */
export interface TaskSpan {
  index: number;
  lane: number;
  queuedMs: number;
  startMs: number;
  endMs: number;
  status: TaskStatus;
  error?: string;
  /** Where the error was raised in the user's code, when known. */
  errorLocation?: SourceLocation;
  /** Short digest of the result, to compare strategies. */
  digest?: string;
  /** A short, human-readable preview of the result. */
  resultPreview?: string;
  /** CPU time of the call (user + system), when the runtime can measure it per task. */
  cpuMs?: number;
  /** Time spent serializing arguments and result across the worker boundary, when measured. */
  serializeMs?: number;
  /**
   * Bytes pickled to move the task's input to its worker process and its result back, where 64 KB
   * or more (Python's process pool).
   */
  movedBytes?: number;
}

export interface LockEvent {
  lane: number;
  /** Input index of the task that made the call. */
  task: number;
  lock: string;
  kind: LockKind;
  atMs: number;
  site?: SourceLocation;
}

/**
 * A worker's uses of a lock past those told one by one as lock events (its first thousand in the
 * worker, or in a Python run): how many, and how long they waited in all (ms). The runtime's named
 * locks only, in JS and Python.
 */
export interface HotLockUse {
  lane: number;
  lock: string;
  uses: number;
  waitMs: number;
}

export interface CounterTotals {
  expected: number;
  observed: number;
  lost: number;
}

/**
 * A number the user's own code shares and updates, defined at module level (Python: a
 * multiprocessing Value or RawValue, or a global a function updates, pp_harness/sharedvalues.py;
 * JS: a module-level variable, runners/js/moduleValues.ts), and how much one run changed it.
 */
export interface SharedValueChange {
  name: string;
  /**
   * A multiprocessing Value (with its lock), a RawValue (none), an Array or RawArray of numbers
   * (measured by the sum of its items; in JS a typed array), a plain global (a JS number variable),
   * or a module-level list or set (by its length) or dict (its numbers summed, its other values
   * counted; in JS a Map or plain object), or a Python function's lru_cache (by its size; named
   * by the function), or, in JS, a SharedArrayBuffer the inputs hold (by the sum of its items, as
   * the typed array over it reads them), which worker threads truly share; or a number attribute
   * of a Python module-level object of the module's own class that the code updates (`bank.balance`).
   */
  kind: 'value' | 'raw' | 'array' | 'global' | 'list' | 'set' | 'dict' | 'cache' | 'buffer' | 'attribute';
  /** Where it is defined. */
  location?: SourceLocation;
  /** The first line that updates it, and its code (`hits.value += 1`) where short. */
  updateSite?: SourceLocation;
  updateCode?: string;
  change: number;
  /** In this run each worker process updated a copy of its own, so this one could not change. */
  ownCopies?: boolean;
  /**
   * JS: how much each worker's own copy of the module changed in a pool run (every worker thread
   * and process loads the module afresh); `change` is then the copy that changed most.
   */
  copies?: number[];
  /**
   * A list, set or dict its code only stores into or appends to, never reading it back in the same
   * update: a thread cannot lose what another stored, so a smaller change is no race.
   */
  storesOnly?: boolean;
  /** How much less it changed than in the sequential run, once analysed (analysis.ts). */
  lost?: number;
  /**
   * Python: a manager's dict, list or value (multiprocessing.Manager()), which lives in the
   * manager's process: shared by every thread, and by forked workers.
   */
  manager?: boolean;
  /** Python: the lock its update is taken under (`with lock:`), where there is one. */
  guard?: UpdateGuard;
}

/**
 * The lock around a shared value's update, and whether it kept the run's other workers out: a
 * lock made at each call keeps out no one, a threading lock only its own process's threads, a
 * multiprocessing lock in a process pool only workers that were forked and so share it.
 */
export interface UpdateGuard {
  kind: 'fresh' | 'threading.Lock' | 'threading.RLock' | 'multiprocessing.Lock' | 'multiprocessing.RLock';
  /** Its module-level name; none for a lock made at each call. */
  name?: string;
  /** The `with` that takes it, and its code where short. */
  location: SourceLocation;
  code?: string;
  excludes: boolean;
}

export interface RunMetrics {
  speedup: number | null;
  efficiency: number | null;
  utilization: number | null;
  overheadMs: number | null;
  loadImbalance: number | null;
  serialFraction: number | null;
  stragglers: number[];
  busyMs: number;
  medianTaskMs: number | null;
  /**
   * A call's work as a pool's per-task costs weigh it: the median call, or the mean where a few
   * long calls hold most of the work (a cache's misses among its hits), whichever is more.
   */
  callMs: number | null;
  /** CPU time divided by wall time of the tasks: near 1 for CPU-bound, near 0 for I/O-bound. */
  cpuPerWall: number | null;
}

/** One strategy executed once. */
export interface Run {
  strategy: StrategyName;
  workers: number;
  /** 0-based repetition, when `--repeat` is above 1. */
  repeat: number;
  wallMs: number;
  /** CPU time (user + system) of the run: its workers, their start-up, and the pool's own thread. */
  cpuMs: number | null;
  /**
   * The workers' CPU time from ready to their last call, where it was measured (JS sequential and
   * thread runs; Linux, or Node 23.9 and later for the sequential one): what the calls used,
   * without start-up.
   */
  callsCpuMs?: number;
  /**
   * CPU time of the processes the calls started and waited for (Python: a subprocess, a process
   * pool of the function's own), where any: their work is the calls' work, which `cpuMs` leaves out.
   */
  childCpuMs?: number;
  startMs: number;
  lanes: Lane[];
  tasks: TaskSpan[];
  locks: LockEvent[];
  /** Uses of hot locks that no lock event tells, per worker, where there were any (lockWaits.ts). */
  hotLocks?: HotLockUse[];
  counter: CounterTotals;
  /** The user's own shared numbers (Python), where the code has any. */
  sharedValues?: SharedValueChange[];
  metrics: RunMetrics;
  /** Why the run did not complete normally, if it did not. */
  aborted?: string;
  /**
   * The share (0–1) of the machine's CPU time that other programs and the VM's host used at least
   * while this run ran, where Linux tells (machineLoad.ts); absent where it cannot be measured.
   */
  otherLoad?: number;
  /**
   * Lines the user's code printed (stdout and stderr) during this run, as the controller counted
   * them: the output after one run's start and before the next's (output and events travel in
   * separate pipes, so a few lines may be counted in the neighbouring run).
   */
  outputLines?: number;
}

/** Why a function's results differ from run to run by nature: it draws random numbers, or returns which worker ran it or the time. */
export type Varying = 'random' | 'identity';

export interface Warning {
  kind: WarningKind;
  strategy?: StrategyName;
  message: string;
  location?: SourceLocation;
  /** In how many of the repeats this warning appeared (with `--repeat`). */
  seenIn?: { repeats: number; of: number };
  /** Further lines: stacks, per-worker details. */
  details?: string[];
  /** The user's own shared number the warning is about (SharedValueChange), by name. */
  shared?: string;
  /** The user's own lock the warning is about, by name: one that keeps no worker process out of another's way. */
  lock?: string;
  /** A divergence of a pool whose workers drew the same random numbers as one another (analysis.ts, sameDraws). */
  sameDraws?: true;
  /** A race that lost nothing in this run, though it can (sharedValues.ts, unlockedUpdates). */
  unseen?: true;
}

export interface Machine {
  cpus: number;
  platform: string;
  runtime: string;
  /** Python only: whether the GIL is enabled (`sys._is_gil_enabled()`), when known. */
  gil?: boolean | null;
}

export interface Report {
  version: 1;
  createdAt: string;
  target: Target;
  machine: Machine;
  inputs: { expression: string; count: number; spread: boolean };
  runs: Run[];
  warnings: Warning[];
  verdict: string;
  /** Set when the profile was cancelled before every run finished. */
  cancelled?: boolean;
}

export const REPORT_VERSION = 1 as const;
