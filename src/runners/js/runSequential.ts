/**
 * The `sequential` strategy: one worker thread calls the function on every input in a loop — the
 * baseline the pools are measured against. If the controller or a timeout stops a task, or the
 * worker dies, a new worker carries on from the next input. The worker reports its calls in
 * batches (sequentialWorker.ts); those it had not reported when it died are read from the task table.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TaskStatus } from '../../core/model';
import { CANCELLED, RunRecorder, threadsLeftStuck, watchTimeouts, type ActiveRun, type RunSettings } from './runRecorder';
import { exitWords, takeExitSite } from './exitSite';
import { STUCK_MS, STUCK_NOTE, neverSettled } from './failures';
import { ThreadSharedMemory, createThreadBuffer } from './sharedMemory';
import type { RuntimeMessage } from './runtimeContract';
import { heapLimitMb } from './heapLimit';
import { watchThreadMemory } from './threadMemoryWatch';
import type { ThreadReady } from './threadWorker';
import type { SequentialCallsCpu, SequentialEnded, SequentialWorkerData } from './sequentialWorker';
import { TaskTable } from './taskTable';
import type { TaskOutcome } from './taskExecution';
import type { ModuleValuesReport } from './moduleValues';
import { threadOutputWritten } from './outputFlush';
import { childrenCpuMs, childrenSince } from '../../core/machineLoad';

export function startSequential(settings: RunSettings): ActiveRun & { done: Promise<void> } {
  const recorder = new RunRecorder(settings);
  const buffer = createThreadBuffer();
  const memory = new ThreadSharedMemory(buffer);
  const tableBuffer = TaskTable.create(settings.tasks.reduce((most, t) => Math.max(most, t.index + 1), 0));
  const table = new TaskTable(tableBuffer);
  /** Whether the worker finished the call, reported or not: its end is in the table (never 0). */
  const callEnded = (index: number) => table.endMs[index] > 0;
  const queuedMs = recorder.now();
  const cpuBefore = process.cpuUsage();
  // The runner's waited-for children: those the calls started (worker threads share its pid).
  const children0 = childrenCpuMs(process.pid);
  let current: { worker: Worker; lane: number; slot: number; threadId: number; tid?: number; abandon?: () => void } | undefined;
  // Workers given up while stuck in a system call (failures.ts, STUCK_MS): not waited for.
  const abandoned = new Set<Worker>();
  let finished!: () => void;
  const allEnded = new Promise<void>((resolve) => (finished = resolve));
  const remaining = () => settings.tasks.filter((t) => !recorder.isEnded(t.index));

  const threads: Worker[] = [];
  // The calls' CPU as each worker measured it; known only if every worker got to its end.
  let callsCpuMs = 0;
  let workersMeasured = 0;
  const startWorker = (): void => {
    const tasks = remaining().filter((t) => {
      const unsendable = settings.unsendable.get(t.index);
      if (unsendable) recorder.taskFailed(t.index, -1, queuedMs, 'error', unsendable);
      return !unsendable;
    });
    if (tasks.length === 0 || recorder.cancelled) return finished();
    const requestedMs = recorder.now();
    const argLists = tasks.some((t) => t.args.length !== 1);
    const data: SequentialWorkerData = {
      bundle: settings.bundle,
      originEpochMs: settings.originEpochMs,
      buffer,
      table: tableBuffer,
      indexes: tasks.map((t) => t.index),
      args: tasks.map((t) => (argLists ? t.args : t.args[0])),
      argLists,
    };
    const worker = new Worker(path.join(__dirname, 'sequentialWorker.js'), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb(1) },
      // As for the pool's threads: the worker maps its stacks itself, only when one is written.
      execArgv: [],
    });
    threads.push(worker);
    const mine: NonNullable<typeof current> = { worker, lane: -1, slot: -1, threadId: worker.threadId };
    current = mine;
    let failure: string | undefined;
    // Not all messages are ours: the user's code may post on parentPort too.
    worker.on('message', (message: ThreadReady | SequentialEnded | SequentialCallsCpu | ModuleValuesReport | RuntimeMessage | undefined) => {
      if (message?.pp === 'ready') {
        mine.lane = recorder.laneOf(message.threadId, { ...message, spawnMs: Math.min(requestedMs, message.spawnMs) });
        mine.slot = message.slot;
        mine.tid = message.tid;
      } else if (message?.pp === 'ended') {
        const { plain, outcomes } = message;
        for (let i = 0; i < plain.length; i += 2) ended(plain[i] as number, mine.lane, plain[i + 1]);
        for (const outcome of outcomes) recorder.taskEnd(outcome, mine.lane, queuedMs);
      } else if (message?.pp === 'values') {
        recorder.values(message);
      } else if (message?.pp === 'calls-cpu') {
        callsCpuMs += message.cpuMs;
        workersMeasured++;
      } else recorder.fromRuntime(message, mine.lane);
    });
    worker.on('error', (error) => (failure = error.message));
    /** The worker is gone (`stuck`: given up while stuck, its exit never came): its task ends. */
    const gone = (code: number | null, stuck = false): void => {
      memory.releaseAllOf(mine.threadId);
      // Calls it finished but had not reported yet: ok (errors are reported at once), their results gone with it.
      for (const { index } of tasks) {
        if (callEnded(index) && !recorder.isEnded(index)) recorder.taskEnd(timedOutcome(index), mine.lane, queuedMs);
      }
      if (mine.lane >= 0) recorder.workerExit(mine.lane, code);
      const index = mine.slot >= 0 ? memory.runningTask[mine.slot] : -1;
      if (index >= 0 && !recorder.isEnded(index)) {
        const stopped = recorder.stopped.get(index);
        const startMs = memory.runningSince[mine.slot];
        if (stopped) recorder.taskFailed(index, mine.lane, queuedMs, stopped.status, stuck ? `${stopped.reason}; ${STUCK_NOTE}` : stopped.reason, startMs);
        else {
          const exitSite = failure ? undefined : takeExitSite(settings.bundle, process.pid, mine.threadId);
          if (code === 0 && !failure && !exitSite) {
            // Nothing called exit: the thread's event loop ran out of things to wait for while
            // the call was still awaiting one (sequentialWorker.ts keeps nothing else alive). It
            // ends as the hang watch ends such a call in a pool.
            const message = neverSettled(index);
            recorder.warn({ kind: 'hang', message });
            recorder.taskFailed(index, mine.lane, queuedMs, 'timeout', message, startMs);
          } else {
            const message = `input #${index}: the worker stopped while running it (${failure ?? exitWords(code, exitSite)})`;
            recorder.warn({ kind: 'crash', message, location: exitSite });
            recorder.taskFailed(index, mine.lane, queuedMs, 'crashed', message, startMs, exitSite);
          }
        }
      }
      current = undefined;
      startWorker();
    };
    worker.on('exit', (code) => gone(code));
    mine.abandon = () => {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('message');
      abandoned.add(worker);
      threadsLeftStuck.count++;
      gone(null, true);
    };
  };

  /** A call's CPU time from the table, where the runtime measured it. */
  const cpuOf = (index: number) => (Number.isNaN(table.cpuMs[index]) ? undefined : table.cpuMs[index]);
  /** A plain result's call, its timing from the table. */
  const ended = (index: number, lane: number, result: unknown): void =>
    recorder.taskOk(index, lane, queuedMs, table.startMs[index], table.endMs[index], cpuOf(index), result);
  /** A call known only from the table: its result went with its worker. */
  const timedOutcome = (index: number): TaskOutcome => ({ index, startMs: table.startMs[index], endMs: table.endMs[index], status: 'ok', cpuMs: cpuOf(index) });

  const stop = (index: number, status: TaskStatus, reason: string): void => {
    if (recorder.isEnded(index) || recorder.stopped.has(index) || callEnded(index)) return;
    if (current && current.slot >= 0 && memory.runningTask[current.slot] === index) {
      recorder.stopped.set(index, { status, reason });
      const stopping = current;
      void stopping.worker.terminate();
      setTimeout(() => {
        if (current === stopping && !recorder.isEnded(index)) stopping.abandon?.();
      }, STUCK_MS);
    } else {
      recorder.taskFailed(index, -1, queuedMs, status, reason);
    }
  };

  /** The task the worker runs now (none or one): on which lane and thread, since when. */
  const running = () => {
    const index = current && current.slot >= 0 ? memory.runningTask[current.slot] : -1;
    return index >= 0 && current ? [{ index, startMs: memory.runningSince[current.slot], lane: current.lane, tid: current.tid, threadId: current.threadId }] : [];
  };
  const stopWatch = watchTimeouts(recorder, running, stop);
  const stopMemoryWatch = watchThreadMemory(recorder, 1, heapLimitMb(1), running, stop);

  startWorker();

  const done = (async () => {
    await allEnded;
    stopWatch();
    stopMemoryWatch();
    const cpu = process.cpuUsage(cpuBefore);
    await threadOutputWritten(threads.filter((thread) => !abandoned.has(thread)));
    const calls = workersMeasured === threads.length ? callsCpuMs : undefined;
    recorder.finish({ expected: memory.totalTally(), observed: memory.read() }, (cpu.user + cpu.system) / 1000, calls, childrenSince(children0));
  })();

  return {
    settings,
    done,
    killTasks: (tasks, status, reason) => tasks.forEach((t) => stop(t, status, reason)),
    cancel() {
      recorder.cancelled = true;
      const runningIndex = running()[0]?.index ?? -1;
      for (const task of remaining()) {
        if (task.index !== runningIndex && !callEnded(task.index)) recorder.taskFailed(task.index, -1, queuedMs, 'cancelled', CANCELLED);
      }
      if (runningIndex >= 0) stop(runningIndex, 'cancelled', CANCELLED);
      else if (current) void current.worker.terminate();
    },
    busyLanes: () => running().map(({ lane, index, threadId, tid }) => ({ lane, task: index, threadId, tid })),
  };
}
