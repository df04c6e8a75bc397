/**
 * Writes runner events as JSON lines to file descriptor 3, batched for up to FLUSH_MS: the
 * controller then wakes ten times a second rather than once per task. Every wake-up of the
 * controller (and every write here) takes a CPU from a worker being measured: flushing every 25 ms
 * instead cost the thread pool about 3% of its wall time on 1 ms tasks on 2 cores. Task ends go
 * out many to a line (a `tasks` event), the normal ones as columns of numbers (protocol.ts,
 * OkColumns), so a run of tiny tasks costs little to write here. The columns go to the ok file
 * (protocol.ts, OK_FILE), which the controller reads only after the runner exits; the `tasks`
 * event tells it how many. Events are still live enough for progress and for deadlock and hang
 * detection, and stay in the order they happened.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskSpan } from '../../core/model';
import { OK_FILE, type OkColumns, type OkLine, type RunnerEvent } from '../../core/protocol';

export const EVENTS_FD = 3;
const FLUSH_MS = 100;
const MAX_TASKS_PER_LINE = 4096;
let pending: string[] = [];
let batch: { run: number; ok: OkColumns; spans: TaskSpan[]; size: number } | undefined;
let scheduled = false;
/** The ok file's descriptor, once `writeOkColumnsTo` has opened it. */
let okFile: number | undefined;

/**
 * From now on, ok task ends go to the ok file in `scratchDir` (protocol.ts, OK_FILE), which the
 * controller reads after the runner has exited; the events pipe carries only their count.
 */
export function writeOkColumnsTo(scratchDir: string): void {
  okFile = fs.openSync(path.join(scratchDir, OK_FILE), 'a');
}

/** Milliseconds as whole microseconds (OkColumns). */
const us = (ms: number) => Math.round(ms * 1000);

/**
 * Events that go out at once (as in the Python harness): those after which the runner exits, and a
 * run's start and end. The controller counts the user's output (another pipe) in the run that
 * started last, so a run's start must not wait behind its output.
 */
const AT_ONCE = new Set<RunnerEvent['type']>(['fatal', 'done', 'run-start', 'run-end']);

export function emit(event: RunnerEvent): void {
  closeBatch();
  pending.push(JSON.stringify(event));
  if (AT_ONCE.has(event.type)) flushEvents();
  else schedule();
}

/** A task ended: it joins the open `tasks` line of its run. */
export function emitTaskEnd(run: number, span: TaskSpan): void {
  const { status, digest, resultPreview, cpuMs } = span;
  if (status === 'ok' && digest !== undefined && span.error === undefined && span.serializeMs === undefined) {
    emitTaskOk(run, span.index, span.lane, span.queuedMs, span.startMs, span.endMs, cpuMs, digest, resultPreview);
    return;
  }
  const open = openBatch(run);
  open.spans.push(span);
  added(open);
}

/** A task returned normally: a row of the open line's columns. */
export function emitTaskOk(
  run: number,
  index: number,
  lane: number,
  queuedMs: number,
  startMs: number,
  endMs: number,
  cpuMs: number | undefined,
  digest: string,
  preview: string | undefined,
): void {
  const { ok } = openBatch(run);
  ok.index.push(index);
  ok.lane.push(lane);
  ok.queuedUs.push(us(queuedMs));
  ok.startUs.push(us(startMs));
  ok.endUs.push(us(endMs));
  ok.cpuUs.push(cpuMs === undefined ? null : us(cpuMs));
  ok.digest.push(digest);
  ok.preview.push(preview === undefined || preview === digest.slice(2) ? null : preview);
  added(batch!);
}

function openBatch(run: number): NonNullable<typeof batch> {
  if (batch && batch.run !== run) closeBatch();
  batch ??= { run, ok: { index: [], lane: [], queuedUs: [], startUs: [], endUs: [], cpuUs: [], digest: [], preview: [] }, spans: [], size: 0 };
  return batch;
}

function added(open: NonNullable<typeof batch>): void {
  if (++open.size >= MAX_TASKS_PER_LINE) closeBatch();
  schedule();
}

function closeBatch(): void {
  if (!batch) return;
  const { run, ok, spans } = batch;
  const event: RunnerEvent = { type: 'tasks', run };
  if (ok.index.length > 0 && okFile !== undefined) {
    fs.writeSync(okFile, JSON.stringify({ run, ok } satisfies OkLine) + '\n');
    event.okInFile = { count: ok.index.length, lanes: [...new Set(ok.lane)] };
  } else if (ok.index.length > 0) event.ok = ok;
  if (spans.length > 0) event.spans = spans;
  pending.push(JSON.stringify(event));
  batch = undefined;
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
  closeBatch();
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
