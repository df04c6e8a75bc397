/**
 * How much a pool's calls waited for a lock, from the run's lock events: the classic way a lock
 * taken around a call's whole work makes a pool no faster than a loop. It also tells what share of
 * the calls' own work ran holding the lock, which caps any pool's speedup (Amdahl's law).
 */
import type { Run, SourceLocation, TaskSpan } from './model';

/**
 * A lock's first uses in each worker are told in full (the runtimes' HOT_USES: lockEvents.ts,
 * ownlocks.py); later ones only when they wait long or nest. Only the full ones are a fair sample,
 * unless the worker tallied its later ones (`run.hotLocks`).
 */
const TOLD_IN_FULL = 1000;

/** A share of the calls' time spent waiting for one lock from which the user should hear of it. */
export const CONTENDED_SHARE = 0.2;
/** A share of the calls' work done holding the lock from which the cap it puts on speedup is the story (Amdahl's law). */
export const AMDAHL_SHARE = 0.25;
/** Uses per call from which taking the lock so often is the story. */
export const MANY_USES = 10;

/** The most speedup calls allow that do `heldShare` of their work one at a time: "1.0×", "2.5×". */
export const speedupCap = (heldShare: number) => `${(1 / Math.max(heldShare, 0.01)).toFixed(1)}×`;

/** What to do about the lock, in a few words. */
export function contentionFix(contention: Contention): string {
  const { heldShare, usesPerCall } = contention;
  if (heldShare >= AMDAHL_SHARE) return 'hold it only around the update it guards';
  if (usesPerCall >= MANY_USES) return `take it once per call rather than ${usesText(contention)}`;
  return 'hold it for less of the call';
}

export interface Contention {
  lock: string;
  /** Where the calls waited for it: the longest wait's request. */
  site?: SourceLocation;
  /** The calls' time spent waiting for the lock, over their whole time (of the calls measured). */
  waitShare: number;
  /** The calls' own work (their time less all lock waits) done holding the lock. */
  heldShare: number;
  /** How many times a call took it, on average; at least that where the sample ended within calls. */
  usesPerCall: number;
  usesCut: boolean;
}

/** What the events tell of one lock. */
interface Tally {
  waitMs: number;
  heldMs: number;
  uses: number;
  longest: number;
  site?: SourceLocation;
  /** The calls with a told acquire of it. */
  holders: Set<string>;
  usesByLane: Map<number, number>;
  /** Per lane, when its uses stopped being told in full. */
  cutAtMs: Map<number, number>;
}

/**
 * The lock a pool's calls waited for the most, where that is CONTENDED_SHARE or more of their time.
 * Every wait is told until a lock is hot in a worker (an uncontended use of a Python lock of the
 * user's own is not), so the waits are summed over all calls up to then, or over all of them where
 * the worker tallied its hot uses; the time spent holding it over the calls that told taking it.
 */
export function lockContention(run: Run): Contention | undefined {
  if (run.workers < 2 || run.locks.length === 0) return undefined;
  const spans = new Map<string, TaskSpan>();
  for (const task of run.tasks) if (task.status === 'ok' || task.status === 'error') spans.set(`${task.lane}:${task.index}`, task);
  const tallies = new Map<string, Tally>();
  const tallyOf = (name: string): Tally => {
    let lock = tallies.get(name);
    if (!lock) tallies.set(name, (lock = { waitMs: 0, heldMs: 0, uses: 0, longest: -1, holders: new Set(), usesByLane: new Map(), cutAtMs: new Map() }));
    return lock;
  };
  // Per lock, the workers that tallied their hot uses of it: no sample of theirs ends.
  const hotLanes = new Map<string, Set<number>>();
  for (const hot of run.hotLocks ?? []) hotLanes.set(hot.lock, (hotLanes.get(hot.lock) ?? new Set()).add(hot.lane));
  // Each call's waits for any lock, and the open request and acquire of each call and lock.
  const waitedByCall = new Map<string, number>();
  const asked = new Map<string, number>();
  const taken = new Map<string, number>();
  for (const event of run.locks) {
    const call = `${event.lane}:${event.task}`;
    if (!spans.has(call)) continue;
    const lock = tallyOf(event.lock);
    // Past a lane's first uses in full, only a release of one of them is still of the sample.
    if (lock.cutAtMs.has(event.lane) && event.kind !== 'release') continue;
    const key = `${call}:${event.lock}`;
    if (event.kind === 'request') {
      asked.set(key, event.atMs);
      lock.site ??= event.site;
    } else if (event.kind === 'acquire') {
      lock.holders.add(call);
      taken.set(key, event.atMs);
      const askedMs = asked.get(key);
      asked.delete(key);
      if (askedMs !== undefined) {
        const waited = Math.max(0, event.atMs - askedMs);
        lock.waitMs += waited;
        waitedByCall.set(call, (waitedByCall.get(call) ?? 0) + waited);
        if (waited > lock.longest && event.site) {
          lock.longest = waited;
          lock.site = event.site;
        }
      }
      lock.uses++;
      const inLane = (lock.usesByLane.get(event.lane) ?? 0) + 1;
      lock.usesByLane.set(event.lane, inLane);
      // This lane's uses of it from here on are told only when they wait long: no fair sample.
      if (inLane === TOLD_IN_FULL && !hotLanes.get(event.lock)?.has(event.lane)) lock.cutAtMs.set(event.lane, event.atMs);
    } else {
      const takenMs = taken.get(key);
      taken.delete(key);
      if (takenMs !== undefined) lock.heldMs += Math.max(0, event.atMs - takenMs);
    }
  }
  // The hot uses the workers tallied: their waits and their number.
  for (const hot of run.hotLocks ?? []) {
    const lock = tallyOf(hot.lock);
    lock.waitMs += hot.waitMs;
    lock.uses += hot.uses;
  }
  if (tallies.size === 0) return undefined;
  const [name, most] = [...tallies].reduce((a, b) => (b[1].waitMs > a[1].waitMs ? b : a));
  let callsMs = 0;
  for (const span of spans.values()) {
    const cutAt = most.cutAtMs.get(span.lane);
    if (cutAt === undefined || span.startMs < cutAt) callsMs += span.endMs - span.startMs;
  }
  if (callsMs <= 0 || most.waitMs < CONTENDED_SHARE * callsMs) return undefined;
  let workMs = 0;
  for (const call of most.holders) {
    const span = spans.get(call)!;
    workMs += span.endMs - span.startMs - (waitedByCall.get(call) ?? 0);
  }
  return {
    lock: name,
    site: most.site,
    waitShare: most.waitMs / callsMs,
    heldShare: workMs > 0 ? Math.min(1, most.heldMs / workMs) : 1,
    usesPerCall: most.uses / Math.max(1, callsUsing(most, hotLanes.get(name), spans)),
    usesCut: most.cutAtMs.size > 0,
  };
}

/**
 * How many calls took the lock: those told taking it, or, where workers told hot uses in all, every
 * call of those workers.
 */
function callsUsing(lock: Tally, hotLanes: Set<number> | undefined, spans: Map<string, TaskSpan>): number {
  if (!hotLanes) return lock.holders.size;
  let calls = 0;
  for (const span of spans.values()) if (hotLanes.has(span.lane) || lock.holders.has(`${span.lane}:${span.index}`)) calls++;
  return calls;
}

/** "120 times", "1,000 times or more". */
export function usesText({ usesPerCall, usesCut }: Contention): string {
  return `${Math.round(usesPerCall).toLocaleString('en-US')} times${usesCut ? ' or more' : ''}`;
}
