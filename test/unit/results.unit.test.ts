/**
 * Results across strategies: digests, divergence, and values that cannot cross a worker boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profile, run } from './engineKit';

test('a result that depends on which worker ran it diverges between strategies', async () => {
  const report = await profile('throws.ts', 'workerDependent', '[1, 2, 3, 4, 5, 6]');
  const divergence = report.warnings.filter((w) => w.kind === 'divergence');
  assert.ok(divergence.some((w) => w.strategy === 'threads'), 'threads diverge');
  assert.ok(divergence.some((w) => w.strategy === 'processes'), 'processes diverge');
  assert.match(divergence[0].message, /input #\d+: "[\d:]+" vs "[\d:]+"/);
  assert.match(divergence[0].location!.file, /throws\.ts$/);
});

test('a deterministic function never raises divergence', async () => {
  const report = await profile('../../examples/primes.ts', 'countPrimes', '[5000, 6000, 7000]', { repeat: 2 });
  assert.equal(report.warnings.filter((w) => w.kind === 'divergence').length, 0);
});

test('a result that cannot be cloned fails its task with the input index and the type; sequential is fine', async () => {
  const report = await profile('throws.ts', 'returnsFunction', '[1, 2]');
  assert.deepEqual(run(report, 'sequential').tasks.map((t) => t.status), ['ok', 'ok']);
  for (const strategy of ['threads', 'processes']) {
    const tasks = run(report, strategy).tasks;
    assert.deepEqual(tasks.map((t) => t.status), ['error', 'error'], strategy);
    assert.match(tasks[1].error!, /input #1: the result cannot be sent between workers: it holds a function \(the result\)/);
  }
});

test('arguments that cannot be cloned fail their task up front, naming the input', async () => {
  const report = await profile('throws.ts', 'failOnOdd', '[2, () => 1, 4]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'error', 'ok'], r.strategy);
    assert.match(r.tasks[1].error!, /input #1: its arguments cannot be sent to a worker: they hold a function \(the arguments\.0\)/);
  }
});
