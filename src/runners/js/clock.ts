/**
 * The one clock every thread and process of a profile shares: the machine's monotonic clock, read
 * directly (`process.hrtime.bigint()`, as cheap as `performance.now()`), in milliseconds, reported
 * relative to the profile's origin. Not `performance.timeOrigin + performance.now()`: each process
 * estimates its timeOrigin on the wall clock as it starts, and two processes' estimates can
 * disagree by a fraction of a millisecond — enough to show a lock taken before another process
 * released it. Nor a per-thread offset to `performance.now()`: estimating it leaves threads a few
 * nanoseconds apart, which is again enough to reorder a lock handover.
 */

/** Now on the shared clock (the name stays from when it was wall-clock time). */
export function epochMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds since `originEpochMs`. */
export function sinceOrigin(originEpochMs: number): number {
  return epochMs() - originEpochMs;
}
