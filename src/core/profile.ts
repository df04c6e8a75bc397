/**
 * The controller: starts a runner process for one target, folds its events into a report, and
 * guards it (cancel, deadlock, hang). Used by the CLI, the extension and the tests alike.
 * User code never runs in the calling process.
 */
import { randomInt } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Report, SourceLocation, StrategyName, Target, TaskStatus, Warning } from './model';
import { STRATEGIES } from './model';
import { OK_FILE, okFileEvents, type ControllerCommand, type RunnerEvent, type RunnerOptions } from './protocol';
import { ReportBuilder } from './reportBuilder';
import { DeadlockDetector } from './deadlockDetector';
import { stackLocation } from './stackFrames';
import { jsWait, pythonWait } from './hangWaits';
import { Warnings } from './warnings';
import { otherLoad, sampleLoad, type LoadSample } from './machineLoad';

export interface ProfileRequest {
  target: Target;
  /** Inputs expression in the target's language. */
  inputs: string;
  spread?: boolean;
  strategies?: StrategyName[];
  /** Workers per parallel strategy; default: the machine's available parallelism. */
  workers?: number;
  repeat?: number;
  taskTimeoutMs?: number;
  /** No task finishes and no lock event arrives for this long → hang. Default 10 000. */
  hangTimeoutMs?: number;
  /** Node executable for JS targets (default: this process's, as plain Node). */
  node?: string;
  /** Python interpreter for Python targets (default: python3). */
  python?: string;
  startMethod?: 'fork' | 'spawn' | 'forkserver';
  /**
   * The working folder the user's code runs in, where its relative paths start (default: the
   * target file's folder): the CLI's own, or the editor's workspace folder, as `node file` or
   * `python file` run from there would have.
   */
  cwd?: string;
}

