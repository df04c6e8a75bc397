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
  lockAcquire(name: string): void;
  lockRelease(name: string): void;
}

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
