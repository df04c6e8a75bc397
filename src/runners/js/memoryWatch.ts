/**
 * Caps the memory of worker processes without a V8 heap flag. Any heap flag on a Node command line
 * makes V8 reject the code cache built into Node, so every worker would compile Node's own modules
 * again: about 15 ms more start-up per pool on a 2-core machine, paid on every profile. Where the
 * kernel tells a process's resident memory (Linux's /proc), the runner watches it instead and stops
 * a worker that goes over its share; elsewhere the flag stays (see `memoryCapArgs`).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** How often the memory watches (this one and threadMemoryWatch.ts) look. */
export const CHECK_MS = 100;
const canWatch = existsSync('/proc/self/status');
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

/**
 * A /proc file kept open and read again from its start at each look: opening and closing it is most
 * of what a look costs (~100 µs against ~10), paid on the runner's thread, which shares the CPUs
 * with the workers being measured. Through the same descriptor a look never reads another process
 * that took a dead one's pid.
 */
export class ProcFile {
  private static readonly buffer = Buffer.alloc(4096);
  private fd: number | undefined;
  private gone = false;

  constructor(private readonly file: string) {}

  /** The file's text now; undefined once its process or thread is gone (or there is no /proc). */
  read(): string | undefined {
    if (this.gone) return undefined;
    try {
      this.fd ??= openSync(this.file, 'r');
      const length = readSync(this.fd, ProcFile.buffer, 0, ProcFile.buffer.length, 0);
      return ProcFile.buffer.toString('latin1', 0, length);
    } catch {
      this.close();
      this.gone = true;
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Resident memory in MB, from the text of a process's /proc/<pid>/status. */
function residentMbOf(status: string | undefined): number | undefined {
  const match = status === undefined ? null : /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}

/**
 * Every CHECK_MS, calls `over` for each of `pids()` whose resident memory passed `limitMb`.
 * Returns a function that stops the watch.
 */
export function watchMemory(pids: () => Iterable<number>, limitMb: number, over: (pid: number, usedMb: number) => void): () => void {
  if (!canWatch) return () => undefined;
  const statusFiles = new Map<number, ProcFile>();
  const timer = setInterval(() => {
    const watched = new Set(pids());
    for (const [pid, file] of statusFiles) {
      if (watched.has(pid)) continue;
      file.close();
      statusFiles.delete(pid);
    }
    for (const pid of watched) {
      let file = statusFiles.get(pid);
      if (!file) statusFiles.set(pid, (file = new ProcFile(`/proc/${pid}/status`)));
      const used = residentMbOf(file.read());
      if (used !== undefined && used > limitMb) over(pid, used);
    }
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const file of statusFiles.values()) file.close();
  };
}
