/**
 * The `threads` strategy: a piscina pool of N worker threads sharing one SharedArrayBuffer.
 * A task the controller stops (deadlock, hang) or that runs past the timeout is aborted, which
 * makes piscina terminate its thread and start a new one.
 */
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { FixedQueue, Piscina } from 'piscina';
import type { TaskStatus } from '../../core/model';
import { CANCELLED, RunRecorder, threadsLeftStuck, watchTimeouts, type ActiveRun, type RunSettings } from './runRecorder';
import { ThreadSharedMemory, createThreadBuffer } from './sharedMemory';
import type { RuntimeMessage } from './runtimeContract';
import type { ThreadReady, ThreadTask, ThreadTaskResult, ThreadWorkerData } from './threadWorker';
import { STUCK_MS, STUCK_NOTE, unsendableDeepInside, workerExitStatus } from './failures';
import { takeExitSite } from './exitSite';
import { watchThreadMemory } from './threadMemoryWatch';
import { heapLimitMb } from './heapLimit';
import { TaskTable } from './taskTable';
import { withDigest } from './taskExecution';
import { threadOutputWritten } from './outputFlush';
import { schedstatCpuMs } from './threadCpu';
import { childrenCpuMs, childrenSince } from '../../core/machineLoad';
import { VALUES_ANSWER_MS, type ModuleValuesReport } from './moduleValues';
import { atMost } from './atMost';

/** The thread worker's task that reports its copy of the module's values (threadWorker.ts). */
const VALUES_TASK = 'moduleValuesReport';

/** A worker as piscina's load balancer sees it (piscina does not export the type). */
type PiscinaWorker = Parameters<NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>>[1][number];

/** A task as the runner holds it: its input index and arguments. */
type Task = RunSettings['tasks'][number];

