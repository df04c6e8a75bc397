/**
 * Caps the memory of worker processes without a V8 heap flag. Any heap flag on a Node command line
 * makes V8 reject the code cache built into Node, so every worker would compile Node's own modules
 * again: about 15 ms more start-up per pool on a 2-core machine, paid on every profile. Where the
 * kernel tells a process's resident memory (Linux's /proc), the runner watches it instead and stops
 * a worker that goes over its share; elsewhere the flag stays (see `memoryCapArgs`).
 */
import * as fs from 'node:fs';

/** How often the memory watches (this one and threadMemoryWatch.ts) look. */
export const CHECK_MS = 100;
const canWatch = fs.existsSync('/proc/self/status');
/** What a Node process holds besides its JS heap (code, buffers of its own) before any task runs. */
const NODE_FOOTPRINT_MB = 64;

/** The resident memory a worker may reach when its heap may reach `heapMb`. */
export function residentCapMb(heapMb: number): number {
  return heapMb + NODE_FOOTPRINT_MB;
}

/** The Node flags a worker process needs for a cap of `limitMb`: none where it is watched. */
export function memoryCapArgs(limitMb: number): string[] {
  return canWatch ? [] : [`--max-old-space-size=${limitMb}`];
}

/** Resident memory of a process in MB, where the kernel tells it. */
export function residentMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // gone already, or no /proc
  }
}

/**
 * Every CHECK_MS, calls `over` for each of `pids()` whose resident memory passed `limitMb`.
 * Returns a function that stops the watch.
 */
export function watchMemory(pids: () => Iterable<number>, limitMb: number, over: (pid: number, usedMb: number) => void): () => void {
  if (!canWatch) return () => undefined;
  const timer = setInterval(() => {
    for (const pid of pids()) {
      const used = residentMb(pid);
      if (used !== undefined && used > limitMb) over(pid, used);
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
