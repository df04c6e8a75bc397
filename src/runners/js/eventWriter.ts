/**
 * Writes runner events as JSON lines to file descriptor 3, batched for up to FLUSH_MS: the
 * controller then wakes a few dozen times a second rather than once per task, which would take
 * CPU time from the workers being measured. Task ends go out many to a line (a `tasks` event), so
 * a run of tiny tasks costs one JSON call per batch, not one per task. Events are still live
 * enough for progress and for deadlock and hang detection, and stay in the order they happened.
 */
import * as fs from 'node:fs';
import type { TaskSpan } from '../../core/model';
import type { RunnerEvent } from '../../core/protocol';

export const EVENTS_FD = 3;
const FLUSH_MS = 25;
const MAX_SPANS_PER_LINE = 1024;
let pending: string[] = [];
let spans: { run: number; list: TaskSpan[] } | undefined;
let scheduled = false;

export function emit(event: RunnerEvent): void {
  closeSpans();
  pending.push(JSON.stringify(event));
  schedule();
}

/** A task ended: it joins the open `tasks` line of its run. */
export function emitTaskEnd(run: number, span: TaskSpan): void {
  if (spans?.run !== run) closeSpans();
  spans ??= { run, list: [] };
  spans.list.push(span);
  if (spans.list.length >= MAX_SPANS_PER_LINE) closeSpans();
  schedule();
}

function closeSpans(): void {
  if (!spans) return;
  pending.push(JSON.stringify({ type: 'tasks', run: spans.run, spans: spans.list } satisfies RunnerEvent));
  spans = undefined;
}

function schedule(): void {
  if (pending.length >= 512) flushEvents();
  else if (!scheduled) {
    scheduled = true;
    setTimeout(flushEvents, FLUSH_MS);
  }
}

export function flushEvents(): void {
  scheduled = false;
  closeSpans();
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
