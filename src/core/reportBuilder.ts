/**
 * Folds a runner's event stream into a report. The same code path for the JS and Python runners.
 */
import type { Lane, Machine, Report, Run, SourceLocation, StrategyName, Target, Warning } from './model';
import { Warnings } from './warnings';
import { REPORT_VERSION } from './model';
import { spansOf, type OwnLock, type RunnerEvent } from './protocol';
import { analyze } from './analysis';

export class ReportBuilder {
  private machine: Machine = { cpus: 0, platform: '', runtime: '' };
  private count = 0;
  /** Python: the user's own locks, and whether worker processes share each (protocol.ts, `own-locks`). */
  private ownLocks: OwnLock[] = [];
  private readonly runs = new Map<number, Run>();
  /**
   * `tasks` events not yet made into spans. They are unfolded in `build()`, after the runs: tens of
   * thousands of span objects made while a run goes on would cost its workers CPU time.
   */
  private readonly unfolded: Extract<RunnerEvent, { type: 'tasks' }>[] = [];
  private readonly runnerWarnings: Warning[] = [];
  /** Locks tasks ended holding, per strategy and lock: the first such task, where it took it, how many did. */
  private readonly leftHeld = new Map<string, { strategy: StrategyName; lock: string; task: number; site?: SourceLocation; tasks: number }>();
  /** Warnings the controller itself raised (deadlock, hang). */
  readonly controllerWarnings: Warning[] = [];
  cancelled = false;
  /** The run the profile was stopped in because every input it tried hung (profile.ts, RunGuard). */
  stoppedForHangs: number | undefined;

  constructor(
    private readonly target: Target,
    private readonly inputsExpression: string,
    private readonly spread: boolean,
  ) {}

  get targetFile(): string {
    return this.target.file;
  }

  get language(): Target['language'] {
    return this.target.language;
  }

  /** The runs as far as told; their task spans are filled in by `build()`. */
  get runList(): Run[] {
    return [...this.runs.values()];
  }

  run(id: number): Run | undefined {
    return this.runs.get(id);
  }

  add(event: RunnerEvent): void {
    switch (event.type) {
      case 'hello':
        this.machine = { cpus: event.cpus, platform: event.platform, runtime: event.runtime, ...(event.gil !== undefined ? { gil: event.gil } : {}) };
        break;
      case 'inputs':
        this.count = event.count;
        break;
      case 'own-locks':
        this.ownLocks = event.locks;
        break;
      case 'run-start':
        this.runs.set(event.run, {
          strategy: event.strategy,
          workers: event.workers,
          repeat: event.repeat,
          startMs: event.startMs,
          wallMs: 0,
          cpuMs: null,
          lanes: [],
          tasks: [],
          locks: [],
          counter: { expected: 0, observed: 0, lost: 0 },
          metrics: emptyMetrics(),
        });
        break;
      case 'worker': {
        const run = this.runs.get(event.run);
        if (!run) break;
        const lane: Lane = { id: event.lane, pid: event.pid, threadId: event.threadId, spawnMs: event.spawnMs };
        if (event.readyMs !== undefined) lane.readyMs = event.readyMs;
        if (event.loadMs !== undefined) lane.loadMs = event.loadMs;
        run.lanes.push(lane);
        break;
      }
      case 'worker-exit': {
        const lane = this.runs.get(event.run)?.lanes.find((l) => l.id === event.lane);
        if (lane) {
          lane.exitMs = event.exitMs;
          lane.exitCode = event.exitCode;
          if (event.signal) lane.signal = event.signal;
        }
        break;
      }
      case 'task-start':
        break;
      case 'task-end': {
        const { type: _type, run: runId, ...span } = event;
        this.runs.get(runId)?.tasks.push(span);
        break;
      }
      case 'tasks':
        this.unfolded.push(event);
        break;
      case 'lock': {
        const { type: _type, run: runId, ...lock } = event;
        this.runs.get(runId)?.locks.push(lock);
        break;
      }
      case 'hot-locks': {
        const run = this.runs.get(event.run);
        if (run) run.hotLocks = event.locks;
        break;
      }
      case 'counter': {
        const run = this.runs.get(event.run);
        if (run) run.counter = { expected: event.expected, observed: event.observed, lost: Math.max(0, event.expected - event.observed) };
        if (run && event.shared) run.sharedValues = event.shared;
        break;
      }
      case 'run-end': {
        const run = this.runs.get(event.run);
        if (run) {
          run.wallMs = event.wallMs;
          run.cpuMs = event.cpuMs;
          if (event.callsCpuMs !== undefined) run.callsCpuMs = event.callsCpuMs;
          if (event.childCpuMs) run.childCpuMs = event.childCpuMs;
          if (event.aborted) run.aborted = event.aborted;
        }
        break;
      }
      case 'warning':
        this.runnerWarnings.push(event.warning);
        break;
      case 'left-held': {
        const strategy = this.runs.get(event.run)?.strategy;
        if (!strategy) break;
        const key = `${strategy}\n${event.lock}`;
        const seen = this.leftHeld.get(key);
        if (!seen) this.leftHeld.set(key, { strategy, lock: event.lock, task: event.task, site: event.site, tasks: 1 });
        else {
          seen.tasks++;
          // Named by its first input, whichever worker told it first.
          if (event.task < seen.task) {
            seen.task = event.task;
            seen.site = event.site ?? seen.site;
          }
        }
        break;
      }
      case 'loading':
      case 'busy':
      case 'stacks':
      case 'log':
      case 'fatal':
      case 'done':
        break;
      default:
        assertNever(event);
    }
  }

  build(source?: string): Report {
    for (const event of this.unfolded.splice(0)) {
      const tasks = this.runs.get(event.run)?.tasks;
      if (tasks) for (const span of spansOf(event)) tasks.push(span);
    }
    const stopped = this.stoppedForHangs === undefined ? undefined : this.runs.get(this.stoppedForHangs);
    if (stopped) {
      // Its unrun tasks were cancelled by the profiler, not the user: they say why, as its row does.
      stopped.aborted = 'stopped: the run hung three times in a row with nothing finished in between';
      for (const task of stopped.tasks) {
        if (task.status === 'cancelled') task.error = 'not run: the profile stopped after this run hung three times in a row with nothing finished in between';
      }
    }
    const runs = this.runList;
    for (const run of runs) run.tasks.sort((a, b) => a.index - b.index);
    const leftHeld = [...this.leftHeld.values()].map(({ strategy, lock, task, tasks, site }) => Warnings.lockLeftHeld(strategy, lock, task, tasks, this.target.language, site));
    const { warnings, verdict } = analyze(runs, this.target, this.machine, [...this.runnerWarnings, ...leftHeld, ...this.controllerWarnings], source, this.ownLocks);
    return {
      version: REPORT_VERSION,
      createdAt: new Date().toISOString(),
      target: this.target,
      machine: this.machine,
      inputs: { expression: this.inputsExpression, count: this.count, spread: this.spread },
      runs,
      warnings,
      verdict,
      ...(this.cancelled ? { cancelled: true } : {}),
    };
  }
}

function emptyMetrics(): Run['metrics'] {
  return {
    speedup: null,
    efficiency: null,
    utilization: null,
    overheadMs: null,
    loadImbalance: null,
    serialFraction: null,
    stragglers: [],
    busyMs: 0,
    medianTaskMs: null,
    callMs: null,
    cpuPerWall: null,
  };
}

function assertNever(value: never): never {
  throw new Error(`unknown runner event: ${JSON.stringify(value)}`);
}
