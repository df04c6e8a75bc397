/**
 * The timeline's data, prepared once per run: tasks grouped per worker lane and sorted by start,
 * lock waits paired from request to acquire, and the time extent. Pure data, no DOM, so drawing
 * and hit-testing only index into it.
 */
import type { Lane, Run, TaskSpan } from '../src/core/model';

/** A lock wait: from the request to the acquire (or to the task's end when it never came). */
export interface LockWait {
  lock: string;
  task: number;
  fromMs: number;
  toMs: number;
  acquired: boolean;
}

/** One worker lane and what happened on it. */
export interface LaneRow {
  id: number;
  lane: Lane | undefined;
  /** Sorted by startMs. */
  tasks: TaskSpan[];
  /** Running maximum of endMs over `tasks`, for binary-searching overlaps. */
  maxEnd: Float64Array;
  waits: LockWait[];
}

/** A run laid out for drawing. */
export interface TimelineLayout {
  run: Run;
  rows: LaneRow[];
  /** Time extent (ms since the profile's start) that contains everything drawn. */
  fromMs: number;
  toMs: number;
  stragglers: Set<number>;
}

/** Groups, sorts and pairs a run's events for the timeline. */
export function layoutRun(run: Run): TimelineLayout {
  const byLane = new Map<number, LaneRow>();
  const row = (id: number): LaneRow => {
    let r = byLane.get(id);
    if (!r) {
      r = { id, lane: undefined, tasks: [], maxEnd: new Float64Array(0), waits: [] };
      byLane.set(id, r);
    }
    return r;
  };
  for (const lane of run.lanes) row(lane.id).lane = lane;
  for (const task of run.tasks) row(task.lane).tasks.push(task);

  let fromMs = run.startMs;
  let toMs = run.startMs + Math.max(run.wallMs, 0);
  for (const lane of run.lanes) {
    fromMs = Math.min(fromMs, lane.spawnMs);
    if (lane.readyMs != null) toMs = Math.max(toMs, lane.readyMs);
  }
  for (const r of byLane.values()) {
    const tasks = r.tasks;
    // Runners report tasks nearly in order; sorting an already sorted array is still not free.
    let sorted = true;
    for (let i = 1; i < tasks.length && sorted; i++) sorted = tasks[i - 1].startMs <= tasks[i].startMs;
    if (!sorted) tasks.sort((a, b) => a.startMs - b.startMs);
    const maxEnd = new Float64Array(tasks.length);
    let max = -Infinity;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (t.endMs > max) max = t.endMs;
      maxEnd[i] = max;
      if (t.startMs < fromMs) fromMs = t.startMs;
    }
    if (max > toMs) toMs = max;
    r.maxEnd = maxEnd;
  }

  const open = new Map<string, number>();
  const locks = [...run.locks].sort((a, b) => a.atMs - b.atMs);
  for (const e of locks) {
    const key = `${e.lane}|${e.task}|${e.lock}`;
    if (e.kind === 'request') open.set(key, e.atMs);
    else if (e.kind === 'acquire') {
      const from = open.get(key);
      if (from !== undefined) {
        open.delete(key);
        row(e.lane).waits.push({ lock: e.lock, task: e.task, fromMs: from, toMs: e.atMs, acquired: true });
      }
    }
  }
  for (const [key, from] of open) {
    const [lane, task, ...lock] = key.split('|');
    const end = run.tasks.find((t) => t.lane === Number(lane) && t.index === Number(task))?.endMs ?? toMs;
    row(Number(lane)).waits.push({ lock: lock.join('|'), task: Number(task), fromMs: from, toMs: Math.max(end, from), acquired: false });
  }
  if (toMs <= fromMs) toMs = fromMs + 1;

  const rows = [...byLane.values()].sort((a, b) => a.id - b.id);
  return { run, rows, fromMs, toMs, stragglers: new Set(run.metrics.stragglers) };
}

/**
 * The task on `row` under time `atMs`, or the nearest one within `toleranceMs` (bars narrower than
 * a pixel are still hoverable). Binary search: 100k tasks stay instant.
 */
export function taskAt(row: LaneRow, atMs: number, toleranceMs: number): TaskSpan | undefined {
  const tasks = row.tasks;
  // Last task that starts at or before atMs + tolerance.
  let lo = 0;
  let hi = tasks.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tasks[mid].startMs <= atMs + toleranceMs) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  let best: TaskSpan | undefined;
  let bestDistance = Infinity;
  for (let i = last; i >= 0 && row.maxEnd[i] >= atMs - toleranceMs; i--) {
    const t = tasks[i];
    const distance = atMs < t.startMs ? t.startMs - atMs : atMs > t.endMs ? atMs - t.endMs : 0;
    if (distance <= toleranceMs && distance < bestDistance) {
      best = t;
      bestDistance = distance;
      if (distance === 0) break;
    }
  }
  return best;
}

/**
 * Where an axis label centred on a tick at `x` goes so that all of it shows: a tick near the
 * plot's right end (`right`) would cut its label in half ("35.0 r").
 */
export function axisLabelX(x: number, labelWidth: number, right: number): number {
  return Math.min(x, right - labelWidth / 2 - 1);
}
