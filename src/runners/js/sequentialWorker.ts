/**
 * The one worker thread of the `sequential` strategy: the baseline a user would get by calling the
 * function in a loop, in the same kind of environment as the pools' workers. It receives every
 * input at once and posts one outcome per call.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { epochMs, sinceOrigin } from './clock';
import { installRuntimeHost } from './runtimeHost';
import { ThreadSharedMemory } from './sharedMemory';
import { loadBundle } from './loadBundle';
import { executeTask, type TaskOutcome } from './taskExecution';
import type { ThreadReady } from './threadWorker';
import { linuxThreadId } from './threadMemoryWatch';
import { ownThreadCpuMs } from './threadCpu';

export interface SequentialWorkerData {
  bundle: string;
  originEpochMs: number;
  buffer: SharedArrayBuffer;
  /** Argument lists, with their input indexes. */
  tasks: { index: number; args: unknown[] }[];
}

export interface SequentialOutcome {
  pp: 'outcome';
  outcome: TaskOutcome;
}

/**
 * The CPU time the worker spent from ready to its last call, where it can be measured: the calls'
 * CPU without the worker's start-up, which per-task CPU (when Node can measure it) also leaves out.
 */
export interface SequentialCallsCpu {
  pp: 'calls-cpu';
  cpuMs: number;
}

// A worker thread's start is when its own code first runs.
const startedEpochMs = epochMs();

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  const { bundle, originEpochMs, buffer, tasks } = workerData as SequentialWorkerData;
  const memory = new ThreadSharedMemory(buffer);
  const slot = memory.claimSlot();
  const port = parentPort!;
  installRuntimeHost(memory, { owner: threadId, tallySlot: slot, originEpochMs }, (m) => port.postMessage(m));
  const fn = (await loadBundle(bundle)).target() as (...args: unknown[]) => unknown;
  const ready: ThreadReady = { pp: 'ready', threadId, pid: process.pid, slot, tid: linuxThreadId(), spawnMs: startedEpochMs - originEpochMs, readyMs: sinceOrigin(originEpochMs) };
  const cpuAtReady = ownThreadCpuMs();
  port.postMessage(ready);
  for (const { index, args } of tasks) {
    memory.runningTask[slot] = index;
    memory.runningSince[slot] = sinceOrigin(originEpochMs);
    const { outcome } = await executeTask(fn, index, args, originEpochMs, 'thread', false);
    memory.runningTask[slot] = -1;
    const message: SequentialOutcome = { pp: 'outcome', outcome };
    port.postMessage(message);
  }
  const cpuAtEnd = ownThreadCpuMs();
  if (cpuAtReady !== undefined && cpuAtEnd !== undefined) {
    const calls: SequentialCallsCpu = { pp: 'calls-cpu', cpuMs: cpuAtEnd - cpuAtReady };
    port.postMessage(calls);
  }
}

void main();
