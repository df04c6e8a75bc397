/**
 * Exports a report as a Chrome trace (the JSON Trace Event Format that Perfetto and
 * chrome://tracing open): one process per run, one thread per worker lane, one slice per task,
 * plus start-up and lock-wait slices.
 */
import type { Report } from './model';

interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

const us = (ms: number) => Math.round(ms * 1000);

export function toChromeTrace(report: Report): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms'; metadata: Record<string, unknown> } {
  const traceEvents: TraceEvent[] = [];
  report.runs.forEach((run, r) => {
    const pid = r + 1;
    const label = report.runs.filter((x) => x.strategy === run.strategy).length > 1 ? `${run.strategy} #${run.repeat + 1}` : run.strategy;
    traceEvents.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `${label} (${run.workers} worker${run.workers === 1 ? '' : 's'})` } });
    traceEvents.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: r } });
    for (const lane of run.lanes) {
      const tid = lane.id + 1;
      traceEvents.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: `worker ${lane.id} (pid ${lane.pid}${lane.threadId ? `, thread ${lane.threadId}` : ''})` } });
      if (lane.readyMs !== undefined && lane.readyMs > lane.spawnMs) {
        traceEvents.push({ name: 'start-up', cat: 'startup', ph: 'X', pid, tid, ts: us(lane.spawnMs), dur: us(lane.readyMs - lane.spawnMs) });
      }
    }
    for (const task of run.tasks) {
      traceEvents.push({
        name: `input #${task.index}`,
        cat: `task,${task.status}`,
        ph: 'X',
        pid,
        tid: task.lane + 1,
        ts: us(task.startMs),
        dur: us(Math.max(0, task.endMs - task.startMs)),
        args: {
          status: task.status,
          ...(task.error ? { error: task.error } : {}),
          ...(task.resultPreview !== undefined ? { result: task.resultPreview } : {}),
          ...(task.cpuMs !== undefined ? { cpuMs: task.cpuMs } : {}),
          queuedMs: task.queuedMs,
        },
      });
    }
    // A lock wait is the time from a request to its acquire, on the same lane.
    const requested = new Map<string, number>();
    for (const event of run.locks) {
      const key = `${event.lane}\u0000${event.lock}`;
      if (event.kind === 'request') requested.set(key, event.atMs);
      else if (event.kind === 'acquire' && requested.has(key)) {
        const from = requested.get(key)!;
        requested.delete(key);
        traceEvents.push({ name: `wait for "${event.lock}"`, cat: 'lock', ph: 'X', pid, tid: event.lane + 1, ts: us(from), dur: us(event.atMs - from), args: { task: event.task } });
      }
    }
  });
  return {
    traceEvents,
    displayTimeUnit: 'ms',
    metadata: { target: `${report.target.file}:${report.target.name}`, verdict: report.verdict, machine: report.machine },
  };
}
