/**
 * The bundled examples: code importing `parallel-profiler/runtime` type-checks as it would in a
 * user's editor, and each example profiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, profile, run } from './engineKit';

test('the TypeScript examples type-check against the runtime types', () => {
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'examples'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test('the bank example: unsafe deposits lose money, safe ones do not', async () => {
  const report = await profile(path.join(ROOT, 'examples', 'bank.ts'), 'depositUnsafely', 'Array(4).fill(1_000)', { strategies: ['sequential'] });
  assert.deepEqual(run(report, 'sequential').counter, { expected: 4000, observed: 4000, lost: 0 }, 'one worker never races');
  const safe = await profile(path.join(ROOT, 'examples', 'bank.ts'), 'depositSafely', 'Array(4).fill(1_000)', { strategies: ['threads'] });
  assert.equal(run(safe, 'threads').counter.lost, 0);
});

test('the I/O-bound example runs async tasks and the hashing example uses its own inputs helper', async () => {
  const io = await profile(path.join(ROOT, 'examples', 'downloads.ts'), 'fetchPage', '[1, 2, 3]', { strategies: ['sequential'] });
  assert.deepEqual(run(io, 'sequential').tasks.map((t) => t.digest), ['n:2', 'n:4', 'n:6']);
  const hashing = await profile(path.join(ROOT, 'examples', 'hashing.ts'), 'stretchKey', 'passwords(2)', { strategies: ['threads'] });
  assert.deepEqual(run(hashing, 'threads').tasks.map((t) => t.status), ['ok', 'ok']);
});

test('the I/O-bound example: its calls mostly wait, and the verdict points an async function at Promise.all', async () => {
  const report = await profile(path.join(ROOT, 'examples', 'downloads.ts'), 'fetchPage', 'Array.from({length: 16}, (_, i) => i)', { strategies: ['sequential', 'threads'] });
  const sequential = run(report, 'sequential');
  if (fs.existsSync('/proc/thread-self/schedstat')) {
    // The calls' CPU, measured from the workers' ready, leaves out their start-up (~0.1 s of CPU
    // each, against ~0.6 s of waits): the run's CPU counts it.
    for (const r of report.runs) {
      assert.ok(r.callsCpuMs !== undefined && r.cpuMs !== null && r.callsCpuMs < r.cpuMs, `${r.strategy}: calls ${r.callsCpuMs} ms, run ${r.cpuMs} ms`);
      assert.ok((r.metrics.cpuPerWall ?? 1) < 0.3, `${r.strategy}: CPU per wall ${r.metrics.cpuPerWall}`);
    }
  }
  assert.ok((sequential.metrics.cpuPerWall ?? 1) < 0.3, `CPU per wall ${sequential.metrics.cpuPerWall}`);
  assert.match(report.verdict, /the calls mostly wait \(CPU (under 1%|\d+%) of their time\): an async function gains more from running them all at once in one event loop \(Promise\.all over the inputs\)/);
});
