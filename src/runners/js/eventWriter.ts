/**
 * Writes runner events as JSON lines to file descriptor 3, batched for up to FLUSH_MS: the
 * controller then wakes a few dozen times a second rather than once per task, which would take
 * CPU time from the workers being measured. Events are still live enough for progress and for
 * deadlock and hang detection.
 */
import * as fs from 'node:fs';
import type { RunnerEvent } from '../../core/protocol';

export const EVENTS_FD = 3;
const FLUSH_MS = 25;
let pending: string[] = [];
let scheduled = false;

export function emit(event: RunnerEvent): void {
  pending.push(JSON.stringify(event));
  if (pending.length >= 512) flushEvents();
  else if (!scheduled) {
    scheduled = true;
    setTimeout(flushEvents, FLUSH_MS);
  }
}

export function flushEvents(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('\n') + '\n';
  pending = [];
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += fs.writeSync(EVENTS_FD, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}
