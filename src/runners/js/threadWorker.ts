/**
 * A piscina worker thread of the `threads` strategy: loads the user's bundle once, then runs one
 * task per call. Its readiness and lock events go to the runner through piscina's message channel.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { sinceOrigin } from './clock';
import { installRuntimeHost } from './runtimeHost';
import { ThreadSharedMemory } from './sharedMemory';
import { loadBundle } from './loadBundle';
import { executeTask, type TaskOutcome } from './taskExecution';

export interface ThreadWorkerData {
  bundle: string;
  originEpochMs: number;
  buffer: SharedArrayBuffer;
}

export interface ThreadTask {
  index: number;
  args: unknown[];
}

export interface ThreadReady {
  pp: 'ready';
  threadId: number;
  pid: number;
  slot: number;
  spawnMs: number;
  readyMs: number;
}

export interface ThreadTaskResult {
  outcome: TaskOutcome;
  /**
   * Who ran it, on a worker's first result only: results and the ready message travel on
   * different channels, so either may arrive first.
   */
  worker?: ThreadReady;
  threadId: number;
  result: unknown;
}

// A worker thread shares its process's timeOrigin, so its start is when its own code first runs.
const startedEpochMs = performance.timeOrigin + performance.now();

async function setup(): Promise<(task: ThreadTask) => Promise<ThreadTaskResult>> {
  process.setSourceMapsEnabled(true);
  const { bundle, originEpochMs, buffer } = workerData as ThreadWorkerData;
  const memory = new ThreadSharedMemory(buffer);
  const slot = memory.claimSlot();
  installRuntimeHost(memory, { owner: threadId, tallySlot: slot, originEpochMs }, (m) => parentPort!.postMessage(m));
  const fn = (await loadBundle(bundle)).target() as (...args: unknown[]) => unknown;
  const ready: ThreadReady = { pp: 'ready', threadId, pid: process.pid, slot, spawnMs: startedEpochMs - originEpochMs, readyMs: sinceOrigin(originEpochMs) };
  parentPort!.postMessage(ready);
  let announced = false;
  return async ({ index, args }) => {
    memory.runningTask[slot] = index;
    memory.runningSince[slot] = sinceOrigin(originEpochMs);
    const { outcome, result } = await executeTask(fn, index, args, originEpochMs, 'thread', true);
    memory.runningTask[slot] = -1;
    const worker = announced ? undefined : ready;
    announced = true;
    return { outcome, worker, threadId, result };
  };
}

export default setup();
