import * as os from 'node:os';

/**
 * Each worker's memory is capped (a thread's heap by `resourceLimits`, a process's resident memory
 * by memoryWatch.ts), so a task that eats memory kills its worker, not the runner or the machine:
 * a fair share of memory, at most 2 GB, or PARALLEL_PROFILER_HEAP_MB.
 */
export function heapLimitMb(workers: number): number {
  const chosen = Number(process.env.PARALLEL_PROFILER_HEAP_MB);
  if (chosen > 0) return chosen;
  return Math.max(256, Math.min(2048, Math.floor(os.totalmem() / 1024 / 1024 / (2 * (workers + 1)))));
}
