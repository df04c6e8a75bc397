/** The panel's number formatting (webview/format.ts): pure, so tested here rather than in Chromium. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs } from '../../webview/format';
import { axisLabelX } from '../../webview/timelineLayout';
import { describeHit } from '../../webview/timelineTooltip';

test('durations in the panel: seconds, milliseconds, and µs for calls too short for "0.00 ms"', () => {
  assert.deepEqual(
    [12_345, 3_410, 812.4, 12.34, 0.42, 0.05, 0.0017, 0.0003, 0].map(formatMs),
    ['12.3 s', '3.41 s', '812 ms', '12.3 ms', '0.42 ms', '0.05 ms', '1.7 µs', '0.3 µs', '0 ms'],
  );
});

test('a timeline axis label near the right end moves left to show whole; others stay centred on their tick', () => {
  assert.equal(axisLabelX(500, 40, 800), 500);
  assert.equal(axisLabelX(795, 40, 800), 779);
  assert.ok(axisLabelX(800, 40, 800) + 20 <= 800);
});

test('a worker start-up in the timeline tooltip says how much of it went to loading the user\'s module', () => {
  const row = { id: 0, tasks: [], maxEnd: new Float64Array(0), waits: [], lane: { id: 0, pid: 42, threadId: 0, spawnMs: 10, readyMs: 370, loadMs: 350 } };
  assert.deepEqual(describeHit({ kind: 'startup', row }, new Set()), [
    ['worker start-up', '360 ms'],
    ['loading your module', '350 ms'],
    ['worker', '0 (pid 42)'],
  ]);
  const { loadMs: _, ...before } = row.lane;
  assert.deepEqual(describeHit({ kind: 'startup', row: { ...row, lane: before } }, new Set()).map(([label]) => label), ['worker start-up', 'worker']);
});
