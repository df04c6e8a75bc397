/**
 * The one clock every thread and process of a profile shares: the machine's monotonic clock (what
 * `process.hrtime` and `performance.now()` read), in milliseconds, reported relative to the
 * profile's origin. Not `performance.timeOrigin + performance.now()`: each process estimates its
 * timeOrigin on the wall clock as it starts, and two processes' estimates can disagree by a
 * fraction of a millisecond — enough to show a lock taken before another process released it.
 */
import { performance } from 'node:perf_hooks';

/**
 * Where this thread's `performance.now()` starts on the monotonic clock. A delay between the two
 * reads can only make a sample too early, so the latest of a few is kept.
 */
const zeroMs = (() => {
  let latest = -Infinity;
  for (let i = 0; i < 5; i++) {
    const monotonic = Number(process.hrtime.bigint()) / 1e6;
    latest = Math.max(latest, monotonic - performance.now());
  }
  return latest;
})();

/** Now on the shared clock (the name stays from when it was wall-clock time). */
export function epochMs(): number {
  return zeroMs + performance.now();
}

/** Milliseconds since `originEpochMs`. */
export function sinceOrigin(originEpochMs: number): number {
  return epochMs() - originEpochMs;
}

/** When this thread or process started, in ms since `originEpochMs`. */
export function spawnedAt(originEpochMs: number): number {
  return zeroMs - originEpochMs;
}
