/**
 * Pure logic of the hang warning's stacks: which frame is the place (stackLocation) and how a
 * paused thread's frames are written (describeFrames). The real pauses are in faults.unit.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackLocation } from '../../src/core/stackFrames';
import { describeFrames } from '../../src/runners/js/threadStacks';

const FILE = '/home/me/my project/work.ts';

test('stackLocation: the innermost frame in the profiled file, first in a JS stack', () => {
  const stack = [`    at inner (${FILE}:4:11)`, '    at helper (/home/me/my project/lib.ts:9:3)', `    at outer (${FILE}:12:5)`].join('\n');
  assert.deepEqual(stackLocation(stack, FILE), { file: FILE, line: 4 });
  assert.deepEqual(stackLocation(`    at ${FILE}:7:1`, FILE), { file: FILE, line: 7 }, 'an anonymous frame');
});

test('stackLocation: the innermost frame in the profiled file, last in a Python traceback', () => {
  const file = '/home/me/work.py';
  const traceback = [`  File "${file}", line 12, in outer`, '    inner()', `  File "${file}", line 4, in inner`, '    while True:'].join('\n');
  assert.deepEqual(stackLocation(traceback, file), { file, line: 4 });
});

test('stackLocation: nothing when no frame is in the profiled file, or no stack', () => {
  assert.equal(stackLocation('    at helper (/elsewhere/lib.ts:9:3)', FILE), undefined);
  assert.equal(stackLocation(undefined, FILE), undefined);
});

test("describeFrames: bundle places become the user's, and the worker's own frames below them go", () => {
  const bundle = 'file:///tmp/scratch/target.cjs';
  const urls = new Map([
    ['1', bundle],
    ['2', 'node:fs'],
    ['3', 'file:///opt/pp/dist/threadWorker.js'],
  ]);
  const frame = (functionName: string, scriptId: string, lineNumber: number) => ({ functionName, location: { scriptId, lineNumber, columnNumber: 0 } });
  const places = (file: string, line: number) => (file === bundle ? `${FILE}:${line * 10}:1` : undefined);
  const text = describeFrames([frame('readSync', '2', 99), frame('spin', '1', 2), frame('', '1', 5), frame('executeTask', '3', 40)], urls, places);
  assert.equal(text, [`    at readSync (node:fs:100:1)`, `    at spin (${FILE}:30:1)`, `    at <anonymous> (${FILE}:60:1)`].join('\n'));
  assert.equal(describeFrames([frame('executeTask', '3', 40)], urls, places), '    at executeTask (/opt/pp/dist/threadWorker.js:41:1)', 'no user frame: all kept');
});
