/**
 * `parallel-profiler/runtime`: the shared counter and named locks that user code may import.
 * Inside a profile it talks to the worker's host (shared memory across all workers of the run);
 * outside a profile the same calls work on plain local state, so the user's code still runs.
 */
import type { Counter, Lock } from '../../../runtime/index';
import { HOST_KEY, type RuntimeHost } from './runtimeContract';

// The public types live in runtime/index.d.ts, which ships for users' editors.
export type { Counter, Lock };

function localHost(): RuntimeHost {
  let value = 0;
  const held = new Set<string>();
  return {
    counterAdd: (n) => void (value += n),
    counterUnsafeAdd: (n) => void (value += n),
    counterValue: () => value,
    lockAcquire(name) {
      if (held.has(name)) throw new Error(`lock "${name}" is already held: runtime locks are not re-entrant`);
      held.add(name);
    },
    lockRelease: (name) => void held.delete(name),
  };
}

let fallback: RuntimeHost | undefined;
function host(): RuntimeHost {
  return ((globalThis as Record<string, unknown>)[HOST_KEY] as RuntimeHost | undefined) ?? (fallback ??= localHost());
}

export const counter: Counter = {
  add: (n = 1) => host().counterAdd(n),
  unsafeAdd: (n = 1) => host().counterUnsafeAdd(n),
  get value() {
    return host().counterValue();
  },
};

export function lock(name: string): Lock {
  const named: Lock = {
    name,
    acquire: () => host().lockAcquire(name, named.acquire),
    release: () => host().lockRelease(name),
  };
  return named;
}

/** Runs `fn` holding the named lock; an async `fn` keeps it until its promise settles. */
export function withLock<T>(name: string, fn: () => T): T {
  const release = () => host().lockRelease(name);
  host().lockAcquire(name, withLock);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    release();
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(release) as T;
  }
  release();
  return result;
}
