/**
 * The Python harness speaks the runner protocol: real python3, events read from fd 3.
 * Covers the event sequence, lanes, the shared clock, result digests, start methods, the
 * `__main__` guard and the runtime outside the profiler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, PYTHON, ROOT, ofType, options, runHarness, runsOf, tasksOf } from './pythonKit';

test('square under map: hello, inputs, one run per strategy with lanes and tasks, done, exit 0', async () => {
  const before = Date.now();
  const r = await runHarness(options('square.py', 'square', 'range(7)'));
  assert.equal(r.code, 0, r.stderr);
  const { events } = r;
  const hello = events[0];
  assert.equal(hello.type, 'hello');
  if (hello.type !== 'hello') return;
  assert.match(hello.runtime, /^CPython 3\.\d+\.\d+/);
  assert.equal(hello.pid, r.pid);
  assert.ok(hello.gil === null || typeof hello.gil === 'boolean');
  assert.ok(hello.originEpochMs >= before - 1000 && hello.originEpochMs <= Date.now(), 'origin is epoch ms');
  assert.deepEqual(events[1], { type: 'inputs', count: 7 });
  assert.equal(events.at(-1)?.type, 'done');
  assert.deepEqual(ofType(events, 'run-start').map((e) => [e.run, e.strategy]), [[0, 'sequential'], [1, 'threads'], [2, 'processes']]);

  for (const run of [0, 1, 2]) {
    const tasks = tasksOf(events, run);
    assert.deepEqual(tasks.map((t) => t.index), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(tasks.map((t) => t.resultPreview), ['0', '1', '4', '9', '16', '25', '36']);
    assert.ok(tasks.every((t) => t.status === 'ok' && t.startMs <= t.endMs && typeof t.cpuMs === 'number'));
    // Process workers announce every task; the thread pool only the tasks still running when its
    // controlling loop looks (faults tests rely on those).
    const starts = ofType(events, 'task-start').filter((e) => e.run === run);
    if (run === 2) assert.equal(starts.length, 7);
    for (const start of starts) assert.equal(start.startMs, tasks[start.index].startMs);
    const lanes = ofType(events, 'worker').filter((e) => e.run === run);
    const exits = ofType(events, 'worker-exit').filter((e) => e.run === run);
    assert.deepEqual(lanes.map((l) => l.lane).sort(), run === 0 ? [0] : [0, 1]);
    assert.deepEqual(exits.map((l) => l.lane).sort(), lanes.map((l) => l.lane).sort());
    for (const lane of lanes) assert.ok(lane.readyMs !== undefined && lane.readyMs >= lane.spawnMs);
    for (const t of tasks) assert.ok(lanes.some((l) => l.lane === t.lane), `task ${t.index} on a known lane`);
    const end = ofType(events, 'run-end').find((e) => e.run === run);
    assert.ok(end && end.wallMs > 0 && !end.aborted);
    assert.deepEqual(ofType(events, 'counter').find((e) => e.run === run), { type: 'counter', run, expected: 0, observed: 0 });
  }
  // Same results, same digests, in every strategy.
  const digests = [0, 1, 2].map((run) => tasksOf(events, run).map((t) => t.digest));
  assert.deepEqual(digests[1], digests[0]);
  assert.deepEqual(digests[2], digests[0]);
  assert.equal(new Set(digests[0]).size, 7);

  // Processes: other pids, serialization measured, spans inside the run on the shared clock.
  const workers = ofType(events, 'worker').filter((e) => e.run === 2);
  assert.ok(workers.every((w) => w.pid !== r.pid));
  const start = ofType(events, 'run-start').find((e) => e.run === 2)!;
  const end = ofType(events, 'run-end').find((e) => e.run === 2)!;
  for (const t of tasksOf(events, 2)) {
    assert.ok(typeof t.serializeMs === 'number' && t.serializeMs >= 0);
    assert.ok(t.startMs >= start.startMs && t.endMs <= start.startMs + end.wallMs);
  }
});

test('power under starmap semantics (spread): fn(*args)', async () => {
  const r = await runHarness(options('power.py', 'power', '[(2, 3), (3, 2), (10, 0)]', { spread: true }));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1, 2]) assert.deepEqual(tasksOf(r.events, run).map((t) => t.resultPreview), ['8', '9', '1']);
});

test('repeat runs each strategy N times, numbering runs over the whole profile', async () => {
  const r = await runHarness(options('square.py', 'square', '[1, 2]', { strategies: ['sequential', 'processes'], repeat: 2 }));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ofType(r.events, 'run-start').map((e) => [e.run, e.strategy, e.repeat]), [
    [0, 'sequential', 0],
    [1, 'sequential', 1],
    [2, 'processes', 0],
    [3, 'processes', 1],
  ]);
});

for (const startMethod of ['spawn', 'forkserver'] as const) {
  test(`process pool with start method ${startMethod}; the __main__ guard is respected`, async () => {
    const r = await runHarness(options('mainGuard.py', 'double', '[1, 2, 3]', { strategies: ['sequential', 'processes'], startMethod }));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /MAIN BLOCK RAN/);
    // The run's semaphores are gone before the harness leaves: no warning of leaked ones.
    assert.doesNotMatch(r.stderr, /leaked semaphore/);
    assert.deepEqual(tasksOf(r.events, 1).map((t) => [t.status, t.resultPreview]), [['ok', '2'], ['ok', '4'], ['ok', '6']]);
    const start = ofType(r.events, 'worker').filter((w) => w.run === 1);
    assert.ok(start.length > 0 && start.every((w) => w.readyMs! > w.spawnMs), 'start-up is its own segment');
  });
}

for (const startMethod of ['fork', 'spawn'] as const) {
  test(`a module inside a package imports its neighbours relatively, in every strategy (processes: ${startMethod})`, async () => {
    const r = await runHarness(options('pypkg/sub/work.py', 'crunch', '[1, 2, 3]', { startMethod }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(ofType(r.events, 'fatal').length, 0);
    for (const run of [0, 1, 2]) assert.deepEqual(tasksOf(r.events, run).map((t) => [t.status, t.resultPreview]), [['ok', '2'], ['ok', '5'], ['ok', '10']]);
  });
}

test('a file named like a standard module (threading.py) runs in every strategy', async () => {
  const r = await runHarness(options('shadowing/threading.py', 'work', '[3, 4]', { startMethod: 'fork' }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(ofType(r.events, 'fatal').length, 0);
  for (const run of [0, 1, 2]) assert.deepEqual(tasksOf(r.events, run).map((t) => [t.status, t.resultPreview]), [['ok', '5'], ['ok', '14']]);
});

test('…but with spawned workers, which would import it in place of the standard module, the process pool is skipped with the fix', async () => {
  const r = await runHarness(options('shadowing/threading.py', 'work', '[3, 4]', { startMethod: 'spawn' }));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1]) assert.deepEqual(tasksOf(r.events, run).map((t) => t.status), ['ok', 'ok']);
  const processes = ofType(r.events, 'run-end')[2];
  assert.match(processes.aborted ?? '', /^processes strategy skipped: threading\.py has the name of a standard module, and worker processes started with 'spawn' would import it .*; fix: rename the file, e\.g\. threading_demo\.py$/);
  assert.equal(ofType(r.events, 'worker').filter((w) => w.run === 2).length, 0, 'no worker process was started');
});

test('files beside the target named like standard modules do not stand in for them in the harness; spawned workers would, so that pool is skipped', async () => {
  const forked = await runHarness(options('besideStdlib/work.py', 'double', 'await numbers()', { startMethod: 'fork' }));
  assert.equal(forked.code, 0, forked.stderr);
  for (const run of [0, 1, 2]) assert.deepEqual(tasksOf(forked.events, run).map((t) => t.resultPreview), ['2', '4'], `run ${run}`);
  const spawned = await runHarness(options('besideStdlib/work.py', 'double', '[1, 2]', { startMethod: 'spawn' }));
  assert.equal(spawned.code, 0, spawned.stderr);
  assert.match(ofType(spawned.events, 'run-end')[2].aborted ?? '', /^processes strategy skipped: .*besideStdlib\/inspect\.py has the name of a standard module, and worker processes started with 'spawn' would import it/);
});

for (const name of ['cached', 'memoized', 'counted']) {
  test(`every run starts from the module's state, not what the run before left in it (${name}: a cache, a memo, a global)`, async () => {
    const r = await runHarness(options('carriesState.py', name, '[0, 1, 2, 3]', { startMethod: 'fork' }));
    assert.equal(r.code, 0, r.stderr);
    for (const run of [0, 1, 2]) assert.deepEqual(tasksOf(r.events, run).map((t) => t.resultPreview), ['1', '1', '1', '1'], `run ${run}`);
  });
}

for (const inputs of ['await page_numbers(3)', 'page_numbers(3)', 'stream_pages(3)']) {
  test(`inputs from an async loader or an async generator are awaited: ${inputs}`, async () => {
    const r = await runHarness(options('asyncFetch.py', 'fetch', inputs, { strategies: ['sequential'] }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tasksOf(r.events, 0).map((t) => t.resultPreview), ['0', '2', '4']);
  });
}

test('an async target whose module never imports asyncio: the thread pool\'s threads import it at once, and every call runs', async () => {
  // Before, a thread could get asyncio half imported by the other: "partially initialized module 'asyncio'".
  const r = await runHarness(options('asyncNoImport.py', 'double', 'range(8)', { strategies: ['threads'] }));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(tasksOf(r.events, 0).map((t) => t.status), Array(8).fill('ok'), JSON.stringify(tasksOf(r.events, 0).map((t) => t.error)));
});

test('the runtime works outside the profiler: plain python3 with dist/python on the path', () => {
  const script = [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'dist', 'python'))})`,
    `sys.path.insert(0, ${JSON.stringify(FIXTURES)})`,
    'from parallel_profiler import counter, lock',
    'import racyCounter',
    'racyCounter.safe(5); racyCounter.racy(3)',
    'with lock("a"):',
    '    counter.add(2)',
    'print(counter.value)',
  ].join('\n');
  assert.equal(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }).trim(), '10');
});

test('runs list every strategy asked for, in the order given', async () => {
  const r = await runHarness(options('square.py', 'square', '[3]', { strategies: ['processes', 'sequential'] }));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(runsOf(r.events, 'processes'), [0]);
  assert.deepEqual(runsOf(r.events, 'sequential'), [1]);
});

for (const startMethod of ['fork', 'spawn', 'forkserver'] as const) {
  test(`runtime across processes (${startMethod}): unsafe_add loses updates, add() and a named lock do not`, async () => {
    // Many increments per task, so that the two workers overlap even on a busy machine.
    const racy = await runHarness(options('racyCounter.py', 'racy', '[40_000] * 8', { strategies: ['processes'], startMethod }));
    const [lossy] = ofType(racy.events, 'counter');
    assert.equal(lossy.expected, 320_000);
    assert.ok(lossy.observed < lossy.expected, `observed ${lossy.observed} of ${lossy.expected}`);

    const safe = await runHarness(options('racyCounter.py', 'safe', '[20_000] * 6', { strategies: ['processes'], startMethod }));
    assert.deepEqual(ofType(safe.events, 'counter')[0], { type: 'counter', run: 0, expected: 120_000, observed: 120_000 });

    const locked = await runHarness(options('lockGuarded.py', 'guarded', '[300] * 6', { strategies: ['processes'], startMethod }));
    assert.deepEqual(ofType(locked.events, 'counter')[0], { type: 'counter', run: 0, expected: 1800, observed: 1800 });
    const locks = ofType(locked.events, 'lock');
    // Each worker tells a named lock's first 1000 uses in full, then only its long waits (ownlocks.py).
    const acquires = locks.filter((e) => e.kind === 'acquire').length;
    const lanes = new Set(locks.map((e) => e.lane)).size;
    assert.ok(acquires >= 1000 && acquires <= 1000 * lanes + 50, `${acquires} acquires told of 1800 by ${lanes} workers`);
    // Never two holders at once: acquire/release alternate on the shared clock.
    let holder: number | undefined;
    for (const l of locks.filter((e) => e.kind !== 'request').sort((a, b) => a.atMs - b.atMs || (a.kind === 'release' ? -1 : 1))) {
      if (l.kind === 'acquire') {
        assert.equal(holder, undefined, `lane ${l.lane} acquired while lane ${holder} held the lock`);
        holder = l.lane;
      } else {
        assert.equal(holder, l.lane);
        holder = undefined;
      }
    }
    assert.ok(locks.every((l) => l.site?.line === 7 && l.site.file.endsWith('lockGuarded.py')));
  });
}

test('result digests do not depend on the process (sets of strings under spawn: other hash seeds)', async () => {
  const r = await runHarness(options('setResult.py', 'words', '[5, 20, 40]', { startMethod: 'spawn' }));
  assert.equal(r.code, 0, r.stderr);
  const digests = [0, 1, 2].map((run) => tasksOf(r.events, run).map((t) => t.digest));
  assert.deepEqual(digests[2], digests[0]);
  assert.deepEqual(digests[1], digests[0]);
});

test('task ends go many to a line, ok ones as columns, and the thread pool sends no task-start per task', async () => {
  const r = await runHarness(options('square.py', 'square', 'range(2000)', { strategies: ['threads'] }));
  assert.equal(r.code, 0, r.stderr);
  const tasks = tasksOf(r.events, 0);
  assert.deepEqual(tasks.map((t) => t.index), Array.from({ length: 2000 }, (_, i) => i));
  assert.ok(tasks.every((t) => t.status === 'ok' && t.digest === `i:${t.index * t.index}` && t.resultPreview === String(t.index * t.index)));
  assert.ok(tasks.every((t) => t.endMs >= t.startMs && t.startMs >= t.queuedMs && t.cpuMs !== undefined && t.lane >= 0));
  // Calls that returned normally go as columns (OkColumns), not as one object each.
  assert.ok(ofType(r.events, 'tasks').every((e) => e.ok && !e.spans));
  // One line per task would be 2000 lines (4000 with a task-start each).
  const lines = ofType(r.events, 'tasks').length + ofType(r.events, 'task-end').length + ofType(r.events, 'task-start').length;
  assert.ok(lines < 200, `${lines} lines for 2000 task ends`);
});

test('big results digest alike in every strategy (spawned processes: other hash seeds), and a change in the middle shows', async () => {
  const kinds = ['ints', 'floats', 'strings', 'rows', 'dicts', 'array', 'words', 'shared'];
  const inputs = JSON.stringify(kinds.flatMap((k) => [[k, false], [k, true]])).replace(/false/g, 'False').replace(/true/g, 'True');
  const r = await runHarness(options('bigResults.py', 'big_result', inputs, { spread: true, startMethod: 'spawn' }));
  assert.equal(r.code, 0, r.stderr);
  const digests = [0, 1, 2].map((run) => tasksOf(r.events, run).map((t) => t.digest));
  assert.ok(tasksOf(r.events, 2).every((t) => t.status === 'ok'));
  assert.deepEqual(digests[1], digests[0]);
  assert.deepEqual(digests[2], digests[0]);
  assert.equal(new Set(digests[0]).size, kinds.length * 2, 'every kind and every change has its own digest');
  // Previews stay short without rendering the whole result.
  assert.match(tasksOf(r.events, 0)[0].resultPreview!, /^\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, \.\.\.\]$/);
});
