/** Reading the batched `tasks` event: ok columns back into spans, beside the spans sent whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endedCount, okFileEvents, spansOf } from '../../src/core/protocol';

test('ok columns (whole microseconds) become one span per task in ms, the preview derived from the digest where it was left out', () => {
  const spans = spansOf({
    type: 'tasks',
    run: 0,
    ok: {
      index: [3, 1],
      lane: [0, 1],
      queuedUs: [500, 500],
      startUs: [10250, 11000],
      endUs: [12000, 13125],
      cpuUs: [1500, null],
      digest: ['n:42', '0123456789abcdef'],
      preview: [null, '{ a: 1 }'],
    },
    spans: [{ index: 2, lane: 0, queuedMs: 0.5, startMs: 12, endMs: 12.5, status: 'error', error: 'Error: no' }],
  });
  assert.deepEqual(spans, [
    { index: 3, lane: 0, queuedMs: 0.5, startMs: 10.25, endMs: 12, status: 'ok', digest: 'n:42', resultPreview: '42', cpuMs: 1.5 },
    { index: 1, lane: 1, queuedMs: 0.5, startMs: 11, endMs: 13.125, status: 'ok', digest: '0123456789abcdef', resultPreview: '{ a: 1 }' },
    { index: 2, lane: 0, queuedMs: 0.5, startMs: 12, endMs: 12.5, status: 'error', error: 'Error: no' },
  ]);
});

test('a tasks event with only whole spans, or none, reads as those spans', () => {
  assert.deepEqual(spansOf({ type: 'tasks', run: 0 }), []);
  const span = { index: 0, lane: 0, queuedMs: 0, startMs: 1, endMs: 2, status: 'timeout' as const, error: 'ran too long' };
  assert.deepEqual(spansOf({ type: 'tasks', run: 0, spans: [span] }), [span]);
});

test('the ok file reads as one tasks event per line; a line cut short by a crash is left out', () => {
  const ok = { index: [0], lane: [0], queuedUs: [0], startUs: [1000], endUs: [2000], cpuUs: [null], digest: ['n:0'], preview: [null] };
  const whole = JSON.stringify({ run: 1, ok });
  assert.deepEqual(okFileEvents(`${whole}\n${whole.slice(0, 30)}`), [{ type: 'tasks', run: 1, ok }]);
  assert.deepEqual(okFileEvents(''), []);
});

test('a tasks event counts its task ends in the pipe and in the ok file alike', () => {
  const span = { index: 2, lane: 0, queuedMs: 0, startMs: 1, endMs: 2, status: 'error' as const, error: 'Error: no' };
  assert.deepEqual(endedCount({ type: 'tasks', run: 0, okInFile: { count: 4096, lanes: [0, 1] }, spans: [span] }), { ended: 4097, failed: 1 });
  assert.deepEqual(endedCount({ type: 'tasks', run: 0 }), { ended: 0, failed: 0 });
});
