/**
 * The one clock every thread and process of a profile shares: epoch milliseconds with sub-ms
 * precision (`performance.timeOrigin + performance.now()`), reported relative to the profile's origin.
 */
import { performance } from 'node:perf_hooks';

// Read once: it never changes, and the getter is slow enough to show in a run of tiny tasks.
const timeOrigin = performance.timeOrigin;

export function epochMs(): number {
  return timeOrigin + performance.now();
}

/** Milliseconds since `originEpochMs`. */
export function sinceOrigin(originEpochMs: number): number {
  return epochMs() - originEpochMs;
}

/** When this thread or process started, in ms since `originEpochMs`. */
export function spawnedAt(originEpochMs: number): number {
  return timeOrigin - originEpochMs;
}
