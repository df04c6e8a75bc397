/**
 * Types for `parallel-profiler/runtime`: the shared counter and named locks profiled code may use.
 * Outside a profile the same calls work on local state, so the code still runs on its own.
 */
export interface Counter {
  /** Atomic: never loses an update. */
  add(n?: number): void;
  /** A plain read-modify-write: concurrent workers can lose updates. */
  unsafeAdd(n?: number): void;
  readonly value: number;
}
export interface Lock {
  readonly name: string;
  /** Blocks until the lock is free across every worker of the run. Not re-entrant. */
  acquire(): void;
  release(): void;
}
export declare const counter: Counter;
export declare function lock(name: string): Lock;
/** Runs `fn` holding the named lock; an async `fn` keeps it until its promise settles. */
export declare function withLock<T>(name: string, fn: () => T): T;