export interface ProfileCallbacks {
  /** Every runner event as it arrives (for live progress). */
  onEvent?: (event: RunnerEvent) => void;
  /** The runner's and user code's stdout/stderr. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export type ProfileOutcome =
  | { ok: true; report: Report }
  /** Bad input or unusable environment: `error` is one line naming the cause and the fix. */
  | { ok: false; error: string };

export interface ProfileHandle {
  /** Stop every worker; `done` then resolves with a partial report (cancelled tasks). */
  cancel(): void;
  readonly done: Promise<ProfileOutcome>;
}

/** Where the runner bundles and the Python harness live (dist/, beside the built controller). */
export function distDir(): string {
  return fs.existsSync(path.join(__dirname, 'runner.js')) ? __dirname : path.resolve(__dirname, '..', '..', 'dist');
}

export const DEFAULT_HANG_TIMEOUT_MS = 10_000;
const DEADLOCK_CHECK_MS = 250;
/** What a hung task's worker asleep in its event loop is doing (protocol.ts, `stacks`' `idle`). */
const IDLE_WAIT = 'idle, its call awaiting something that never settles: a promise nothing resolves, or a timer or I/O still pending';
/** Why a hang whose every stuck worker sleeps in its event loop does not end. */
const IDLE_HANG = "none of them was running JavaScript: each call awaits something that never settles — look for a promise whose resolve is never called (an event that never fires, a callback never called back), or a timer or I/O that never ends";
/** How long the runner has to send the stacks after a hang (it gives its workers 2 s). */
const STACKS_WAIT_MS = 3000;

/**
 * One string-hash seed for the Python harness and every worker process it starts. Workers started
 * afresh (spawn; forkserver, Python 3.14's default on Linux; macOS's spawn) would each draw their
 * own, and a set of strings iterates in another order in each: `list(set(words))` would read as
 * results that differ in processes, an order a program's own runs differ in too. Still random from
 * one profile to the next, as a program's runs are; a seed the user set is kept.
 */
function pythonHashSeed(): string {
  return process.env.PYTHONHASHSEED ?? String(randomInt(1, 2 ** 32 - 1));
}

export function startProfile(request: ProfileRequest, callbacks: ProfileCallbacks = {}): ProfileHandle {
  const target = { ...request.target, file: path.resolve(request.target.file) };
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-profiler-'));
  const options: RunnerOptions = {
    file: target.file,
    name: target.name,
    language: target.language,
    inputs: request.inputs,
    spread: request.spread ?? false,
    strategies: request.strategies ?? [...STRATEGIES],
    workers: request.workers ?? os.availableParallelism(),
    repeat: request.repeat ?? 1,
    taskTimeoutMs: request.taskTimeoutMs ?? 0,
    startMethod: request.startMethod,
    scratchDir,
  };
  const builder = new ReportBuilder(target, request.inputs, options.spread);
  const python = target.language === 'python';
  const command = python ? request.python ?? 'python3' : request.node ?? process.execPath;
  const args = python
    ? ['-u', path.join(distDir(), 'python', 'harness.py')]
    : // No --enable-source-maps: Node would parse every module's map as it loads (~8 ms of the
      // runner's start-up for its own); the runner maps the user's stacks itself (lazySourceMap.ts).
      [path.join(distDir(), 'runner.js')];
  const child = spawn(command, args, {
    cwd: request.cwd ?? path.dirname(target.file),
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Its own process group, so that the runner and every worker it started go down together.
    detached: process.platform !== 'win32',
    env: { ...process.env, PP_RUNNER_OPTIONS: JSON.stringify(options), ELECTRON_RUN_AS_NODE: '1', ...(python && { PYTHONHASHSEED: pythonHashSeed() }) },
  });

  let fatal: string | undefined;
  let spawnError: string | undefined;
  let sawDone = false;
  let cancelled = false;
  let lastStderr = '';
  const send = (message: ControllerCommand) => {
    if (child.stdin?.writable) child.stdin.write(JSON.stringify(message) + '\n');
  };

  const hangTimeoutMs = request.hangTimeoutMs ?? DEFAULT_HANG_TIMEOUT_MS;
  const guard = new RunGuard(builder, send, hangTimeoutMs, () => {
    // Loading the module or evaluating the inputs never finished: that is bad input, not a profile.
    fatal = `${path.basename(target.file)}: loading the module and evaluating the inputs did not finish within ${hangTimeoutMs / 1000} s — look for top-level code or an inputs expression that never returns, or raise the hang timeout if they are only slow (many or big inputs)`;
    killGroup(child);
  });
  // The user's output goes to the run started last: printing in every call can cost more than the
  // call (workers take turns at one stream), and the analysis says so.
  let outputRun: number | undefined;
  const countOutput = (chunk: Buffer) => {
    const run = outputRun === undefined ? undefined : builder.run(outputRun);
    if (!run) return;
    let lines = 0;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    run.outputLines = (run.outputLines ?? 0) + lines;
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    countOutput(chunk);
    callbacks.onOutput?.('stdout', chunk.toString());
  });
  child.stderr?.on('data', (data: Buffer) => {
    // Node's inspector says so on stderr as the runner reads a hung worker process's stack
    // (processStacks.ts), in one write; it is not the user's output.
    const chunk = guard.askedForStacks ? stripped(data, INSPECTOR_ATTACHED) : data;
    if (chunk.length === 0) return;
    countOutput(chunk);
    const text = chunk.toString();
    lastStderr = (lastStderr + text).slice(-2000);
    callbacks.onOutput?.('stderr', text);
  });
  child.stdin?.on('error', () => undefined);
  const loadAtStart = new Map<number, LoadSample>();
  // The machine as it stood at the runner's hello, then at each run's end. A run's start reads no
  // /proc: that read (~1 ms, 3 cold) would take a CPU from the workers as they start, and those
  // samples are close enough before it (the runner's own ticks in between count as the profile's).
  let lastLoad: LoadSample | undefined;
  /** How busy the rest of the machine was during each run (machineLoad.ts). */
  const watchLoad = (event: RunnerEvent) => {
    if (child.pid === undefined) return;
    if (event.type === 'hello') lastLoad = sampleLoad(child.pid);
    else if (event.type === 'run-start') {
      if (lastLoad) loadAtStart.set(event.run, lastLoad);
    } else if (event.type === 'run-end') {
      const before = loadAtStart.get(event.run);
      const after = sampleLoad(child.pid);
      lastLoad = after;
      const share = before && after && otherLoad(before, after);
      const run = builder.run(event.run);
      if (run && share !== undefined) run.otherLoad = Math.round(share * 1000) / 1000;
    }
  };
  const events = child.stdio[3] as NodeJS.ReadableStream | null;
  const eventsClosed = new Promise<void>((resolve) => {
    if (!events) return resolve();
    const lines = readline.createInterface({ input: events });
    lines.on('line', (line) => {
      let event: RunnerEvent;
      try {
        event = JSON.parse(line) as RunnerEvent;
      } catch {
        return;
      }
      if (event.type === 'fatal') fatal = event.message;
      if (event.type === 'done') sawDone = true;
      builder.add(event);
      if (event.type === 'run-start') outputRun = event.run;
      watchLoad(event);
      guard.onEvent(event);
      callbacks.onEvent?.(event);
    });
    lines.on('close', resolve);
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError =
        error.code === 'ENOENT'
          ? python
            ? `Python interpreter "${command}" not found; install Python 3.8 or newer, or point --python (the parallelProfiler.pythonPath setting) at one`
            : `Node.js executable "${command}" not found; point --node (the parallelProfiler.nodePath setting) at one`
          : `could not start the runner (${error.message})`;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const done = (async (): Promise<ProfileOutcome> => {
    const { code, signal } = await exited;
    await Promise.race([eventsClosed, new Promise((r) => setTimeout(r, 500))]);
    guard.stop();
    killGroup(child);
    // The JS runner's ok task ends, read now that it is gone (protocol.ts, OK_FILE).
    const okFile = readIfThere(path.join(scratchDir, OK_FILE));
    if (okFile) for (const event of okFileEvents(okFile)) builder.add(event);
    fs.rmSync(scratchDir, { recursive: true, force: true });
    if (spawnError) return { ok: false, error: spawnError };
    if (fatal) return { ok: false, error: fatal };
    if (!sawDone && builder.runList.length === 0 && !cancelled) {
      const said = lastStderr.trim().split('\n').pop();
      return { ok: false, error: `the runner stopped before profiling (${signal ?? `exit code ${code}`})${said ? `: ${said}` : ''}` };
    }
    if (!sawDone && !cancelled) {
      builder.controllerWarnings.push({
        kind: 'crash',
        message: `the runner process stopped unexpectedly (${signal ?? `exit code ${code}`}); the report holds what finished before`,
      });
    }
    builder.cancelled = cancelled;
    builder.stoppedForHangs = guard.stoppedRun;
    return { ok: true, report: builder.build(readIfThere(target.file)) };
  })();

  return {
    cancel() {
      if (cancelled) return;
      cancelled = true;
      send({ type: 'cancel' });
      // A runner that does not stop within a second is killed with all its workers.
      setTimeout(() => killGroup(child), 1000).unref();
    },
    done,
  };
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const INSPECTOR_ATTACHED = 'Debugger attached.\n';

function stripped(data: Buffer, line: string): Buffer {
  return data.includes(line) ? Buffer.from(data.toString('utf8').split(line).join('')) : data;
}

/** A task that ended without the profiler stopping it: the run is making progress. */
const finishedByItself = (status: TaskStatus) => status === 'ok' || status === 'error' || status === 'crashed';

/**
 * Watches a live profile for deadlocks (wait-for cycles) and hangs (no task end and no lock event
 * for the hang timeout) and asks the runner to stop the stuck tasks.
 */
class RunGuard {
  private readonly detectors = new Map<number, DeadlockDetector>();
  private activeRun: number | undefined;
  private lastProgress = Date.now();
  /**
   * Each run's hang so far: a run can stall again after its stuck tasks were stopped (another input
   * hangs, or a task sent ahead to a stopped worker), and each stall adds to one warning.
   */
  private readonly hangs = new Map<number, { running: string[]; details: string[]; location?: SourceLocation; wait?: string; warning: Warning }>();
  /** Where each input was stuck in a run that gave a stack, for a later run that gives none. */
  private readonly hungAt = new Map<number, { strategy: string; file: string; line: number }>();
  /** Runs whose last stall had nothing running (see onStacks). */
  private readonly idleStalls = new Set<number>();
  /** Per run that stalled: how many stalls in a row came with no task finishing in between. */
  private readonly barrenStalls = new Map<number, number>();
  /**
   * The run during which the profile was stopped: it stalled three times with no task finishing
   * in between (every input it tries hangs), and waiting out a hang timeout per input would take
   * minutes. Two in a row can be two inputs that hang among others that do not.
   */
  stoppedRun: number | undefined;
  /** The run whose stacks were asked for after a hang, until they arrive. */
  private pendingHang: number | undefined;
  /** Whether the module is loaded and the inputs evaluated (the runner said `inputs` or `fatal`). */
  private prepared = false;
  private preparingSince = Date.now();
  /** The profiled file's lines, read once a JS hang's stack needs them (hangWaits.ts). */
  private lines: string[] | undefined;

  private sourceLines(): string[] {
    return (this.lines ??= readIfThere(this.builder.targetFile)?.split(/\r?\n/) ?? []);
  }
  private readonly timer: NodeJS.Timeout;
  /** Whether the runner was asked for stacks: worker processes may since have said "Debugger attached." */
  askedForStacks = false;

  constructor(
    private readonly builder: ReportBuilder,
    private readonly send: (command: ControllerCommand) => void,
    private readonly hangTimeoutMs: number,
    private readonly onStuckPreparing: () => void,
  ) {
    this.timer = setInterval(() => this.tick(), DEADLOCK_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onEvent(event: RunnerEvent): void {
    switch (event.type) {
      case 'hello':
      case 'loading':
        this.preparingSince = Date.now();
        break;
      case 'inputs':
      case 'fatal':
        this.prepared = true;
        break;
      case 'run-start':
        this.activeRun = event.run;
        this.detectors.set(event.run, new DeadlockDetector());
        this.lastProgress = Date.now();
        break;
      case 'run-end':
        this.activeRun = undefined;
        this.detectors.delete(event.run);
        break;
      case 'lock':
        this.detectors.get(event.run)?.onLock(event);
        this.lastProgress = Date.now();
        break;
      case 'task-end':
        this.detectors.get(event.run)?.forgetLane(event.lane);
        this.lastProgress = Date.now();
        if (finishedByItself(event.status)) this.noteEnded(event.run);
        break;
      case 'tasks': {
        if ((event.ok?.index.length ?? event.okInFile?.count ?? 0) > 0 || event.spans?.some((s) => finishedByItself(s.status))) this.noteEnded(event.run);
        const detector = this.detectors.get(event.run);
        const lanes = new Set([...(event.ok?.lane ?? event.okInFile?.lanes ?? []), ...(event.spans ?? []).map((s) => s.lane)]);
        if (detector) for (const lane of lanes) detector.forgetLane(lane);
        this.lastProgress = Date.now();
        break;
      }
      case 'worker':
      case 'busy':
        this.lastProgress = Date.now();
        break;
      case 'stacks':
        this.onStacks(event);
        break;
      default:
        break;
    }
  }

  /** A task of `run` finished by itself (not one the profiler stopped). */
  private noteEnded(run: number): void {
    if (this.barrenStalls.has(run)) this.barrenStalls.set(run, 0);
  }

  private tick(): void {
    if (!this.prepared && Date.now() - this.preparingSince > this.hangTimeoutMs) {
      this.prepared = true;
      this.onStuckPreparing();
      return;
    }
    const run = this.activeRun;
    if (run === undefined) return;
    const cycle = this.detectors.get(run)?.check();
    const strategy = this.builder.run(run)?.strategy;
    if (cycle && strategy) {
      this.builder.controllerWarnings.push(Warnings.deadlock(strategy, cycle, this.builder.language));
      this.send({ type: 'kill-tasks', run, tasks: cycle.map((m) => m.task), status: 'deadlocked', reason: 'deadlocked: stopped by the profiler' });
      this.lastProgress = Date.now();
      return;
    }
    if (Date.now() - this.lastProgress > this.hangTimeoutMs && this.pendingHang === undefined) {
      this.askedForStacks = true;
      this.send({ type: 'dump-stacks', run });
      // If the runner cannot answer, stop the run anyway.
      setTimeout(() => {
        if (this.pendingHang === run) this.onStacks({ type: 'stacks', run, workers: [] });
      }, STACKS_WAIT_MS).unref();
      this.pendingHang = run;
    }
  }


  private onStacks(event: Extract<RunnerEvent, { type: 'stacks' }>): void {
    if (this.pendingHang !== event.run) return;
    this.pendingHang = undefined;
    const run = this.builder.run(event.run);
    if (!run) return;
    // The runner may have told, just before the stacks, what the stuck workers hold and wait for
    // (Python's locks put back unwrapped): a cycle among them is a deadlock, not a hang.
    const cycle = this.detectors.get(event.run)?.stalledCycle();
    if (cycle) {
      this.builder.controllerWarnings.push(Warnings.deadlock(run.strategy, cycle, this.builder.language));
      this.send({ type: 'kill-tasks', run: event.run, tasks: cycle.map((m) => m.task), status: 'deadlocked', reason: 'deadlocked: stopped by the profiler' });
      this.lastProgress = Date.now();
      return;
    }
    const seconds = this.hangTimeoutMs / 1000;
    const running = event.workers.filter((w) => w.task !== undefined).map((w) => `worker ${w.lane} on input #${w.task}${w.idle ? ` (${IDLE_WAIT})` : ''}`);
    // Nothing running (or no answer): a worker that replaces a stopped one may still be starting,
    // with the stopped one's next task. Only a second such stall in a row stops the profile.
    if (running.length === 0 && !this.idleStalls.has(event.run)) {
      this.idleStalls.add(event.run);
      this.lastProgress = Date.now();
      return;
    }
    this.idleStalls.delete(event.run);
    const places = event.workers.map((w) => stackLocation(w.stack, this.builder.targetFile));
    event.workers.forEach((w, i) => {
      const place = places[i];
      if (place && w.task !== undefined && !this.hungAt.has(w.task)) this.hungAt.set(w.task, { strategy: run.strategy, ...place });
    });
    // A worker stuck in a system call gives no stack: the same input stuck in an earlier run may have.
    const earlier = event.workers.map((w) => (w.task === undefined ? undefined : this.hungAt.get(w.task)));
    const details = event.workers.map((w, i) => {
      const before = earlier[i];
      const none = before
        ? `(no stack: in ${before.strategy}, input #${w.task} was stuck at ${before.file}:${before.line})`
        : w.idle
          ? `(no stack: the worker sleeps in its event loop, running no JavaScript — ${IDLE_WAIT})`
          : '(no stack available)';
      return `worker ${w.lane}${w.task !== undefined ? ` (input #${w.task})` : ''}:\n${w.stack ?? none}`;
    });
    const borrowed = earlier.find((place) => place);
    const location = places.find((place) => place) ?? (borrowed && { file: borrowed.file, line: borrowed.line });
    const before = this.hangs.get(event.run);
    // Why the first stuck call whose stack tells does not end (hangWaits.ts).
    const waitOf = (stack: string | undefined) => (this.builder.language === 'python' ? pythonWait(stack, this.builder.targetFile) : jsWait(stack, this.builder.targetFile, this.sourceLines()));
    const waiting = event.workers.map((w) => ({ w, why: waitOf(w.stack) })).find((x) => x.why);
    const stuck = event.workers.filter((w) => w.task !== undefined);
    const wait = waiting
      ? `worker ${waiting.w.lane}${waiting.w.task !== undefined ? ` (input #${waiting.w.task})` : ''} ${waiting.why}`
      : stuck.length > 0 && stuck.every((w) => w.idle)
        ? IDLE_HANG
        : undefined;
    const hang = before
      ? { running: [...before.running, ...running], details: [...before.details, ...details], location: before.location ?? location, wait: before.wait ?? wait }
      : { running, details, location, wait };
    const inARow = before === undefined ? 0 : (this.barrenStalls.get(event.run) ?? 0) + 1;
    this.barrenStalls.set(event.run, inARow);
    const hopeless = inARow >= 2;
    const warning = Warnings.hang(run.strategy, seconds, hang.running, hang.details, hang.location, hopeless, hang.wait);
    const warnings = this.builder.controllerWarnings;
    if (before) warnings[warnings.indexOf(before.warning)] = warning;
    else warnings.push(warning);
    this.hangs.set(event.run, { ...hang, warning });
    const tasks = event.workers.map((w) => w.task).filter((t): t is number => t !== undefined);
    if (tasks.length > 0) {
      this.send({ type: 'kill-tasks', run: event.run, tasks, status: 'timeout', reason: `hung: no progress for ${seconds} s` });
    }
    if (tasks.length === 0 || hopeless) {
      if (hopeless) this.stoppedRun = event.run;
      this.send({ type: 'cancel' });
    }
    this.lastProgress = Date.now();
  }
}
