/**
 * Caps the memory worker threads hold outside their JS heaps (Buffers, typed arrays), which
 * `resourceLimits` does not see: without this, a task that fills Buffers grows the runner until
 * the machine's out-of-memory killer ends it, report and all. Where Linux tells (/proc), the runner
 * watches its own resident memory; over the threads' share, it stops the busy thread that is
 * allocating, known by its page faults (the kernel counts those per thread, memory it does not).
 */
import { existsSync, readlinkSync } from 'node:fs';
import type { TaskStatus } from '../../core/model';
import { threadOverMemory } from './failures';
import { CHECK_MS, ProcFile, residentCapMb } from './memoryWatch';
import type { RunRecorder } from './runRecorder';

/** Below this many new pages in one check (4 MB), a thread is not what is filling memory. */
const MIN_FAULTS = 1024;
const canWatch = existsSync('/proc/thread-self');

/** The kernel's id of the calling thread (a worker thread reports it when ready), where Linux tells. */
export function linuxThreadId(): number | undefined {
  if (!canWatch) return undefined;
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** Pages a thread has touched for the first time so far (minor faults), from its /proc stat. */
function faultsOf(stat: ProcFile): number | undefined {
  const text = stat.read();
  return text === undefined ? undefined : Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[7]);
}

/** This process's resident memory, MB. */
const residentMb = () => process.memoryUsage.rss() / 2 ** 20;

/**
 * Every CHECK_MS: when this process's resident memory passes what it held at the start plus each
 * thread's share (`heapMb` each, as for worker processes), stops the busy thread that touched the
 * most new pages since the last check, as a crash with a warning. `busy` lists the tasks running
 * now and their threads. Returns a function that stops the watch.
 */
export function watchThreadMemory(
  recorder: RunRecorder,
  threads: number,
  heapMb: number,
  busy: () => Iterable<{ index: number; tid?: number }>,
  stop: (index: number, status: TaskStatus, reason: string) => void,
): () => void {
  if (!canWatch) return () => undefined;
  const baseMb = residentMb();
  const capMb = Math.round(baseMb + threads * residentCapMb(heapMb));
  const seen = new Map<number, number>();
  const statFiles = new Map<number, ProcFile>();
  const timer = setInterval(() => {
    const usedMb = residentMb();
    let culprit: { index: number; grew: number } | undefined;
    for (const { index, tid } of busy()) {
      if (tid === undefined) continue;
      let stat = statFiles.get(tid);
      if (!stat) statFiles.set(tid, (stat = new ProcFile(`/proc/self/task/${tid}/stat`)));
      const faults = faultsOf(stat);
      if (faults === undefined) continue;
      const grew = faults - (seen.get(tid) ?? faults);
      seen.set(tid, faults);
      if (grew >= MIN_FAULTS && grew > (culprit?.grew ?? 0)) culprit = { index, grew };
    }
    if (usedMb <= capMb || !culprit) return;
    const message = threadOverMemory(culprit.index, usedMb, capMb);
    stop(culprit.index, 'crashed', message);
    if (recorder.stopped.get(culprit.index)?.reason === message) recorder.warn({ kind: 'crash', message });
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const stat of statFiles.values()) stat.close();
  };
}
