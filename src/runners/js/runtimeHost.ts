/**
 * What the runtime (`parallel-profiler/runtime`) talks to inside a profiled worker: the shared
 * memory of the run, the worker's private tally, and the channel that reports lock events
 * (lockEvents.ts). A worker entry installs one on `globalThis` before it loads the user's bundle.
 */
import type { SharedMemory } from './sharedMemory';
import { sinceOrigin } from './clock';
import { LockEvents } from './lockEvents';
import { HOST_KEY, type RuntimeHost, type RuntimeMessage } from './runtimeContract';

export interface WorkerIdentity {
  /** Lock owner id: the thread id for threads, the pid for processes. */
  owner: number;
  /** Tally slot: the lane for processes, the thread id for threads (unique within the run). */
  tallySlot: number;
  originEpochMs: number;
}

/** Tracks which task the worker is running, for lock events. */
export const currentTask = { index: -1 };

/** Called as each task ends: tells the hot locks' tallies, releases and tells the locks it left held (lockEvents.ts). */
export const taskEnded = { run: (): void => undefined };

export function installRuntimeHost(
  memory: SharedMemory,
  identity: WorkerIdentity,
  post: (message: RuntimeMessage) => void,
): void {
  const locks = new LockEvents(memory, identity.owner, () => sinceOrigin(identity.originEpochMs), currentTask, post);
  taskEnded.run = () => locks.taskEnded();
  const host: RuntimeHost = {
    counterAdd(n) {
      memory.addTally(identity.tallySlot, n);
      memory.add(n);
    },
    counterUnsafeAdd(n) {
      memory.addTally(identity.tallySlot, n);
      memory.unsafeAdd(n);
    },
    counterValue: () => memory.read(),
    lockAcquire: (name, entry) => locks.acquire(name, entry),
    lockRelease: (name) => locks.release(name),
  };
  (globalThis as Record<string, unknown>)[HOST_KEY] = host;
}
