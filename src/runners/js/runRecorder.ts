/**
 * What every strategy does alike while it runs: numbering worker lanes, turning worker messages
 * and outcomes into events, remembering which tasks the controller stopped and why.
 */
import type { SharedValueChange, SourceLocation, StrategyName, TaskSpan, TaskStatus } from '../../core/model';
import type { RunnerEvent } from '../../core/protocol';
import { emit, emitTaskEnd, emitTaskOk } from './eventWriter';
import { sinceOrigin } from './clock';
import type { LockTallyMessage, RuntimeMessage } from './runtimeContract';
import type { TaskOutcome } from './taskExecution';
import { lostClassNote } from './failures';
import { describeResult } from './resultDigest';
import type { ModuleBinding } from './moduleBindings';
import type { SharedInputs } from './sharedInputs';
import type { ModuleValuesReport } from './moduleValues';
import { isContainer } from '../../core/warnings';

export interface RunSettings {
  run: number;
  strategy: StrategyName;
  workers: number;
  repeat: number;
  originEpochMs: number;
  bundle: string;
  /** The variables of the user's own modules, where each is declared and updated (moduleBindings.ts). */
  bindings: ModuleBinding[];
  tasks: { index: number; args: unknown[] }[];
  /** Inputs whose arguments cannot be sent to this strategy's workers, with the reason. */
  unsendable: Map<number, string>;
  /** Shared memory the inputs hold, which the run's calls may change (sharedInputs.ts). */
  sharedInputs?: SharedInputs;
  taskTimeoutMs: number;
  scratchDir: string;
}

/**
 * Worker threads given up in any run while stuck in a system call (failures.ts, STUCK_MS). Node
 * waits for every thread before the process exits, so with one left the runner ends itself.
 */
export const threadsLeftStuck = { count: 0 };

/** Why cancelled tasks ended, as the report says it. */
export const CANCELLED = 'the profile was cancelled';

/** A strategy in progress, as the runner's command handler sees it. */
export interface ActiveRun {
  readonly settings: RunSettings;
  killTasks(tasks: number[], status: TaskStatus, reason: string): void;
  cancel(): void;
  /** Which task each busy lane is running, and the lane's thread id or process id: where to ask for its stack. */
  busyLanes(): { lane: number; task: number; threadId?: number; pid?: number; tid?: number }[];
}

export class RunRecorder {
  private nextLane = 0;
  private readonly lanes = new Map<number, number>(); // worker key (thread id or pid) → lane
  /** 1 where the task of that input index has ended; a typed array since it is checked per task. */
  private readonly ended: Uint8Array;
  private endedCount = 0;
  /** Tasks the controller or a timeout stopped: the status they end with. */
  readonly stopped = new Map<number, { status: TaskStatus; reason: string }>();
  cancelled = false;
  readonly startMs: number;
  /** When the runner learned that the last task ended: the run's wall time stops there, not after the pool shut down. */
  private lastEndMs: number | undefined;
  /** Each worker's copy of the module's values, as it told them at its end (moduleValues.ts). */
  private readonly copies: ModuleValuesReport[] = [];
  /** Per lane, its hot locks' tallies as last told (lockEvents.ts). */
  private readonly tallies = new Map<number, LockTallyMessage['tallies']>();

  constructor(readonly settings: RunSettings) {
    this.ended = new Uint8Array(settings.tasks.reduce((most, t) => Math.max(most, t.index + 1), 0));
    this.startMs = this.now();
    emit({ type: 'run-start', run: settings.run, strategy: settings.strategy, workers: settings.workers, repeat: settings.repeat, startMs: this.startMs });
  }

  now(): number {
    return sinceOrigin(this.settings.originEpochMs);
  }

