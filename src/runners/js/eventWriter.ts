/**
 * Writes runner events as JSON lines to file descriptor 3, batched per turn of the event loop so
 * that a run of 100k tiny tasks does not pay one system call per event.
 */
import * as fs from 'node:fs';
import type { RunnerEvent } from '../../core/protocol';

export const EVENTS_FD = 3;
let pending: string[] = [];
let scheduled = false;

export function emit(event: RunnerEvent): void {
  pending.push(JSON.stringify(event));
  if (pending.length >= 512) flushEvents();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flushEvents);
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
