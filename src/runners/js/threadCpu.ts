/**
 * CPU time (user + system) of one thread so far, in ms: the calling thread's from Node itself where
 * it can tell (process.threadCpuUsage, Node 23.9 and later), else from Linux's schedstat (in ns),
 * which also tells the runner its worker threads'; undefined elsewhere. Read at a worker's ready
 * and at the end, not per task: a read costs tens of µs.
 */
import { readFileSync } from 'node:fs';

export type CpuClock = () => { user: number; system: number };
/** Node's own clock of this thread's CPU time (µs), where it has one: cheap enough to read per task. */
export const nodeThreadCpu = (process as unknown as { threadCpuUsage?: CpuClock }).threadCpuUsage?.bind(process);

export function ownThreadCpuMs(): number | undefined {
  if (nodeThreadCpu) {
    const { user, system } = nodeThreadCpu();
    return (user + system) / 1000;
  }
  return schedstatCpuMs();
}

/**
 * The CPU time so far of one of this process's threads (by its kernel thread id; the calling one by
 * default), where Linux tells: one clock for a worker's own reading and the runner's of it.
 */
export function schedstatCpuMs(tid?: number): number | undefined {
  try {
    const file = tid === undefined ? '/proc/thread-self/schedstat' : `/proc/self/task/${tid}/schedstat`;
    return Number(readFileSync(file, 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}
