/**
 * The `processes` strategy: N forked Node processes running the same bundle, fed over IPC
 * (structured-clone serialization). Each worker is sent its next task while it runs one, as
 * Python's ProcessPoolExecutor does, so it does not wait a round trip between tasks. They share
 * the counter and locks through a memory-backed file. A crashed, timed-out or stopped worker is
 * replaced and the run goes on; a task sent ahead to it goes to another worker.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TaskStatus } from '../../core/model';
import { CANCELLED, RunRecorder, watchTimeouts, type ActiveRun, type RunSettings } from './runRecorder';
import { exitWords, takeExitSite } from './exitSite';
import { ProcessSharedMemory, createProcessRegion, memoryBackedDir, removeProcessRegion } from './sharedMemory';
import type { RuntimeMessage } from './runtimeContract';
import { heapLimitMb } from './heapLimit';
import { memoryCapArgs, residentCapMb, watchMemory } from './memoryWatch';
import { inspectOnSignalArgs } from './processStacks';
import type { FromProcessWorker, ProcessTask, ProcessWorkerConfig, ValuesRequest } from './processWorker';
import { withDigest } from './taskExecution';
import { childrenCpuMs, processCpuMs } from '../../core/machineLoad';
import { VALUES_ANSWER_MS } from './moduleValues';
import { atMost } from './atMost';

interface Sent {
  task: ProcessTask;
  /** When the worker began it, as far as the runner knows (for the task timeout). */
  startMs: number;
}

interface Worker {
  lane: number;
  child: ChildProcess;
  ready: boolean;
  /** The task it runs, and the one sent to run next. */
  busy?: Sent;
  next?: Sent;
  cpuTotalMs: number;
  exited: Promise<void>;
  /** Set when the memory watch stopped it: how much it used. */
  overMemoryMb?: number;
  /** Whether its module has values of its own (moduleValues.ts); called once it told them. */
  hasValues?: boolean;
  toldValues?: () => void;
}

