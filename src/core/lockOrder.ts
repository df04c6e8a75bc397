/**
 * Potential deadlocks: a lock taken while holding another, in opposite orders by different tasks
 * (ThreadSanitizer's lock-order inversion), found from the recorded lock events of every run.
 */
import type { Run, SourceLocation } from './model';

export interface LockOrderInversion {
  first: string;
  second: string;
  /** Where `second` was acquired while holding `first`. */
  firstSite?: SourceLocation;
  /** Where `first` was acquired while holding `second`. */
  secondSite?: SourceLocation;
  /** The inputs that took them in each order: `first` then `second`, and the other way. */
  firstTask: number;
  secondTask: number;
}

/**
 * A lock by the name its code gives it: a Python worker process tells its copy of a threading lock
 * as "a in process 1234" (procbackend.py), but the order is the code's, whichever copy took it.
 */
const codeName = (lock: string) => lock.replace(/ in process \d+$/, '');

export function findLockOrderInversions(runs: Run[]): LockOrderInversion[] {
  // edge "a→b": b acquired (or requested) while a held; value: a site and which task did it
  const edges = new Map<string, { site?: SourceLocation; task: string; index: number }>();
  for (const run of runs) {
    const held = new Map<string, string[]>(); // lane:task → locks held, in order
    const events = [...run.locks].sort((x, y) => x.atMs - y.atMs).map((e) => ({ ...e, lock: codeName(e.lock) }));
    for (const event of events) {
      const key = `${run.repeat}:${run.strategy}:${event.lane}:${event.task}`;
      const locks = held.get(key) ?? [];
      if (event.kind === 'request') {
        for (const outer of locks) {
          const edge = `${outer}\u0000${event.lock}`;
          if (!edges.has(edge)) edges.set(edge, { site: event.site, task: key, index: event.task });
        }
      } else if (event.kind === 'acquire') {
        held.set(key, [...locks, event.lock]);
      } else {
        held.set(key, locks.filter((l) => l !== event.lock));
      }
    }
  }
  const found: LockOrderInversion[] = [];
  for (const [edge, forward] of edges) {
    const [a, b] = edge.split('\u0000');
    const backward = edges.get(`${b}\u0000${a}`);
    if (a < b && backward && backward.task !== forward.task) {
      found.push({ first: a, second: b, firstSite: forward.site, secondSite: backward.site, firstTask: forward.index, secondTask: backward.index });
    }
  }
  return found;
}
