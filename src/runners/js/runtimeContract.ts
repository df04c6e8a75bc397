/**
 * The contract between the user-facing runtime and the worker that hosts it: a global key and the
 * host's shape. Kept apart so the runtime bundle stays tiny.
 */
import type { LockKind, SourceLocation } from '../../core/model';

export const HOST_KEY = '__parallelProfilerHost';

export interface RuntimeHost {
  counterAdd(n: number): void;
  counterUnsafeAdd(n: number): void;
  counterValue(): number;
  /**
   * `entry` is the runtime's function the user's code called (`acquire`, `withLock`): the stack
   * below it starts at the user's line, so a lock's site costs one frame to take (lockEvents.ts).
   */
  lockAcquire(name: string, entry: Function): void;
  lockRelease(name: string): void;
}

/**
 * Sent by a worker whose hot locks are in use (four times a second at most): progress for the hang watch,
 * as a lock event would have been, though hot locks tell none (runtimeHost.ts).
 */
export interface BusyMessage {
  pp: 'busy';
}

/**
 * A task that ended holding runtime locks, each with where it was taken (where known): the worker
 * released them (lockEvents.ts, releaseLeft), since one left held would keep every other acquire
 * of it waiting for ever.
 */
export interface LeftHeldMessage {
  pp: 'left-held';
  task: number;
  locks: { lock: string; site?: SourceLocation }[];
}

/**
 * What a worker's hot locks (past the uses told one by one) did so far, cumulative: per lock, its
 * hot uses and how long they waited in all (ms). Posted as a task that used one ends, so that lock
 * contention is measured over the whole run, not only over the first uses (core/lockWaits.ts).
 */
export interface LockTallyMessage {
  pp: 'lock-tally';
  owner: number;
  tallies: [lock: string, hotUses: number, hotWaitMs: number][];
}

/** What a worker's runtime posts to the runner. */
export type RuntimeMessage = LockMessage | BusyMessage | LeftHeldMessage | LockTallyMessage;

/** A lock event as a worker posts it to the runner. */
export interface LockMessage {
  pp: 'lock';
  owner: number;
  task: number;
  lock: string;
  kind: LockKind;
  atMs: number;
  site?: SourceLocation;
}
