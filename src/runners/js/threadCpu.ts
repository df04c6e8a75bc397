/**
 * The CPU time (user + system) of the calling thread so far, in ms: from Node itself where it can
 * tell (process.threadCpuUsage, Node 23.9 and later), else from Linux (/proc/thread-self/schedstat,
 * in ns); undefined elsewhere. A worker reads it twice, not per task: a read costs tens of µs.
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
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}