  /** The lane of a worker, by its thread id or pid; announces new workers. */
  laneOf(key: number, info: { pid: number; threadId: number; spawnMs: number; readyMs?: number; loadMs?: number }, reserved?: number): number {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = reserved ?? this.nextLane++;
      this.lanes.set(key, lane);
      emit({ type: 'worker', run: this.settings.run, lane, ...info });
    }
    return lane;
  }

  knownLane(key: number): number | undefined {
    return this.lanes.get(key);
  }

  /** A new lane for a worker known only by a number of our own (processes before they say hello). */
  reserveLane(): number {
    return this.nextLane++;
  }

  /**
   * A message of a worker's runtime (runtimeContract.ts), alike in every strategy; any other (the
   * user's code may post its own) is left alone. `lane`: the worker's, where its channel is its
   * own; on a channel all the threads share, the owner a message names tells it.
   */
  fromRuntime(message: unknown, lane?: number): void {
    const m = message as RuntimeMessage | undefined;
    const { run } = this.settings;
    switch (m?.pp) {
      case 'lock': {
        const at = lane ?? this.knownLane(m.owner);
        if (at !== undefined) emit({ type: 'lock', run, lane: at, task: m.task, lock: m.lock, kind: m.kind, atMs: m.atMs, site: m.site });
        break;
      }
      // Workers take hot locks, which tell no events (runtimeHost.ts): progress all the same.
      case 'busy':
        emit({ type: 'busy', run });
        break;
      // A task ended holding runtime locks, which its worker released (lockEvents.ts, releaseLeft).
      case 'left-held':
        for (const { lock, site } of m.locks) emit({ type: 'left-held', run, task: m.task, lock, site });
        break;
      // A worker's hot locks' tallies so far (cumulative): the last told stands for the run.
      case 'lock-tally': {
        const at = lane ?? this.knownLane(m.owner);
        if (at !== undefined) this.tallies.set(at, m.tallies);
        break;
      }
    }
  }

  /** Takes over `outcome`, which becomes the task's span. */
  taskEnd(outcome: TaskOutcome, lane: number, queuedMs: number): void {
    if (!this.markEnded(outcome.index)) return;
    const span = outcome as TaskSpan;
    // Looked for only when a TypeError comes, not in every input ahead of the runs.
    const task = span.status === 'error' && span.error?.startsWith('TypeError') ? this.settings.tasks[span.index] : undefined;
    const note = task?.index === span.index ? lostClassNote(span.index, task.args) : undefined;
    if (note) span.error += note;
    span.lane = lane;
    span.queuedMs = queuedMs;
    emitTaskEnd(this.settings.run, span);
  }

  /**
   * A task that returned `result` normally, told without an outcome object: the pools' path for
   * plain results, whose timing comes apart from the value.
   */
  taskOk(index: number, lane: number, queuedMs: number, startMs: number, endMs: number, cpuMs: number | undefined, result: unknown): void {
    if (!this.markEnded(index)) return;
    const { digest, resultPreview } = describeResult(result);
    emitTaskOk(this.settings.run, index, lane, queuedMs, startMs, endMs, cpuMs, digest, resultPreview);
  }

  /** A task that did not complete by itself: stopped, crashed, cancelled or not sendable. */
  taskFailed(index: number, lane: number, queuedMs: number, status: TaskStatus, error: string, startMs?: number, errorLocation?: SourceLocation): void {
    const now = this.now();
    this.taskEnd({ index, startMs: startMs ?? now, endMs: now, status: status as 'error', error, errorLocation }, lane, queuedMs);
  }

  /** False if the task had ended already. The last end stops the run's clock. */
  private markEnded(index: number): boolean {
    if (this.ended[index] === 1) return false;
    this.ended[index] = 1;
    if (++this.endedCount === this.settings.tasks.length) this.lastEndMs = this.now();
    return true;
  }

  isEnded(index: number): boolean {
    return this.ended[index] === 1;
  }

  allEnded(): boolean {
    return this.endedCount === this.settings.tasks.length;
  }

  workerExit(lane: number, exitCode: number | null, signal?: string | null): void {
    emit({ type: 'worker-exit', run: this.settings.run, lane, exitMs: this.now(), exitCode, signal });
  }

  /**
   * `callsCpuMs`: the workers' CPU time from ready to their last call, where it was measured;
   * `childCpuMs`: that of the processes the calls started and waited for, where Linux tells.
   */
  finish(counter: { expected: number; observed: number }, cpuMs: number | null, callsCpuMs?: number, childCpuMs?: number): void {
    const { run } = this.settings;
    const shared = this.moduleValues();
    emit({ type: 'counter', run, ...counter, ...(shared.length > 0 && { shared }) });
    const hotLocks = [...this.tallies].flatMap(([lane, tallies]) => tallies.map(([lock, uses, waitMs]) => ({ lane, lock, uses, waitMs })));
    if (hotLocks.length > 0) emit({ type: 'hot-locks', run, locks: hotLocks });
    const children = childCpuMs ? { childCpuMs } : {};
    emit({ type: 'run-end', run, wallMs: (this.lastEndMs ?? this.now()) - this.startMs, cpuMs, callsCpuMs, ...children, aborted: this.cancelled ? 'cancelled' : undefined });
  }

  /** What one worker's calls did to its copy of the module's values. */
  values(report: ModuleValuesReport): void {
    this.copies.push(report);
  }

  /**
   * The module's values some worker's calls changed, each worker's copy apart: in the sequential
   * run one copy saw every call; in a pool each copy saw only its worker's calls.
   */
  private moduleValues(): SharedValueChange[] {
    const values: SharedValueChange[] = [];
    for (const binding of this.settings.bindings) {
      // The variable, or the number properties of its object (`key.balance`, moduleValues.ts).
      const keys = new Set(this.copies.flatMap((copy) => copy.names.filter((n) => n === binding.key || n.startsWith(`${binding.key}.`))));
      for (const key of keys) {
        const property = key === binding.key ? undefined : key.slice(binding.key.length + 1);
        // A property only stored into (`this.last = n`) is a record, not a tally: left alone.
        const member = property === undefined ? undefined : binding.memberUpdates?.[property];
        if (property !== undefined && !member) continue;
        const mine = this.copies.flatMap((copy) => {
          const at = copy.names.indexOf(key);
          return at < 0 ? [] : [{ kind: copy.kinds[at], change: copy.changes[at] }];
        });
        if (!mine.some((copy) => copy.change !== 0)) continue;
        const changes = mine.map((copy) => copy.change);
        const { name, location, storesOnly } = binding;
        const [updateSite, updateCode] = member ? [member.site, member.code] : [binding.updateSite, binding.updateCode];
        const pool = this.settings.strategy !== 'sequential';
        const kind = mine[0].kind;
        values.push({
          name: property === undefined ? name : `${name}.${property}`,
          kind,
          location,
          ...(updateSite && { updateSite, updateCode }),
          ...(storesOnly && isContainer(kind) && { storesOnly }),
          // A pool's copy that changed most stands for the run: no copy saw more.
          change: pool ? changes.reduce((most, c) => (Math.abs(c) > Math.abs(most) ? c : most), 0) : changes.reduce((a, b) => a + b, 0),
          ...(pool && { copies: changes, ownCopies: true }),
        });
      }
    }
    return [...values, ...(this.settings.sharedInputs?.changes() ?? [])];
  }

  warn(event: Extract<RunnerEvent, { type: 'warning' }>['warning']): void {
    const { strategy } = this.settings;
    emit({ type: 'warning', warning: { ...event, message: `${strategy}: ${event.message}`, strategy } });
  }
}

/**
 * Stops tasks that run longer than the task timeout. `running` lists the tasks running now and
 * when each started; returns a function that stops the watch.
 */
export function watchTimeouts(
  recorder: RunRecorder,
  running: () => Iterable<{ index: number; startMs: number }>,
  stop: (index: number, status: TaskStatus, reason: string) => void,
): () => void {
  const timeoutMs = recorder.settings.taskTimeoutMs;
  if (timeoutMs <= 0) return () => undefined;
  const timer = setInterval(() => {
    const now = recorder.now();
    for (const { index, startMs } of running()) {
      if (now - startMs > timeoutMs) stop(index, 'timeout', `ran longer than the task timeout (${timeoutMs} ms)`);
    }
  }, Math.max(5, Math.min(50, timeoutMs / 4)));
  return () => clearInterval(timer);
}
