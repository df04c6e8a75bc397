/**
 * What the runtime (`parallel-profiler/runtime`) talks to inside a profiled worker: the shared
 * memory of the run, the worker's private tally, and the channel that reports lock events.
 * A worker entry installs one on `globalThis` before it loads the user's bundle.
 */
import type { LockKind, SourceLocation } from '../../core/model';
import type { SharedMemory } from './sharedMemory';
import { sinceOrigin } from './clock';
import { callerSite } from './sourceSites';
import { HOST_KEY, type LockMessage, type RuntimeHost } from './runtimeContract';

export interface WorkerIdentity {
  /** Lock owner id: the thread id for threads, the pid for processes. */
  owner: number;
  /** Tally slot: the lane for processes, the thread id for threads (unique within the run). */
  tallySlot: number;
  originEpochMs: number;
}

/** Tracks which task the worker is running, for lock events. */
export const currentTask = { index: -1 };

export function installRuntimeHost(
  memory: SharedMemory,
  identity: WorkerIdentity,
  post: (message: LockMessage) => void,
): void {
  const held = new Set<string>();
  const event = (kind: LockKind, lock: string, site?: SourceLocation, atMs = sinceOrigin(identity.originEpochMs)) =>
    post({ pp: 'lock', owner: identity.owner, task: currentTask.index, lock, kind, atMs, site });
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
    lockAcquire(name) {
      if (held.has(name)) {
        throw new Error(`lock "${name}" is already held by this task: runtime locks are not re-entrant`);
      }
      const site = callerSite();
      event('request', name, site);
      memory.acquire(name, identity.owner);
      held.add(name);
      event('acquire', name, site);
    },
    lockRelease(name) {
      if (!held.delete(name)) throw new Error(`lock "${name}" is released but was not held by this task`);
      // Stamped before the release, so that no other worker's acquire can appear to come first.
      const site = callerSite();
      const atMs = sinceOrigin(identity.originEpochMs);
      memory.release(name, identity.owner);
      event('release', name, site, atMs);
    },
  };
  (globalThis as Record<string, unknown>)[HOST_KEY] = host;
}
