/**
 * Every warning's wording, in one place. Each says what happened, where, and what to do.
 */
import type { WarmUp } from './warmUp';
import type { DominantTask } from './metrics';
import type { LockOrderInversion } from './lockOrder';
import { AMDAHL_SHARE, MANY_USES, contentionFix, speedupCap, usesText, type Contention } from './lockWaits';
import type { Language, Machine, Run, SharedValueChange, SourceLocation, StrategyName, Target, Varying, Warning } from './model';

const fmt = (n: number) => String(Number(n.toFixed(2)));

/** "a", "a and b", "a, b and c". */
export function listed(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
/** A path's last part, "primes.ts", whichever separator it uses. */
export const fileName = (file: string): string => file.split(/[\\/]/).pop()!;
/**
 * A duration for a sentence: "812 ms", "12 ms", "0.42 ms"; under 0.1 ms in µs ("1.7 µs"), never
 * "0.00 ms". Spans are kept in whole µs, so a call of under 0.5 µs has lasted 0: "a fraction of a µs".
 */
export function durationText(ms: number): string {
  if (ms < 0.001) return 'a fraction of a µs';
  if (ms >= 100) return `${Math.round(ms)} ms`;
  const rounded = Number(ms.toPrecision(2));
  return rounded >= 0.1 ? `${rounded} ms` : `${Number((ms * 1000).toPrecision(2))} µs`;
}
/** What of a shared value is measured: an array by the sum of its items, a list by its length. */
export function measureOf(kind: SharedValueChange['kind']): string {
  if (kind === 'array' || kind === 'buffer') return 'the sum of its items';
  if (kind === 'list' || kind === 'set') return 'its length';
  if (kind === 'dict') return 'the sum of its values';
  if (kind === 'cache') return 'its size';
  return 'it';
}
/** A list, set or dict (and their kin) or a function's cache, measured by size rather than as a number. */
export const isContainer = (kind: SharedValueChange['kind']) => kind === 'list' || kind === 'set' || kind === 'dict' || kind === 'cache';
/** A change of a shared number: "320,000", "12.5". */
export const amountText = (n: number) => Number(n.toPrecision(12)).toLocaleString('en-US', { maximumFractionDigits: 6 });
const pct = (share: number) => `${Math.round(100 * share)}%`;
const at = (loc?: SourceLocation) => (loc ? ` at ${loc.file}:${loc.line}` : '');

/**
 * Why a JS call overflowed its stack in a worker process and not in a worker thread: Node gives a
 * worker thread a 4 MB stack, and V8 a process's main thread about 1 MB.
 */
const stackSizes = (ranIn: StrategyName) =>
  ` — the same input ran in ${ranIn}: a worker process runs the call on its main thread, whose stack V8 keeps to about 1 MB, where a worker thread's holds 4 MB, so recursion this deep overflows only in processes; turn the recursion into a loop (or make it shallower), or run it in threads`;

/** Where and how a guard of an update takes its lock: "`with lock:` at f.py:5". */
const guardTaken = (guard: NonNullable<SharedValueChange['guard']>) => `\`${guard.code ?? `with ${guard.name ?? 'lock'}:`}\`${at(guard.location)}`;

/** The fix for a lock the function makes afresh at each call. */
const FRESH_LOCK_FIX = 'make the lock once, at module level (lock = threading.Lock()), and take that one';

/**
 * Why the lock around a lost update (`with lock:`) kept no one out, and the fix, or undefined where
 * there is none or it did its job. `fix`: the fix for the update as if it had no lock; a process
 * pool's needs a lock its workers share, so a module-level threading.Lock is no fix there.
 */
function guardThatFailed(strategy: StrategyName, value: SharedValueChange, fix: string): [string, string] | undefined {
  const { guard } = value;
  if (!guard || guard.excludes) return undefined;
  const taken = guardTaken(guard);
  const update = value.updateCode ? `\`${value.updateCode}\`` : 'its update';
  const other = strategy === 'processes' ? 'worker' : 'thread';
  const why =
    guard.kind === 'fresh'
      ? `${taken} takes a lock made afresh at each call, so no two calls ever wait for the same one, and another ${other}'s ${update} in between is overwritten`
      : guard.kind.startsWith('threading.')
        ? `${taken} takes a ${guard.kind}, of which each worker process has a copy of its own that keeps out only its own threads, so another worker's ${update} in between is overwritten`
        : `${taken} takes a ${guard.kind} that each worker process made afresh as it imported ${fileName(guard.location.file)} (the spawn or forkserver start method), so each holds a lock of its own, and another worker's ${update} in between is overwritten`;
  if (strategy !== 'processes') return [why, guard.kind === 'fresh' ? FRESH_LOCK_FIX : fix];
  const own = value.manager
    ? `a lock from the same manager (lock = manager.Lock())`
    : value.kind === 'value' || value.kind === 'array'
      ? `the ${value.kind === 'value' ? 'Value' : 'Array'}'s own (with ${value.name}.get_lock(): ${value.updateCode ?? `${value.name}.value += 1`})` : undefined;
  const shared = guard.kind.startsWith('multiprocessing.')
    ? `make ${guard.name} once in the parent and hand it to the workers (ProcessPoolExecutor(initializer=…, initargs=(${guard.name},)))${own ? `, or take ${own}` : ''}`
    : own
      ? `take a lock the worker processes share: ${own}, or a multiprocessing.Lock made before the pool`
      : fix;
  return [why, shared];
}

const sameLine = (x: SourceLocation, y: SourceLocation) => x.file === y.file && x.line === y.line;

/** The fix for locks one line takes in the order its inputs give (a transfer from a to b, and b to a). */
function orderedByInputsFix(language: Language): string {
  return language === 'python'
    ? 'take them in one order whatever the input: sort the two first (by name or key; lock objects by id()) and take the first of them first'
    : 'take them in one order whatever the input: sort the two names first (const [one, two] = [a, b].sort()) and take the first of them first';
}

/** Why a pool of one worker is no faster than sequential, and the fix. */
export const ONE_WORKER = 'with one worker the pool runs the calls one at a time, as the sequential run does, and adds its start-up and the moving of inputs and results — profile it with more workers (--workers 2 or more)';

/** Why a thread run lost none of the updates it could have lost, by the Python it ran on. */
function whyNoneLost(machine: Machine): string {
  const minor = /CPython 3\.(\d+)/.exec(machine.runtime)?.[1];
  if (machine.gil === false) {
    return "on this free-threaded build the threads run at once, and no two updates happened to meet in this run; where one thread's comes between another's read and write, it is overwritten — more calls, or another run, lose some";
  }
  if (minor !== undefined && Number(minor) >= 10) {
    return `Python 3.${minor} switches threads only at loop turns and calls, never inside an update of numbers like this one, so the race did not show here; on Python 3.9 and earlier, on a free-threaded build, or once the update calls a function, threads overwrite each other's updates`;
  }
  return `${minor === undefined ? 'Python' : `Python 3.${minor}`} switches threads every 5 ms (sys.getswitchinterval()), and in this run no switch fell between a read and its write; one that does lets the other thread's update be overwritten — more calls, or another run, lose some`;
}

/** Why an update of a manager's dict, list or value was lost, and the fix. */
function managerUpdate(strategy: StrategyName, value: SharedValueChange): [string, string] {
  const { name } = value;
  const written = value.updateCode ?? (value.kind === 'value' ? `${name}.value += …` : `${name}[k] += …`);
  const other = strategy === 'processes' ? 'worker' : 'thread';
  return [
    `\`${written}\` reads through the manager and writes back, two calls to its process, and another ${other}'s write in between is overwritten`,
    `hold a lock every worker shares around the update, one from the same manager (lock = manager.Lock(), made beside ${name}), or return each call's part and combine them afterwards`,
  ];
}

/** Why a pool that redid cached work lost, for its overhead warning and the verdict. */
export const redoneText = (cache: string) => `each worker computed again what the sequential run's calls reused from ${cache} (see the warning on it)`;

/** A cache the warnings name: a module-level memo by its name, a function's lru_cache by its function. */
export const memoName = (value: Pick<SharedValueChange, 'name' | 'kind'>): string => (value.kind === 'cache' ? `${value.name}'s lru_cache` : value.name);

/** A warning about one of the user's shared values, at the line that updates it (else where it is made). */
const aboutValue = (kind: Warning['kind'], strategy: StrategyName, value: SharedValueChange, message: string): Warning => ({
  kind,
  strategy,
  shared: value.name,
  location: value.updateSite ?? value.location,
  message,
});

/** What the analysis knows about a slow pool's run, for the overhead warning. */
export interface OverheadFacts {
  /** A call's work (RunMetrics.callMs). */
  callMs: number | null;
  utilization: number | null;
  /** Other programs' share of the machine, where it was high enough to blame. */
  busyShare?: number;
  /** What the calls shared (sharedThings), if anything. */
  shared?: string;
  /** Lines printed, where the calls print enough to slow the pool (printsALot). */
  outputLines?: number;
  workers: number;
  inputs: number;
  /** The machine's CPUs, where the calls are CPU-bound (more workers cannot help then). */
  cpusForCpuBound?: number;
  /** Where the workers spent long loading the user's module (slowLoadOf). */
  slowLoad?: SlowLoad;
  /** A cache each worker filled again, redoing what the sequential run reused (memoName). */
  redone?: string;
  /** Big inputs and results pickled to and from the worker processes (movedData). */
  moved?: MovedData;
  /** Python's process pool: the `chunksize` that would give each of its tasks about CHUNK_MS of calls. */
  chunksize?: number;
}

/** A task's work worth a process pool's round trip: its calls' time when batched by `chunksize`. */
const CHUNK_MS = 10;

/**
 * The `chunksize` for ProcessPoolExecutor.map that batches calls of `callMs` into tasks of about
 * CHUNK_MS, leaving each worker four tasks at least to balance with.
 */
export function chunksizeFor(callMs: number, inputs: number, workers: number): number | undefined {
  const size = Math.min(Math.ceil(CHUNK_MS / Math.max(callMs, 0.001)), Math.floor(inputs / (4 * workers)));
  return size >= 2 ? size : undefined;
}

/** What a process pool's tasks moved to and from their workers, where it is a lot. */
export interface MovedData {
  totalBytes: number;
  /** Per task, on average. */
  perTaskBytes: number;
}

/** Data moved this much in all, and this much a task, makes a cause of a pool's slowness. */
const MOVED_MUCH = { total: 8 * 2 ** 20, perTask: 2 ** 20 };

/** A process pool's tasks' moved bytes (TaskSpan.movedBytes), where they are much. */
export function movedData(run: Run): MovedData | undefined {
  if (run.strategy !== 'processes' || run.tasks.length === 0) return undefined;
  const totalBytes = run.tasks.reduce((sum, t) => sum + (t.movedBytes ?? 0), 0);
  const perTaskBytes = totalBytes / run.tasks.length;
  return totalBytes >= MOVED_MUCH.total && perTaskBytes >= MOVED_MUCH.perTask ? { totalBytes, perTaskBytes } : undefined;
}

const mb = (bytes: number) => `${Number((bytes / 2 ** 20).toPrecision(bytes >= 10 * 2 ** 20 ? 3 : 2))} MB`;

/** Workers that spent a good part of the run loading the user's module before their first task. */
export interface SlowLoad {
  /** Each worker's load time, median, ms. */
  loadMs: number;
  /** Its share of the run's wall time. */
  share: number;
  file: string;
  language: Language;
  strategy: StrategyName;
}

/** Each worker's load of the module at least this long, and this share of the run, is worth a word. */
const SLOW_LOAD_MS = 50;
const SLOW_LOAD_SHARE = 0.2;

/**
 * Whether the run's workers spent a good part of it loading the user's module (its imports and
 * top-level code run again in each worker: a script without a main guard, a big import).
 */
export function slowLoadOf(run: Run, target: Target): SlowLoad | undefined {
  const loads = run.lanes.map((l) => l.loadMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  if (loads.length === 0 || run.wallMs <= 0) return undefined;
  const loadMs = loads[Math.floor(loads.length / 2)];
  const share = loadMs / run.wallMs;
  if (loadMs < SLOW_LOAD_MS || share < SLOW_LOAD_SHARE) return undefined;
  return { loadMs, share, file: target.file, language: target.language, strategy: run.strategy };
}

/** Why a pool whose workers load the module slowly loses: its top-level code runs in each. */
export function slowLoadText({ loadMs, share, file, language, strategy }: SlowLoad): string {
  const worker = strategy === 'processes' ? 'worker process' : 'worker thread';
  const fix = language === 'python' ? 'put script code under `if __name__ == "__main__":`' : 'do it inside the function, or once on first use';
  return `each worker spent ${durationText(loadMs)} loading ${fileName(file)} before its first task (${pct(share)} of the run): its imports and top-level code run again in every ${worker} — keep work out of module level (${fix}), or give the pool more work so its start-up pays`;
}

/** Why more workers than CPUs lose on CPU-bound calls. */
export function overCpus(workers: number, cpus: number): string {
  return `${workers} workers on ${cpus} CPU${cpus === 1 ? '' : 's'}: CPU-bound calls run at most ${cpus} at a time, and starting the other workers takes CPU from them — use ${cpus} workers`;
}

/**
 * Calls shorter than this cannot pay for a pool's messaging per task (tens of µs on a quiet
 * machine), so they explain a slow pool whatever else runs on the machine.
 */
const TOO_SHORT_FOR_A_POOL_MS = 0.05;

/**
 * Whether other programs' share of the machine during a run could account for a pool being this
 * much slower than sequential. The share is a lower bound and falls unevenly on the runs compared,
 * so it is counted twice: 10% can explain 0.72×, not a pool sixteen times slower. Under 5% (what the
 * busy-machine warning leaves out), it explains nothing; nor does it where the calls are too short
 * for any pool (`callMs`).
 */
export function loadCouldExplain(speedup: number, share: number, callMs: number | null): boolean {
  if (callMs !== null && callMs < TOO_SHORT_FOR_A_POOL_MS) return false;
  return share >= 0.05 && (share >= 0.5 || speedup / (1 - 2 * share) >= 0.9);
}

/**
 * What a run's calls shared, and so what its workers may wait on: "locks, the shared counter, hits"
 * (locks, the runtime's counter, the user's own shared numbers); undefined for nothing.
 */
export function sharedThings(run: Pick<Run, 'locks' | 'counter' | 'sharedValues'>): string | undefined {
  const things = [
    ...(run.locks.length > 0 ? ['locks'] : []),
    ...(run.counter.expected > 0 ? ['the shared counter'] : []),
    // The user's Values and Arrays, whose locks the workers take (not globals or RawValues: no lock to wait on).
    // A SharedArrayBuffer's items, which the threads' caches pass back and forth as they write them.
    ...(run.sharedValues ?? []).filter((v) => (v.kind === 'value' || v.kind === 'array' || v.kind === 'buffer') && v.change !== 0 && !v.ownCopies).map((v) => v.name),
  ];
  return things.length > 0 ? things.join(', ') : undefined;
}

/**
 * Lines of output that slow a pool: a line or more per call, and a thousand or more in all. The
 * workers take turns at the one stream they share (a worker thread's console even goes through the
 * main thread), so printing in every call can cost more than the call.
 */
export function printsALot(run: { outputLines?: number; tasks: unknown[] }): boolean {
  const lines = run.outputLines ?? 0;
  return lines >= 1000 && lines >= run.tasks.length;
}

/**
 * How much the calls printed, and why that matters. Rounded: output and events reach the controller
 * through separate pipes, so a run's count may hold a few lines of its neighbour's.
 */
export function printed(lines: number): string {
  return `the calls printed about ${Number(lines.toPrecision(2)).toLocaleString('en-US')} lines, and the workers take turns at the one output stream they share`;
}

export const Warnings = {
  lostUpdates(strategy: StrategyName, lost: number, expected: number, language: Language, location?: SourceLocation): Warning {
    const fix =
      language === 'python'
        ? 'use counter.add(), or hold a lock around the read-modify-write (with lock("counter"): ...)'
        : 'use counter.add(), or hold a lock around the read-modify-write (withLock("counter", () => ...))';
    return {
      kind: 'race',
      strategy,
      location,
      message: `${strategy}: ${lost} of ${expected} counter updates were lost (${((100 * lost) / expected).toFixed(1)}%) — unsafe read-modify-write raced between workers${at(location)}; ${fix}`,
    };
  },
  /** A JS module whose top-level code runs its program's main where it is the main thread (analysis.ts). */
  mainThreadGuard(location: SourceLocation, code: string): Warning {
    return {
      kind: 'overhead',
      location,
      message: `\`${code.length <= 60 ? code : `${code.slice(0, 57)}…`}\`${at(location)} runs the module's main code wherever it loads as a main thread: in the profiler's runner, as it loads the module to evaluate the inputs, and in every worker process, though not in the worker threads — so its work and its side effects (output, files, a pool of its own) happen there too, and the process pool's start-up pays for them; guard it with \`if (require.main === module)\` (CommonJS) or \`if (process.argv[1] === fileURLToPath(import.meta.url))\` (ES modules), which the profiler's workers do not pass`,
    };
  },
  /** A read-modify-write without a lock (or under one made at each call) that lost nothing in this run (sharedValues.ts). */
  unlockedUpdate(strategy: StrategyName, value: SharedValueChange, machine: Machine): Warning {
    const fresh = value.guard?.kind === 'fresh' ? value.guard : undefined;
    const unlocked = fresh ? `under ${guardTaken(fresh)}, a lock made afresh at each call, which no other call ever waits for` : 'with no lock between';
    const fix = fresh ? FRESH_LOCK_FIX : 'hold a threading.Lock around the update';
    return {
      kind: 'race',
      strategy,
      shared: value.name,
      unseen: true,
      location: value.updateSite,
      message: `${strategy}: no update to ${value.name} was lost in this run, but \`${value.updateCode}\`${at(value.updateSite)} reads it and writes it back ${unlocked}, while other threads update it too — ${whyNoneLost(machine)}; fix: ${fix}, or return each call's part and add them up afterwards`,
    };
  },
  /** The user's own shared number changed less than in the sequential run (sharedValues.ts). */
  lostSharedUpdates(strategy: StrategyName, value: SharedValueChange, expected: number): Warning {
    const { name } = value;
    // The update as the user wrote it, where the harness could quote it.
    const code = (written: string) => `\`${value.updateCode ?? written}\``;
    const lock = `with ${name}.get_lock(): ${value.kind === 'value' && value.updateCode ? value.updateCode : `${name}.value += 1`}`;
    const container = [
      `${value.updateCode ? code('') : `an update such as \`${name}[k] = ${name}.get(k, 0) + 1\``} reads and writes in two steps, and another thread's write in between is overwritten`,
      "hold a threading.Lock around the update, or return each call's part and combine them afterwards (collections.Counter for counts)",
    ];
    let [why, fix] = {
      array: [
        `${code(`${name}[i] += …`)} reads an item and writes it back in two steps, each under the Array's lock (a RawArray has none), and another worker's update in between is overwritten`,
        `hold the lock across the whole update (with ${name}.get_lock(): ${value.updateCode ?? `${name}[i] += 1`}; for a RawArray, use an Array)`,
      ],
      value: [
        `${code(`${name}.value += …`)} reads the value and writes it back in two steps, each under the Value's lock, and another worker's update in between is overwritten`,
        `hold the lock across the whole update (${lock})`,
      ],
      raw: [`a RawValue has no lock, and ${code(`${name}.value += …`)} reads it and writes it back in two steps`, `use a multiprocessing Value and hold its lock across the update (${lock})`],
      attribute: [
        `${code(`${name} += …`)} reads the attribute and stores it back in two steps, and another thread's store in between is overwritten`,
        "hold a threading.Lock around the update (in the method that makes it), or return each call's part and add them up afterwards",
      ],
      global: [
        `${code(`${name} += …`)} reads the global and stores it back in two steps, and another thread's store in between is overwritten`,
        'hold a threading.Lock around the update, or return each call\'s part and add them up afterwards',
      ],
      buffer: [
        `${code(`view[i]++`)} reads the item and writes it back in two steps, and another thread's write in between is overwritten`,
        "use Atomics.add(view, i, n) (Atomics.compareExchange in a loop for other updates), or return each call's part and add them up afterwards",
      ],
      list: container,
      set: container,
      dict: container,
      // A cache only stores: never a lost update (sharedValues.ts), here for the type's sake.
      cache: container,
    }[value.kind];
    if (value.manager) [why, fix] = managerUpdate(strategy, value);
    const guarded = guardThatFailed(strategy, value, fix);
    if (guarded) [why, fix] = guarded;
    const lost = value.lost ?? 0;
    return aboutValue('race', strategy, value, `${strategy}: updates to ${name} were lost: the calls changed ${measureOf(value.kind)} by ${amountText(value.change)}, where the sequential run changed it by ${amountText(expected)} (${((100 * lost) / Math.abs(expected)).toFixed(1)}% lost) — ${why}${at(value.updateSite)}; fix: ${fix}`);
  },
  /** A process pool's workers each updated a copy of the user's shared number (sharedValues.ts). */
  ownCopies(strategy: StrategyName, value: SharedValueChange, expected: number, language: Language = 'python'): Warning {
    if (language !== 'python') return Warnings.ownModuleCopies(strategy, value, expected);
    const { name } = value;
    const copies = value.copies?.length ? ` (the workers' own copies: ${value.copies.map(amountText).join(' and ')})` : '';
    const changed = (value.change === 0 ? 'did not change in this run' : `changed by ${amountText(value.change)} in this run`) + copies;
    const subject = value.kind === 'array' ? `the sum of ${name}'s items` : name;
    const gather = "return each call's part and add them up afterwards";
    const [why, fix] = isContainer(value.kind) && !value.manager
      ? [
          `a module-level ${value.kind} lives in each process's own memory: every worker process changed a copy of its own${at(value.updateSite)}, gone with the worker`,
          "return each call's value instead of keeping it in the module: the pool hands the return values back, in order (executor.map), to collect or combine in the parent",
        ]
      : value.kind === 'global'
        ? [`a global lives in each process's own memory: every worker process updated a copy of its own${at(value.updateSite)}, gone with the worker`, `${gather}, or use a multiprocessing Value, created before the pool and handed to the workers`]
        : value.kind === 'attribute'
        ? [
            `an object at module level lives in each process's own memory: every worker process updated its own copy of ${name.split('.')[0]}${at(value.updateSite)}, gone with the worker`,
            `${gather}, or keep the number in a multiprocessing Value, created before the pool and handed to the workers`,
          ]
        : [
            `each worker process was started afresh (the spawn or forkserver start method) and made its own ${name}${value.manager ? ', and a manager of its own,' : ''} as it imported ${value.location ? fileName(value.location.file) : 'your module'}${at(value.location)}, so their updates went to their own copies`,
            `create the ${value.manager ? `manager and ${name}` : value.kind === 'array' ? 'Array' : 'Value'} once in the parent and hand it to the workers (ProcessPoolExecutor(initializer=…, initargs=(${name},))), or ${gather}`,
          ];
    return aboutValue('divergence', strategy, value, `${strategy}: ${subject} ${changed}, where the sequential run changed ${isContainer(value.kind) ? measureOf(value.kind) : 'it'} by ${amountText(expected)} — ${why}; fix: ${fix}`);
  },
  /**
   * JS: every worker thread and process loads the module afresh, so a module-level variable the
   * calls update has a copy per worker, and no copy saw all the calls (moduleValues.ts).
   */
  ownModuleCopies(strategy: StrategyName, value: SharedValueChange, expected: number): Warning {
    const { name, kind } = value;
    const copies = value.copies ?? [value.change];
    const workers = strategy === 'processes' ? 'worker process' : 'worker thread';
    const update = value.updateCode ? `\`${value.updateCode}\`${at(value.updateSite)}` : `its update${at(value.updateSite ?? value.location)}`;
    const measured = { global: name, list: `${name}.length`, set: `${name}.size`, dict: `the sum of the values in ${name}`, array: `the sum of the items in ${name}` }[kind as string] ?? name;
    // Threads can share memory (a SharedArrayBuffer); processes share none unless given a file or a pipe.
    const share =
      strategy === 'processes'
        ? 'worker processes share no memory: the profiler\'s counter.add() (parallel-profiler/runtime) shares one number through a file'
        : 'or share one: Atomics.add on a SharedArrayBuffer made once and handed to every worker (what counter.add() from parallel-profiler/runtime does)';
    const fix = isContainer(kind)
      ? "return each call's value instead of keeping it in the module: the pool hands the results back, in order, to collect in the caller"
      : `return each call's ${kind === 'array' ? 'counts' : 'part'} and add them up in the caller; ${share}`;
    return aboutValue(
      'divergence',
      strategy,
      value,
      `${strategy}: each ${workers} loads its own copy of the module, so ${update} changed only that worker's ${name}: ` +
        `${measured} changed by ${copies.map(amountText).join(' and ')} in the ${copies.length} copies, where the sequential run's one copy changed by ${amountText(expected)}; ` +
        `in your program the caller's copy would change by none of it; fix: ${fix}`,
    );
  },
  /** A cache each pool worker filled on its own, doing again what the sequential run reused (sharedValues.ts); named by memoName. */
  redoneWork(strategy: StrategyName, value: SharedValueChange, expected: number, together: number): Warning {
    const { name, kind } = value;
    const measure = measureOf(kind);
    // A function's lru_cache: the calls it answered from memory in the sequential run, each worker computed again.
    const cache = kind === 'cache';
    const what = memoName(value);
    const fix = cache
      ? `send each distinct input once (drop the repeats before the pool, and look them up in its results afterwards), or give the inputs that repeat to one task`
      : `give the inputs that share it to one task (or one worker), or fill ${name} once before the pool and hand it to every worker`;
    return aboutValue(
      'overhead',
      strategy,
      value,
      `${strategy}: each worker filled a copy of ${what} of its own: ${measure.replace(/\bits\b/, 'their')} grew by ${value.copies?.map(amountText).join(' and ') ?? amountText(together)}, ` +
        `${amountText(together)} together, where the sequential run's one copy grew by ${amountText(expected)} — ` +
        `what the sequential run's calls reused from it, each worker ${cache ? 'computed' : 'gathered'} again, so part of the pool's work was done twice; ${fix}`,
    );
  },
  /** `seed`: where the module seeds its generator as it loads, if it does. */
  sameDraws(strategy: StrategyName, repeats: { count: number; of: number; example: string }, draw: SourceLocation, seed: SourceLocation | undefined, fix: string): Warning {
    const why = seed
      ? `the seed set as the module loads${at(seed)} is set alike in every worker, so the draw${at(draw)} gave each worker the same numbers`
      : `the draw${at(draw)} started from the same random state in every worker (a forked worker process copies its parent's generator)`;
    return {
      kind: 'divergence',
      strategy,
      location: seed ?? draw,
      sameDraws: true,
      message:
        `${strategy}: the workers drew the same random numbers: ${repeats.count} of ${repeats.of} calls returned what the call beside them on another worker returned (${repeats.example}), where sequentially their results differ — ` +
        `${why}; the pool repeated one worker's draws, and an estimate made from them is no better than one worker's; ${fix}`,
    };
  },
  /** `seeded`: a generator seeded from the input, in the words of the draw's library (random.Random(x)). */
  divergence(strategy: StrategyName, examples: string[], total: number, location?: SourceLocation, varying?: Varying, seeded = 'random.Random(x) in Python, a seeded generator in JS'): Warning {
    const why =
      varying === 'random'
        ? `the code draws random numbers${at(location)}, and each run draws others — to compare the strategies, seed a generator from the input (${seeded}); where results need only agree statistically (a Monte Carlo estimate), this is expected`
        : varying === 'identity'
          ? `the code reads${at(location)} which worker runs it or the time, and those differ from run to run — expected, not a race; to compare the strategies' results, leave such values out of what the function returns`
          : 'the function depends on shared state or timing; make it depend only on its arguments';
    return {
      kind: 'divergence',
      strategy,
      location,
      message: `${strategy}: ${total} input${total === 1 ? '' : 's'} gave a different result than sequentially (${examples.join('; ')}) — ${why}`,
    };
  },
  /** `ranElsewhere`: a strategy where the first failed input ran, for a JS stack overflow in processes only. */
  taskErrors(strategy: StrategyName, count: number, first: string, location?: SourceLocation, ranElsewhere?: StrategyName): Warning {
    return {
      kind: 'error',
      strategy,
      location,
      message: `${strategy}: ${count} task${count === 1 ? '' : 's'} failed; first: ${first}${ranElsewhere ? stackSizes(ranElsewhere) : ''}`,
    };
  },
  lockOrder(inversion: LockOrderInversion, language: Language): Warning {
    const { first: a, second: b, firstSite: siteAB, secondSite: siteBA } = inversion;
    const details = [`"${a}" → "${b}"${at(siteAB)} (input #${inversion.firstTask})`, `"${b}" → "${a}"${at(siteBA)} (input #${inversion.secondTask})`];
    if (siteAB && siteBA && sameLine(siteAB, siteBA)) {
      return {
        kind: 'lock-order',
        location: siteAB,
        message: `potential deadlock: the same code${at(siteAB)} takes lock "${a}" then "${b}" for input #${inversion.firstTask}, and "${b}" then "${a}" for input #${inversion.secondTask} — which lock comes first depends on the call's input, so two calls at once can each hold the lock the other waits for; ${orderedByInputsFix(language)}`,
        details,
      };
    }
    return {
      kind: 'lock-order',
      location: siteBA ?? siteAB,
      message: `potential deadlock: lock "${a}" then "${b}"${at(siteAB)}, but "${b}" then "${a}"${at(siteBA)} — take locks in one global order everywhere`,
      details,
    };
  },
  /** A lock that `tasks` calls ended holding, the first of them input #`task`: the worker released it. */
  lockLeftHeld(strategy: StrategyName, lock: string, task: number, tasks: number, language: Language, site?: SourceLocation): Warning {
    const others = tasks > 1 ? ` (and ${tasks - 1} more call${tasks === 2 ? '' : 's'})` : '';
    const fix =
      language === 'python'
        ? `Take it in a with block (with ${lock}: …), which releases it on every path out of the call, or release it in a finally:`
        : `Release it on every path out of the call: withLock("${lock}", () => …), or try { … } finally { lock.release() }`;
    return {
      kind: 'deadlock',
      strategy,
      location: site,
      message:
        `${strategy}: input #${task}${others} ended holding lock "${lock}"${at(site)}, never released — in a program, every later acquire of it would wait for ever, ` +
        `in another worker or in this one (${language === 'python' ? 'a Lock is' : 'runtime locks are'} not re-entrant); the profiler released it as the call ended. ${fix}`,
    };
  },
  deadlock(strategy: StrategyName, cycle: { lane: number; task: number; holds: string; heldAt?: SourceLocation; waitsFor: string; waitAt?: SourceLocation }[], language: Language): Warning {
    const parts = cycle.map(
      (c) => `worker ${c.lane} (input #${c.task}) holds "${c.holds}"${at(c.heldAt)} and waits for "${c.waitsFor}"${at(c.waitAt)}`,
    );
    // One worker waiting for the lock it holds: a lock that is not reentrant, taken again.
    const itself = cycle.length === 1 && cycle[0].holds === cycle[0].waitsFor;
    // Two calls waiting at the same line: the code takes the locks in the order its inputs give.
    const byInputs = cycle.length === 2 && cycle[0].waitAt && cycle[1].waitAt && sameLine(cycle[0].waitAt, cycle[1].waitAt);
    const fix = itself
      ? `it waits for a lock it already holds, which a plain lock never gives a second time — take it once, or use a reentrant lock (threading.RLock) where code that holds it calls code that takes it`
      : byInputs
        ? `both wait at the same line, which takes the locks in the order each call's input gives; ${orderedByInputsFix(language)}`
        : 'take locks in one global order';
    return {
      kind: 'deadlock',
      strategy,
      location: cycle[0]?.waitAt ?? cycle[0]?.heldAt,
      message: `${strategy}: deadlock — ${parts.join('; ')}. The stuck workers were stopped; ${fix}`,
      details: parts,
    };
  },
  /**
   * `stoppedProfile`: the run stalled three times in a row with nothing finished in between, so the
   * profile stopped. `wait`: why the first stuck call does not end, where its stack tells
   * (hangWaits.ts), with the worker it ran on.
   */
  hang(strategy: StrategyName, seconds: number, running: string[], details: string[], location?: SourceLocation, stoppedProfile = false, wait?: string): Warning {
    const why = wait ? `; ${wait}` : '';
    const stopped = stoppedProfile
      ? `${why}; it stalled three times in a row with nothing finished in between, so the profile stopped there (the other inputs and strategies were not run) — fix the hang, then profile again`
      : wait ? why : ' — look for an endless loop or a wait that never ends, or raise the hang timeout';
    return {
      kind: 'hang',
      strategy,
      location,
      message: `${strategy}: no task finished and no lock was taken for ${fmt(seconds)} s (running: ${running.join(', ') || 'nothing'}); the workers were stopped${stopped}`,
      details,
    };
  },
  /** A threading lock that kept the thread run's calls apart, copied by every worker process (analysis.ts). */
  lockCopiedByProcesses(lock: { name: string; kind: string }, waits: number, location?: SourceLocation): Warning {
    return {
      kind: 'race',
      strategy: 'processes',
      location,
      lock: lock.name,
      message:
        `processes: ${lock.name} is a ${lock.kind}: in the thread run the calls waited for it ${waits} time${waits === 1 ? '' : 's'}, taking turns${at(location)}, ` +
        `but each worker process has a copy of its own, which keeps out only that process's threads, so in the process pool the calls did not take turns — ` +
        `what it guards is not guarded between processes: if that is something they share (a file, a socket, a multiprocessing Value), use a multiprocessing.Lock made before the pool (forked workers share it)`,
    };
  },
  warmUp(warm: WarmUp, language: Language, location?: SourceLocation): Warning {
    const { firstMs, medianMs, excessMs, pools } = warm;
    // A Python thread pool runs in the harness's process after the sequential run; a process pool
    // that did not pay it was forked from it.
    const how = (strategy: StrategyName) =>
      language !== 'python' ? '' : strategy === 'threads' ? ' (in the same process, after it)' : strategy === 'processes' ? ' (forked from it)' : '';
    const names = pools.map((p) => `${p.run.strategy}${how(p.run.strategy)}`);
    const both = pools.length > 1;
    const list = (xs: number[]) => listed(xs.map((s) => `${fmt(s)}×`));
    return {
      kind: 'warm-up',
      strategy: 'sequential',
      location,
      message:
        `sequential: its first call took ${durationText(firstMs)}, ${fmt(firstMs / medianMs)}× the median of the others (${durationText(medianMs)}) — start-up the function pays once per process ` +
        `(a library initializing, a regular expression compiled and cached, an import inside it), which ${listed(names)} did not pay again: ` +
        `${both ? 'their speedups' : 'its speedup'} as timed, ${list(pools.map((p) => p.timed))}, count ${durationText(excessMs)} in ${both ? 'their' : 'its'} favour; without it, about ${list(pools.map((p) => p.without))}, which the verdict goes by — ` +
        `a program of your own pays it once in every process, whichever pool it uses`,
    };
  },
  /** `lock`: a lock the calls also take turns at for most of their work (lockWaits.ts), which a process pool sharing it takes turns at too. */
  gil(speedup: number, workers: number, location?: SourceLocation, lock?: string): Warning {
    const alsoLock = lock ? `; but the calls also take turns at lock "${lock}" for most of their work (see its contention warning), which a process pool's workers sharing it would take turns at too` : '';
    return {
      kind: 'gil',
      strategy: 'threads',
      location,
      message: `threads: only ${fmt(speedup)}× with ${workers} threads on CPU-bound code — the GIL lets one thread run Python at a time; use a process pool (ProcessPoolExecutor), or a free-threaded Python build${alsoLock}`,
    };
  },
  /** Calls that spent much of their time waiting for a lock (lockWaits.ts). */
  contention(strategy: StrategyName, contention: Contention): Warning {
    const { lock, site, waitShare, heldShare, usesPerCall, usesCut } = contention;
    const parts = 'or have each call return its part and combine the parts after the pool';
    const why =
      heldShare >= AMDAHL_SHARE
        ? `they do ${pct(heldShare)} of their work holding it, which only one call at a time can do, so however many workers take turns at it, they run these calls at most ${speedupCap(heldShare)} faster than sequential (Amdahl's law); hold the lock only around the update it guards and do the rest of the work outside it, ${parts}`
        : usesPerCall >= MANY_USES
          ? `each call takes it ${usesCut ? '' : 'about '}${usesText(contention)}, and each time may wait for another worker's turn; take it once per call (add up in a local variable, then update what it guards once), ${parts}`
          : `they do ${pct(heldShare)} of their work holding it; ${contentionFix(contention)}, ${parts}`;
    return {
      kind: 'contention',
      strategy,
      location: site,
      message: `${strategy}: the calls spent ${pct(waitShare)} of their time waiting for lock "${lock}"${at(site)} — ${why}`,
    };
  },
  overhead(strategy: StrategyName, speedup: number, facts: OverheadFacts): Warning {
    const { callMs, utilization, busyShare, shared, outputLines, workers, inputs, cpusForCpuBound: cpus } = facts;
    const waitingOn = shared ? `waiting on each other (${shared})` : 'moving inputs and results';
    const why = busyShare !== undefined
      ? `other programs took at least ${pct(busyShare)} of the machine's CPU time during this run, so it may not be the code's fault; profile again when the machine is quiet`
      : outputLines !== undefined
      ? `${printed(outputLines)} — print less in the function, or gather what to print and print it once`
      : facts.slowLoad
      ? slowLoadText(facts.slowLoad)
      : facts.redone
      ? redoneText(facts.redone)
      : workers === 1
      ? ONE_WORKER
      : workers > inputs
      ? `${workers} workers for ${inputs} input${inputs === 1 ? '' : 's'}: ${workers - inputs} of them ${workers - inputs === 1 ? 'starts up and never gets' : 'start up and never get'} a task — use at most ${inputs} worker${inputs === 1 ? '' : 's'}, or give it more inputs`
      : cpus !== undefined && workers > cpus
      ? overCpus(workers, cpus)
      : facts.moved
      ? `it moved ${mb(facts.moved.totalBytes)} of inputs and results between processes (${mb(facts.moved.perTaskBytes)} a task, pickled and sent through a pipe), which costs more than the calls — pass less to each call (a file name, or an index into data each worker loads once), or put big arrays where every worker can map them (multiprocessing.shared_memory, np.load(…, mmap_mode="r")); threads share them without copying`
      : callMs !== null && callMs < 1
      ? `each task takes only ${durationText(callMs)}, so start-up and messaging cost more than the work; give each task more work (batch several inputs per task${facts.chunksize ? `: ProcessPoolExecutor.map(f, inputs, chunksize=${facts.chunksize}) sends ${facts.chunksize} inputs a task` : ''})`
      : utilization !== null && utilization < 0.5
        ? `the workers are busy only ${pct(utilization)} of the time — start-up, or ${waitingOn}; see the timeline`
        : shared
          ? `the workers contend for what they share (${shared}; memory bandwidth); see the timeline`
          : 'the calls run slower side by side than alone — they contend for the CPUs, memory bandwidth or caches (a library that starts threads of its own does this); see the timeline';
    return { kind: 'overhead', strategy, message: `${strategy}: ${fmt(speedup)}× — slower than sequential: ${why}` };
  },
  /** A one-worker run that kept several CPUs busy: a library's own threads (numpy's BLAS). */
  libraryThreads(cpusUsed: number, cpus: number): Warning {
    return {
      kind: 'overhead',
      message: `the sequential run already kept ${fmt(cpusUsed)} of the ${cpus} CPUs busy: a library the function calls runs threads of its own (numpy's BLAS, for one), so a pool has little left to gain and its workers compete with those threads — to compare the pools, limit them (OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 or MKL_NUM_THREADS=1 in the environment)`,
    };
  },
  /** A sequential run whose calls' own child processes kept several CPUs busy (analysis.ts). */
  childProcesses(cpusUsed: number, cpus: number): Warning {
    return {
      kind: 'overhead',
      message: `the sequential run's calls already kept ${fmt(cpusUsed)} of the ${cpus} CPUs busy in processes of their own (a process pool inside the function, or programs it runs), so a pool of such calls has little left to gain and its workers' processes compete for the same CPUs — parallelize in one place: the calls' own processes or this pool, not both`,
    };
  },
  /** Slow loading where the pool still gains (an overhead warning says it where the pool loses). */
  slowLoad(load: SlowLoad): Warning {
    return { kind: 'overhead', strategy: load.strategy, message: `${load.strategy}: ${slowLoadText(load)}` };
  },
  busyMachine(shares: { strategy: StrategyName; share: number }[], superLinear?: { strategy: StrategyName; efficiency: number }): Warning {
    const during = shares.map(({ strategy, share }, i) => `${pct(share)}${i === 0 ? ' of its CPU time' : ''} during ${strategy}`).join(', ');
    const why = superLinear ? ` (which is why ${superLinear.strategy} shows ${pct(superLinear.efficiency)} efficiency)` : '';
    return {
      kind: 'busy-machine',
      message: `the machine was busy: other programs (or the VM's host) used at least ${during} — they slow the runs unevenly, so the speedups are off${why}; close them, or profile again when the machine is quiet`,
    };
  },
  imbalance(strategy: StrategyName, imbalance: number, stragglers: number[], dominant?: DominantTask): Warning {
    const slow = stragglers.length ? `; stragglers: input ${stragglers.slice(0, 5).map((i) => `#${i}`).join(', ')}` : '';
    const fix = dominant
      ? `input #${dominant.index} alone took ${pct(dominant.share)} of the calls' time, more than a worker's share, so the pool cannot finish before that one call does: at most ${fmt(dominant.cap)}× faster than sequential, however the inputs are ordered — split its work into smaller inputs`
      : 'split big inputs or order them largest first';
    return {
      kind: 'imbalance',
      strategy,
      message: `${strategy}: the busiest worker worked ${fmt(imbalance)}× the average${slow} — ${fix}`,
    };
  },
};
