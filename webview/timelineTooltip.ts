/** What the timeline's tooltip says about the task, lock wait or worker start-up under the pointer. */
import type { TaskSpan } from '../src/core/model';
import { formatMs } from './format';
import type { LaneRow, LockWait } from './timelineLayout';

/** What the pointer is over. */
export type Hit =
  | { kind: 'task'; task: TaskSpan; row: LaneRow }
  | { kind: 'wait'; wait: LockWait; row: LaneRow }
  | { kind: 'startup'; row: LaneRow };

/** The tooltip's lines for what is under the pointer: [label, value]. */
export function describeHit(hit: Hit, stragglers: Set<number>): [string, string][] {
  const worker = hit.row.lane?.pid ? `${hit.row.id} (pid ${hit.row.lane.pid})` : String(hit.row.id);
  if (hit.kind === 'startup') {
    const lane = hit.row.lane!;
    const lines: [string, string][] = [['worker start-up', formatMs((lane.readyMs ?? lane.spawnMs) - lane.spawnMs)]];
    // The part of it spent in the user's module: its imports and top-level code.
    if (lane.loadMs != null) lines.push(['loading your module', formatMs(lane.loadMs)]);
    lines.push(['worker', worker]);
    return lines;
  }
  if (hit.kind === 'wait') {
    const w = hit.wait;
    return [
      [w.acquired ? 'waiting for lock' : 'never acquired lock', w.lock],
      ['waited', formatMs(w.toMs - w.fromMs)],
      ['input', `#${w.task}`],
      ['worker', worker],
    ];
  }
  const t = hit.task;
  const lines: [string, string][] = [
    ['input', `#${t.index}`],
    ['status', t.status + (stragglers.has(t.index) ? ' · straggler' : '')],
    ['duration', formatMs(t.endMs - t.startMs)],
    ['worker', worker],
  ];
  if (t.startMs - t.queuedMs > 0.05) lines.push(['queued', formatMs(t.startMs - t.queuedMs)]);
  if (t.cpuMs != null) lines.push(['CPU', formatMs(t.cpuMs)]);
  if (t.serializeMs != null) lines.push(['serialize', formatMs(t.serializeMs)]);
  if (t.error) lines.push(['error', clip(String(t.error))]);
  if (t.errorLocation) lines.push(['at', `${t.errorLocation.file}:${t.errorLocation.line} (click to open)`]);
  if (t.resultPreview != null) lines.push(['result', clip(String(t.resultPreview))]);
  return lines;
}

/** Long errors (stacks) and results cut for the tooltip; the warnings list keeps the full text. */
function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

