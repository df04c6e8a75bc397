/**
 * A piscina worker thread of the `threads` strategy: loads the user's bundle once, then runs one
 * task per call. Each task's timing goes into the run's task table; the task's answer is, like a
 * bare pool's, just the result when it is a plain value. Readiness and lock events go to the
 * runner through piscina's message channel.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { epochMs, sinceOrigin } from './clock';
import { installRuntimeHost } from './runtimeHost';
import { ThreadSharedMemory } from './sharedMemory';
import { loadTarget } from './loadBundle';
import { mapStacksToSources } from './lazySourceMap';
import { recordExitSite } from './exitSite';
import { TaskTable } from './taskTable';
import { linuxThreadId } from './threadMemoryWatch';
import { schedstatCpuMs } from './threadCpu';
import { executeTask, isPlain, newPlainCall, type Executed, type TaskOutcome } from './taskExecution';
import type { ModuleValues, ModuleValuesReport } from './moduleValues';

export interface ThreadWorkerData {
  bundle: string;
  originEpochMs: number;
  buffer: SharedArrayBuffer;
  /** The run's task table (taskTable.ts). */
  table: SharedArrayBuffer;
}

/**
 * A task as sent to a worker: its input index, then its arguments. One flat array costs less to
 * copy between threads than an object holding an array, on both sides, for every task.
 */
export type ThreadTask = [index: number, ...args: unknown[]];

export interface ThreadReady {
  pp: 'ready';
  threadId: number;
  pid: number;
  slot: number;
  /** The kernel's id of the thread, where Linux tells (threadMemoryWatch.ts). */
  tid?: number;
  /** The thread's CPU time at its ready, where Linux tells (threadCpu.ts). */
  cpuMs?: number;
  spawnMs: number;
  readyMs: number;
  /** How long loading the user's module took (its imports and top-level code). */
  loadMs: number;
  /** Whether the module has values of its own to report at the run's end (moduleValues.ts). */
  values?: boolean;
}

/**
 * A task's answer: the result itself when the call returned a primitive (its timing is in the task
 * table); otherwise — an object result, an error, or a worker's first task — the whole outcome.
 */
export type ThreadTaskResult = string | number | boolean | bigint | null | undefined | ThreadOutcome;

export interface ThreadOutcome {
  outcome: TaskOutcome;
  /**
   * Who ran it, on a worker's first result: results and the ready message travel on different
   * channels, so either may arrive first.
   */
  worker?: ThreadReady;
  result: unknown;
}

// A worker thread's start is when its own code first runs.
const startedEpochMs = epochMs();

async function setup(): Promise<(task: ThreadTask) => ThreadTaskResult | Promise<ThreadTaskResult>> {
  const { bundle, originEpochMs, buffer, table: tableBuffer } = workerData as ThreadWorkerData;
  mapStacksToSources(bundle);
  recordExitSite(bundle, threadId);
  const memory = new ThreadSharedMemory(buffer);
  const table = new TaskTable(tableBuffer);
  const slot = memory.claimSlot();
  installRuntimeHost(memory, { owner: threadId, tallySlot: slot, originEpochMs }, (m) => parentPort!.postMessage(m));
  const { fn, readyMs, loadMs, values } = await loadTarget(bundle, originEpochMs);
  moduleValues = values;
  const ready: ThreadReady = {
    pp: 'ready',
    threadId,
    pid: process.pid,
    slot,
    tid: linuxThreadId(),
    spawnMs: startedEpochMs - originEpochMs,
    readyMs,
    loadMs,
    cpuMs: schedstatCpuMs(),
    ...(values && { values: true }),
  };
  parentPort!.postMessage(ready);
  let announced = false;
  /** A task's timing into the table, where the runner reads it. */
  const ended = (index: number, startMs: number, endMs: number, cpuMs: number | undefined): void => {
    memory.runningTask[slot] = -1;
    table.startMs[index] = startMs;
    table.endMs[index] = endMs;
    table.cpuMs[index] = cpuMs ?? NaN;
    table.threadId[index] = threadId;
  };
  const reply = ({ outcome, result }: Executed): ThreadTaskResult => {
    ended(outcome.index, outcome.startMs, outcome.endMs, outcome.cpuMs);
    if (announced && outcome.status === 'ok' && isPlain(result)) {
      return result as ThreadTaskResult;
    }
    const worker = announced ? undefined : ready;
    announced = true;
    return { outcome, worker, result };
  };
  const plain = newPlainCall();
  const run = (task: ThreadTask): ThreadTaskResult | Promise<ThreadTaskResult> => {
    // What is left once the index is taken off is the arguments: no second array.
    const index = task.shift() as number;
    const args = task;
    memory.runningTask[slot] = index;
    memory.runningSince[slot] = sinceOrigin(originEpochMs);
    // The first answer is a whole outcome, since it carries the worker's ready.
    const executed = executeTask(fn, index, args, originEpochMs, 'thread', 'all', announced ? plain : undefined);
    if (executed === plain) {
      setImmediate(startNext);
      ended(index, plain.startMs, plain.endMs, plain.cpuMs);
      return plain.result as ThreadTaskResult;
    }
    return executed instanceof Promise ? executed.then(finished) : finished(executed as Executed);
  };
  /** A task's answer, with the next task due once it has been posted. */
  const finished = (executed: Executed): ThreadTaskResult => {
    setImmediate(startNext);
    return reply(executed);
  };
  // The runner sends a task ahead while this one runs (runThreads.ts). It waits here until the
  // answer before it has been posted (piscina posts it in the microtasks after this call returns;
  // the immediate comes after them): so an async function still runs one task at a time, and the
  // runner gets each answer as soon as its task ends.
  let running = false;
  const waiting: Array<() => void> = [];
  const startNext = (): void => {
    const start = waiting.shift();
    if (start) start();
    else running = false;
  };
  return (task) => {
    if (!running) {
      running = true;
      return run(task);
    }
    return new Promise((resolve) => waiting.push(() => resolve(run(task))));
  };
}

export default setup();

let moduleValues: ModuleValues | undefined;

/**
 * A task of its own (piscina's `name` option), which the runner gives each worker once the run's
 * calls are done: what they did to this worker's copy of the module's values.
 */
export function moduleValuesReport(): ModuleValuesReport | null {
  return moduleValues?.report() ?? null;
}