export function startThreads(settings: RunSettings): ActiveRun & { done: Promise<void> } {
  const recorder = new RunRecorder(settings);
  const buffer = createThreadBuffer();
  const memory = new ThreadSharedMemory(buffer);
  const tableBuffer = TaskTable.create(settings.tasks.length);
  const table = new TaskTable(tableBuffer);
  const workerData: ThreadWorkerData = { bundle: settings.bundle, originEpochMs: settings.originEpochMs, buffer, table: tableBuffer };
  const poolRequestedMs = recorder.now();
  const heapMb = heapLimitMb(settings.workers);
  // Tasks given to the pool and not yet to a worker.
  let undistributed = 0;
  // Tasks go to the pool a window at a time, topped up as they settle: a task queued in piscina
  // holds a promise and an async resource (~3 KB), and a million inputs queued at once took the
  // runner to 2.9 GB. settings.tasks[0, submitted) have gone to the pool; inPool of them are there.
  const WINDOW = Math.max(1024, 16 * settings.workers);
  let submitted = 0;
  let inPool = 0;
  /** Tasks not given to any worker yet, in the pool or still to be submitted. */
  const notDistributed = () => undistributed + settings.tasks.length - submitted;
  // Threads given up while stuck in a system call (failures.ts, STUCK_MS), by thread id, and the
  // pool's workers as its balancer last saw them (to know when only a stuck one still holds tasks).
  const stuck = new Set<number>();
  let poolWorkers: readonly PiscinaWorker[] = [];
  // Per input index, how often it was given to the pool: only the latest answer counts.
  const submissions = new Uint8Array(settings.tasks.reduce((most, t) => Math.max(most, t.index + 1), 0));
  const pool = new Piscina<ThreadTask, ThreadTaskResult>({
    filename: path.join(__dirname, 'threadWorker.js'),
    minThreads: settings.workers,
    maxThreads: settings.workers,
    idleTimeout: Infinity,
    // O(1) queue operations: every task of the run is queued at once.
    taskQueue: new FixedQueue(),
    // A task the balancer holds back (every worker has one running and one waiting) goes back to
    // the queue's front, not its end: tasks start in input order, as a user who put the biggest
    // inputs first expects, and as the process pool and Python's pools run them.
    stricterFIFO: true,
    // Piscina's own run and wait histograms: two clock reads and two records per task on this
    // thread, which shares the CPUs with the workers, for numbers the profile never reads.
    recordTiming: false,
    // A worker gets its next task while it runs one, as in the processes strategy and Python's
    // ProcessPoolExecutor, so it never waits for this thread between tasks; not for the last N
    // tasks, so none waits behind a slow one while another worker idles.
    concurrentTasksPerWorker: 2,
    loadBalancer: (task, workers) => {
      poolWorkers = workers;
      const usage = (w: PiscinaWorker) => (stuck.has(w.id) ? -1 : w.currentUsage);
      // Once the calls are done, each idle worker is asked once for its copy of the module's values.
      if (task.name === VALUES_TASK) {
        const idle = workers.find((w) => usage(w) === 0 && !askedForValues.has(w.id));
        if (idle) askedForValues.add(idle.id);
        return idle ?? null;
      }
      const worker = workers.find((w) => usage(w) === 0) ?? (notDistributed() > settings.workers ? workers.find((w) => usage(w) === 1) : undefined);
      if (worker) undistributed--;
      return worker ?? null;
    },
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    // None of the runner's flags: the workers start as a bare pool's would. The worker maps its
    // stacks itself, and only when one is written (lazySourceMap.ts).
    execArgv: [],
  });
  // Each live worker by its slot, with its CPU time at its ready where Linux tells.
  const slots = new Map<number, { lane: number; threadId: number; tid?: number; cpuAtReadyMs?: number }>();
  // Whether a worker was lost (crashed, stopped) with the CPU time it had used since its ready.
  let lostWorkerCpu = false;
  // The first workers' start-up begins when the pool asks for them, before their own code runs;
  // a replacement's is known only from inside it.
  let initial = settings.workers;
  // Whether some worker's module has values of its own, and which workers were asked for them.
  let moduleHasValues = false;
  const askedForValues = new Set<number>();
  const announce = (ready: ThreadReady): number => {
    const known = recorder.knownLane(ready.threadId);
    if (known !== undefined) return known;
    if (ready.values) moduleHasValues = true;
    const spawnMs = initial-- > 0 ? Math.min(poolRequestedMs, ready.spawnMs) : ready.spawnMs;
    const lane = recorder.laneOf(ready.threadId, { ...ready, spawnMs });
    slots.set(ready.slot, { lane, threadId: ready.threadId, tid: ready.tid, cpuAtReadyMs: ready.cpuMs });
    return lane;
  };
  // Every thread the run had, replacements included, to wait for their output at the end.
  const threads = new Set<Worker>();
  // Not all messages are ours: the user's code may post on parentPort too.
  pool.on('message', (message: ThreadReady | RuntimeMessage | undefined) => {
    if (message?.pp === 'ready') {
      for (const thread of pool.threads) threads.add(thread);
      announce(message);
    } else recorder.fromRuntime(message);
  });
  // A piscina error event is a worker failing outside a task (e.g. a stray timer throwing).
  pool.on('error', (error: Error) => {
    recorder.warn({ kind: 'crash', message: `a worker thread failed outside any task: ${error.message}` });
  });

  /** The slot whose worker is running (or died running) this task. */
  const slotRunning = (index: number): number | undefined => {
    for (const slot of slots.keys()) if (memory.runningTask[slot] === index) return slot;
    return undefined;
  };
  // No abort signal per task: piscina moves signalled tasks through a slow queue. A running task is
  // stopped by terminating its thread (piscina then fails the task and starts a new thread).
  const stop = (index: number, status: TaskStatus, reason: string) => {
    if (recorder.isEnded(index) || recorder.stopped.has(index)) return;
    const slot = slotRunning(index);
    const threadId = slot === undefined ? undefined : slots.get(slot)?.threadId;
    const thread = pool.threads.find((t) => t.threadId === threadId);
    if (!thread) return;
    recorder.stopped.set(index, { status, reason });
    void thread.terminate();
    setTimeout(() => abandonIfStuck(index, slot!, thread.threadId), STUCK_MS);
  };

  /** A stopped task whose thread has not ended by now: it ends without it (failures.ts, STUCK_NOTE). */
  const abandonIfStuck = (index: number, slot: number, threadId: number): void => {
    const worker = slots.get(slot);
    if (recorder.isEnded(index) || !worker) return;
    stuck.add(threadId);
    threadsLeftStuck.count++;
    slots.delete(slot);
    lostWorkerCpu = true;
    submissions[index]++; // its answer, should it ever come, no longer counts
    memory.releaseAllOf(threadId);
    recorder.workerExit(worker.lane, null, 'terminated');
    const stopped = recorder.stopped.get(index)!;
    recorder.taskFailed(index, worker.lane, queuedMs, stopped.status, `${stopped.reason}; ${STUCK_NOTE}`, memory.runningSince[slot]);
    settledOne();
  };

  /**
   * Tasks the pool sent ahead to a stuck thread: once the queue is empty and every other worker
   * idle, the tasks still open can only be there, and they are given to the pool again.
   */
  const rescueFromStuck = (): void => {
    if (stuck.size === 0 || pool.queueSize > 0 || poolWorkers.some((w) => !stuck.has(w.id) && w.currentUsage > 0)) return;
    for (let i = 0; i < submitted; i++) {
      if (!recorder.isEnded(settings.tasks[i].index)) runOne(settings.tasks[i]);
    }
  };

  /** The tasks running now: on which lane and thread, since when. */
  const running = () =>
    [...slots]
      .filter(([slot]) => memory.runningTask[slot] >= 0)
      .map(([slot, { lane, tid, threadId }]) => ({ index: memory.runningTask[slot], startMs: memory.runningSince[slot], lane, tid, threadId }));
  const stopWatch = watchTimeouts(recorder, running, stop);
  const stopMemoryWatch = watchThreadMemory(recorder, settings.workers, heapMb, running, stop);

  const cpuBefore = process.cpuUsage();
  const children0 = childrenCpuMs(process.pid);
  // Every task is queued at once, now.
  const queuedMs = recorder.now();
  const ended = (index: number, answer: ThreadTaskResult): void => {
    if (answer !== null && typeof answer === 'object') {
      const { outcome, worker, result } = answer;
      recorder.taskEnd(withDigest(outcome, result), worker ? announce(worker) : recorder.knownLane(table.threadId[index]) ?? -1, queuedMs);
      return;
    }
    // A plain result: the timing is in the table, the digest is made here.
    const cpuMs = table.cpuMs[index];
    const lane = recorder.knownLane(table.threadId[index]) ?? -1;
    recorder.taskOk(index, lane, queuedMs, table.startMs[index], table.endMs[index], Number.isNaN(cpuMs) ? undefined : cpuMs, answer);
  };
  const rerun = new Map<number, number>();
  /** Records a task the pool failed; true if it was sent again instead (to another worker). */
  const failed = (task: Task, error: Error): boolean => {
    const { index } = task;
    // Task errors come back as outcomes: a rejection means the worker was terminated or died.
    // Its slot still names the task it was running.
    const slot = slotRunning(index);
    const worker = slot === undefined ? undefined : slots.get(slot);
    const lane = worker?.lane ?? -1;
    const stopped = recorder.stopped.get(index);
    // The call ended, then its worker died: piscina could not post its answer (structured clone
    // refused something deep in the result, past what the worker looks through first) and hands
    // back a bare object. The task failed, not the user's code: its worker goes.
    if (!stopped && table.threadId[index] !== 0 && !(error instanceof Error)) {
      const threadId = table.threadId[index];
      const dead = [...slots].find(([, w]) => w.threadId === threadId);
      if (dead) {
        slots.delete(dead[0]);
        lostWorkerCpu = true;
        recorder.workerExit(dead[1].lane, 1);
      }
      recorder.taskFailed(index, recorder.knownLane(threadId) ?? -1, queuedMs, 'error', unsendableDeepInside(index), table.startMs[index]);
      return false;
    }
    const exitSite = worker && takeExitSite(settings.bundle, process.pid, worker.threadId);
    const failure = workerExitStatus(error, index, exitSite);
    // A task sent ahead to a worker that died before starting it runs on another (a few times at
    // most, so workers that die on start-up cannot keep it going round).
    const neverStarted = slot === undefined && table.threadId[index] === 0;
    const tries = rerun.get(index) ?? 0;
    if (neverStarted && !stopped && failure.status === 'crashed' && tries < 3) {
      rerun.set(index, tries + 1);
      runOne(task);
      return true;
    }
    if (slot !== undefined && worker) {
      memory.runningTask[slot] = -1;
      memory.releaseAllOf(worker.threadId);
      if (failure.status === 'crashed' || stopped) {
        slots.delete(slot);
        lostWorkerCpu = true;
        recorder.workerExit(lane, stopped ? null : failure.exitCode ?? 1, stopped ? 'terminated' : undefined);
      }
    }
    if (stopped) recorder.taskFailed(index, lane, queuedMs, stopped.status, stopped.reason, slot === undefined ? undefined : memory.runningSince[slot]);
    else {
      if (failure.status === 'crashed') recorder.warn({ kind: 'crash', message: failure.message, location: exitSite });
      recorder.taskFailed(index, lane, queuedMs, failure.status, failure.message, undefined, exitSite);
    }
    return false;
  };
  // Tasks are counted down in their own handlers: Promise.all over them would add a promise, a
  // reaction and a closure per task on this thread, which shares the CPUs with the workers.
  let unsettled = settings.tasks.length;
  let settleAll!: () => void;
  const allSettled = new Promise<void>((resolve) => (settleAll = resolve));
  const settledOne = (): void => {
    inPool--;
    if (--unsettled === 0) settleAll();
    else {
      topUp();
      rescueFromStuck();
    }
  };
  let toppingUp = false;
  /** Fills the window (a loop, not a recursion: tasks that cannot be sent settle at once). */
  const topUp = (): void => {
    if (toppingUp) return;
    toppingUp = true;
    while (inPool < WINDOW && submitted < settings.tasks.length && !recorder.cancelled) {
      inPool++;
      runOne(settings.tasks[submitted++]);
    }
    toppingUp = false;
  };
  const runOne = (task: Task): void => {
    const unsendable = settings.unsendable.get(task.index);
    if (unsendable) {
      recorder.taskFailed(task.index, -1, queuedMs, 'error', unsendable);
      return settledOne();
    }
    undistributed++;
    const message: ThreadTask = [task.index, ...task.args];
    const submission = ++submissions[task.index];
    pool.run(message).then(
      (answer) => {
        if (submissions[task.index] !== submission) return;
        try {
          ended(task.index, answer);
        } finally {
          settledOne();
        }
      },
      (error: Error) => {
        if (submissions[task.index] !== submission) return;
        let sentAgain = false;
        try {
          sentAgain = failed(task, error);
        } finally {
          if (!sentAgain) settledOne();
        }
      },
    );
  };

  /** The live workers' CPU time since their ready: the calls' CPU without start-up, where Linux tells. */
  const cpuSinceReady = (): number | undefined => {
    let total = 0;
    for (const { tid, cpuAtReadyMs } of slots.values()) {
      const now = tid === undefined ? undefined : schedstatCpuMs(tid);
      if (now === undefined || cpuAtReadyMs === undefined) return undefined;
      total += now - cpuAtReadyMs;
    }
    return total;
  };

  /**
   * Each live worker's copy of the module's values, through a task of their own: an idle piscina
   * worker listens for nothing else. One that does not answer within a second is left out.
   */
  const askForValues = async (): Promise<void> => {
    const live = pool.threads.length - stuck.size;
    const asked = Array.from({ length: live }, () =>
      pool.run(null as unknown as ThreadTask, { name: VALUES_TASK }).then(
        (report: unknown) => report && recorder.values(report as ModuleValuesReport),
        () => undefined,
      ),
    );
    await atMost(Promise.all(asked), VALUES_ANSWER_MS);
  };

  const done = (async () => {
    if (unsettled === 0) settleAll();
    topUp();
    await allSettled;
    stopWatch();
    stopMemoryWatch();
    if (moduleHasValues && !recorder.cancelled) await askForValues();
    const cpu = process.cpuUsage(cpuBefore);
    const callsCpuMs = lostWorkerCpu ? undefined : cpuSinceReady();
    const counter = { expected: memory.totalTally(), observed: memory.read() };
    // A stuck thread would keep the pool from ever being destroyed: the runner's exit ends it.
    if (stuck.size > 0) void pool.destroy();
    else if (!recorder.cancelled) await pool.destroy();
    await threadOutputWritten([...threads].filter((thread) => !stuck.has(thread.threadId)));
    for (const { lane } of slots.values()) recorder.workerExit(lane, 0);
    recorder.finish(counter, (cpu.user + cpu.system) / 1000, callsCpuMs, childrenSince(children0));
  })();

  return {
    settings,
    done,
    killTasks: (tasks, status, reason) => tasks.forEach((t) => stop(t, status, reason)),
    cancel() {
      recorder.cancelled = true;
      for (const { index } of settings.tasks) {
        if (!recorder.isEnded(index)) recorder.stopped.set(index, { status: 'cancelled', reason: CANCELLED });
      }
      // Fails every queued and running task at once; the run then finishes.
      void pool.destroy();
      for (; submitted < settings.tasks.length; submitted++) {
        recorder.taskFailed(settings.tasks[submitted].index, -1, queuedMs, 'cancelled', CANCELLED);
        if (--unsettled === 0) settleAll();
      }
    },
    busyLanes: () => running().map(({ lane, index, threadId, tid }) => ({ lane, task: index, threadId, tid })),
  };
}
