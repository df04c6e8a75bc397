/**
 * Waiting until what the user's code printed has been written out. A worker thread's console output
 * reaches this process's stdout through a message port, after the worker's own code has ended:
 * behind a slow reader it can still be arriving when the last task is over. A run that ended
 * without waiting would leave its output to slow the next run down (and be counted as the next
 * run's), and exiting without waiting would lose it.
 */
import { finished } from 'node:stream/promises';
import type { Worker } from 'node:worker_threads';
import { atMost } from './atMost';

// However slow the reader, a run or an exit is not held up longer than this.
const AT_MOST_MS = 10_000;

/** Once the threads have exited: everything they printed has been passed on and written. */
export async function threadOutputWritten(threads: Iterable<Worker>): Promise<void> {
  const ended = [...threads].flatMap((thread) => [thread.stdout, thread.stderr].map((stream) => finished(stream).catch(() => undefined)));
  await capped(Promise.all(ended));
  await ownOutputWritten();
}

/** Everything this process has written to stdout and stderr so far is out of its buffers. */
export function ownOutputWritten(): Promise<void> {
  return capped(Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve())))));
}

function capped(work: Promise<unknown>): Promise<void> {
  return atMost(work, AT_MOST_MS);
}