export function startProcesses(settings: RunSettings): ActiveRun & { done: Promise<void> } {
  const recorder = new RunRecorder(settings);
  const region = createProcessRegion(memoryBackedDir(settings.scratchDir));
  const memory = new ProcessSharedMemory(region);
  // Every task is queued at once, now.
  const queuedMs = recorder.now();
  const memoryLimitMb = heapLimitMb(settings.workers);
  const residentLimitMb = residentCapMb(memoryLimitMb);
  const overMemory = (usedMb: number) => `${Math.round(usedMb)} MB of memory, over the ${residentLimitMb} MB each worker may use`;
  // Tasks not yet sent to a worker: queue[head…].
  const queue = [...settings.tasks];
  let head = 0;
  const workers = new Set<Worker>();
  let finishing = false;
  let cpuOfExited = 0;
  let finished!: () => void;
  const allEnded = new Promise<void>((resolve) => (finished = resolve));
  const checkFinished = () => {
    if (recorder.allEnded()) finished();
  };

  const spawn = (): void => {
    const lane = recorder.reserveLane();
    const spawnMs = recorder.now();
    const config: ProcessWorkerConfig = { bundle: settings.bundle, originEpochMs: settings.originEpochMs, region, lane };
    const child = fork(path.join(__dirname, 'processWorker.js'), [], {
      serialization: 'advanced',
      env: { ...process.env, PP_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Capped memory (memoryWatch.ts): a worker that eats memory dies alone instead of taking the
      // machine down. Its inspector can be started from outside when it hangs (processStacks.ts).
      execArgv: [...memoryCapArgs(memoryLimitMb), ...inspectOnSignalArgs()],
    });
    let exitedResolve!: () => void;
    let uncaught: string | undefined;
    const worker: Worker = { lane, child, ready: false, cpuTotalMs: 0, exited: new Promise((r) => (exitedResolve = r)) };
    workers.add(worker);
    /**
     * A result came: the worker gets its next task before this one is recorded, so it waits for
     * nothing of ours. Returns the task it had been running.
     */
    const freed = (cpuTotalMs: number): Sent | undefined => {
      worker.cpuTotalMs = cpuTotalMs;
      const busy = worker.busy;
      worker.busy = worker.next;
      worker.next = undefined;
      if (worker.busy) worker.busy.startMs = recorder.now();
      dispatch(worker);
      return busy;
    };
    child.on('message', (message: FromProcessWorker | RuntimeMessage) => {
      if (Array.isArray(message)) {
        const [startMs, endMs, cpuMs, cpuTotalMs, result] = message;
        const busy = freed(cpuTotalMs);
        if (busy) recorder.taskOk(busy.task.index, lane, queuedMs, startMs, endMs, cpuMs ?? undefined, result);
        checkFinished();
      } else if (message.pp === 'ready') {
        recorder.laneOf(message.pid, { pid: message.pid, threadId: 0, spawnMs, readyMs: message.readyMs, loadMs: message.loadMs }, lane);
        worker.ready = true;
        worker.hasValues = message.values;
        dispatch(worker);
      } else if (message.pp === 'result') {
        const busy = freed(message.cpuTotalMs);
        if (busy) recorder.taskEnd(withDigest(message.outcome, message.result), lane, queuedMs);
        checkFinished();
      } else if (message.pp === 'uncaught') {
        uncaught = message.error;
      } else if (message.pp === 'values') {
        recorder.values(message);
        worker.toldValues?.();
      } else recorder.fromRuntime(message, lane);
    });
    child.on('error', () => undefined); // 'exit' follows and says what happened
    // After 'exit', the messages the worker sent just before it died may still be unread: wait
    // for its channel to close, so a result sent before dying is not taken for the task that
    // killed it. (A grandchild holding the channel open must not hold the run up.)
    child.on('exit', (code, signal) => {
      if (!child.connected) return exited(code, signal);
      const timer = setTimeout(() => exited(code, signal), 500);
      child.once('disconnect', () => {
        clearTimeout(timer);
        exited(code, signal);
      });
    });
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      workers.delete(worker);
      cpuOfExited += worker.cpuTotalMs;
      if (child.pid) memory.releaseAllOf(child.pid);
      if (recorder.knownLane(child.pid ?? -1) === undefined) {
        // It never said it was ready (e.g. the run ended first): a lane with start-up only.
        recorder.laneOf(child.pid ?? -lane - 1, { pid: child.pid ?? 0, threadId: 0, spawnMs }, lane);
      }
      recorder.workerExit(lane, code, signal);
      const next = worker.next;
      if (next && recorder.cancelled) recorder.taskFailed(next.task.index, -1, queuedMs, 'cancelled', CANCELLED);
      else if (next) queue[--head] = next.task; // it never started: another worker takes it
      const busy = worker.busy;
      if (busy) {
        const { index } = busy.task;
        const stopped = recorder.stopped.get(index);
        if (stopped) recorder.taskFailed(index, lane, queuedMs, stopped.status, stopped.reason, busy.startMs);
        else {
          const exitSite = uncaught || signal ? undefined : takeExitSite(settings.bundle, child.pid, 0);
          const how = uncaught
            ? `an error thrown outside the task, e.g. from a timer: ${uncaught}`
            : signal === 'SIGABRT'
              ? 'signal SIGABRT: Node aborts so when a worker runs out of heap memory'
              : signal
                ? `signal ${signal}`
                : exitWords(code, exitSite);
          const message =
            worker.overMemoryMb !== undefined
              ? `input #${index}: the worker process (pid ${child.pid}) was stopped while running it: it used ${overMemory(worker.overMemoryMb)} (PARALLEL_PROFILER_HEAP_MB sets its heap's share)`
              : `input #${index}: the worker process (pid ${child.pid}) died while running it (${how})`;
          recorder.warn({ kind: 'crash', message, location: exitSite });
          recorder.taskFailed(index, lane, queuedMs, 'crashed', message, busy.startMs, exitSite);
        }
        checkFinished();
      } else if (worker.overMemoryMb !== undefined) {
        recorder.warn({ kind: 'crash', message: `a worker process (pid ${child.pid}) was stopped between tasks after using ${overMemory(worker.overMemoryMb)}` });
      } else if (!finishing && !worker.ready && !recorder.cancelled) {
        recorder.warn({ kind: 'crash', message: `a worker process (pid ${child.pid}) exited during start-up (${signal ?? `exit code ${code}`})` });
      }
      exitedResolve();
      if (!finishing && !recorder.cancelled && head < queue.length && workers.size < settings.workers) spawn();
    };
  };

  /**
   * Gives the worker a task to run, and one to run next while more tasks are left than workers;
   * the last ones go only to free workers, so none waits behind a slow task while a worker idles.
   */
  const dispatch = (worker: Worker): void => {
    while (worker.ready && !worker.next && !recorder.cancelled) {
      if (head === queue.length || (worker.busy && queue.length - head <= settings.workers)) return;
      const task = queue[head++];
      const unsendable = settings.unsendable.get(task.index);
      if (unsendable) {
        recorder.taskFailed(task.index, worker.lane, queuedMs, 'error', unsendable);
        checkFinished();
        continue;
      }
      const sent = { task, startMs: recorder.now() };
      if (worker.busy) worker.next = sent;
      else worker.busy = sent;
      worker.child.send(task satisfies ProcessTask);
    }
  };

  /**
   * Kills a worker; first, where Linux tells, takes its CPU time so far, which it would otherwise
   * have reported with its next answer: a stuck worker's spinning still counts.
   */
  const kill = (worker: Worker): void => {
    const cpuMs = worker.child.pid === undefined ? undefined : processCpuMs(worker.child.pid);
    if (cpuMs !== undefined) worker.cpuTotalMs = Math.max(worker.cpuTotalMs, cpuMs);
    takeChildrenCpu(worker);
    worker.child.kill('SIGKILL');
  };
  // The CPU of the processes the calls started and waited for, per worker, read while it lives.
  let childCpuMs = 0;
  const takeChildrenCpu = (worker: Worker): void => {
    const ms = worker.child.pid === undefined ? undefined : childrenCpuMs(worker.child.pid);
    if (ms !== undefined) childCpuMs += ms;
  };

  const stop = (index: number, status: TaskStatus, reason: string): void => {
    if (recorder.isEnded(index) || recorder.stopped.has(index)) return;
    const queued = queue.findIndex((t, at) => at >= head && t.index === index);
    if (queued >= 0) {
      queue.splice(queued, 1);
      recorder.taskFailed(index, -1, queuedMs, status, reason);
      checkFinished();
      return;
    }
    for (const worker of workers) {
      if (worker.busy?.task.index === index) {
        recorder.stopped.set(index, { status, reason });
        kill(worker);
      }
    }
  };

  const stopMemoryWatch = watchMemory(
    () => [...workers].flatMap((w) => (w.child.pid && w.overMemoryMb === undefined ? [w.child.pid] : [])),
    residentLimitMb,
    (pid, usedMb) => {
      for (const worker of workers) {
        if (worker.child.pid !== pid) continue;
        worker.overMemoryMb = usedMb;
        kill(worker);
      }
    },
  );
  const stopWatch = watchTimeouts(
    recorder,
    () => [...workers].flatMap((w) => (w.busy ? [{ index: w.busy.task.index, startMs: w.busy.startMs }] : [])),
    stop,
  );

  /**
   * Each live worker's copy of the module's values, where its module has any: asked for once the
   * calls are done, before the workers are let go. One that does not answer within a second (or
   * exits) is left out.
   */
  const askForValues = async (): Promise<void> => {
    const asked = [...workers].filter((w) => w.hasValues && w.child.connected);
    if (asked.length === 0) return;
    const told = asked.map((worker) => {
      const answered = new Promise<void>((resolve) => (worker.toldValues = resolve));
      worker.child.send({ pp: 'values' } satisfies ValuesRequest);
      return Promise.race([answered, worker.exited]);
    });
    await atMost(Promise.all(told), VALUES_ANSWER_MS);
  };

  for (let i = 0; i < settings.workers; i++) spawn();
  checkFinished();

  const done = (async () => {
    await allEnded;
    finishing = true;
    stopWatch();
    stopMemoryWatch();
    const counter = { expected: memory.totalTally(), observed: memory.read() };
    if (!recorder.cancelled) await askForValues();
    const exits = [...workers].map((w) => w.exited);
    for (const worker of workers) {
      takeChildrenCpu(worker);
      worker.child.disconnect();
    }
    await Promise.all(exits);
    memory.close();
    removeProcessRegion(region);
    recorder.finish(counter, cpuOfExited, undefined, childCpuMs);
  })();

  return {
    settings,
    done,
    killTasks: (tasks, status, reason) => tasks.forEach((t) => stop(t, status, reason)),
    cancel() {
      recorder.cancelled = true;
      for (const task of queue.splice(head)) recorder.taskFailed(task.index, -1, queuedMs, 'cancelled', CANCELLED);
      for (const worker of workers) if (worker.busy) stop(worker.busy.task.index, 'cancelled', CANCELLED);
      checkFinished();
    },
    busyLanes: () => [...workers].filter((w) => w.busy).map((w) => ({ lane: w.lane, task: w.busy!.task.index, pid: w.child.pid })),
  };
}
