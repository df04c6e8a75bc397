/**
 * Pure analysis on hand-made runs: metrics, the verdict, lock-order inversions, the wait-for graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, applyMetrics, dominantTask } from '../../src/core/metrics';
import { analyze } from '../../src/core/analysis';
import { verdictOf } from '../../src/core/verdict';
import { findLockOrderInversions } from '../../src/core/lockOrder';
import { DeadlockDetector } from '../../src/core/deadlockDetector';
import type { LockEvent, Report, Run, SharedValueChange, StrategyName, TaskSpan } from '../../src/core/model';
import { lostUpdates, sharedValueWarnings, unlockedUpdates } from '../../src/core/sharedValues';
import { formatSummary, summaryRows } from '../../src/core/textSummary';
import { lockContention } from '../../src/core/lockWaits';
import { Warnings } from '../../src/core/warnings';
import { jsWait, pythonWait } from '../../src/core/hangWaits';
import { speedupPoints } from '../../webview/speedupPoints';

function makeRun(strategy: StrategyName, workers: number, wallMs: number, spans: [lane: number, start: number, end: number, cpu?: number][], extra: Partial<Run> = {}): Run {
  const tasks: TaskSpan[] = spans.map(([lane, startMs, endMs, cpuMs], index) => ({ index, lane, queuedMs: 0, startMs, endMs, status: 'ok', digest: `n:${index}`, ...(cpuMs !== undefined ? { cpuMs } : {}) }));
  return {
    strategy,
    workers,
    repeat: 0,
    wallMs,
    cpuMs: null,
    startMs: 0,
    lanes: Array.from({ length: workers }, (_, id) => ({ id, pid: 1, threadId: id, spawnMs: 0, readyMs: 0, exitMs: wallMs, exitCode: 0 })),
    tasks,
    locks: [],
    counter: { expected: 0, observed: 0, lost: 0 },
    metrics: computeMetrics({ tasks, lanes: [], wallMs, workers } as unknown as Run, null),
    ...extra,
  };
}

const target = { file: '/x/f.py', name: 'f', language: 'python' as const };
const machine = { cpus: 2, platform: 'linux-x64', runtime: 'CPython 3.11' };

test('speedup, efficiency, utilization, overhead, imbalance, Karp–Flatt and stragglers', () => {
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 100], [0, 100, 200], [0, 200, 300], [0, 300, 400]]);
  const threads = makeRun('threads', 2, 250, [[0, 0, 100], [1, 0, 100], [0, 100, 200], [1, 100, 250]]);
  applyMetrics([sequential, threads]);
  const m = threads.metrics;
  assert.equal(m.speedup, 400 / 250);
  assert.equal(m.efficiency, 400 / 250 / 2);
  assert.equal(m.busyMs, 450);
  assert.equal(m.utilization, 450 / (250 * 2));
  assert.equal(m.overheadMs, 250 - 400 / 2);
  assert.equal(m.loadImbalance, 250 / 225);
  assert.ok(Math.abs(m.serialFraction! - (1 / 1.6 - 0.5) / 0.5) < 1e-12);
  assert.deepEqual(m.stragglers, []);
  const skewed = makeRun('threads', 2, 500, [[0, 0, 10], [0, 10, 20], [0, 20, 30], [1, 0, 400]]);
  applyMetrics([sequential, skewed]);
  assert.deepEqual(skewed.metrics.stragglers, [3]);
});

test('repeated: each row\'s speedup is the sequential row\'s wall over its own, as the table shows them', () => {
  // Walls as measured in three repeats of examples/primes.py (ms); the table shows each strategy's median run.
  const runs = [[471, 362], [599, 270], [474, 255]].flatMap(([sequential, processes], repeat) => [
    makeRun('sequential', 1, sequential, [[0, 0, sequential]], { repeat }),
    makeRun('processes', 2, processes, [[0, 0, processes], [1, 0, processes]], { repeat }),
  ]);
  const { warnings } = analyze(runs, target, machine, []);
  const rows = summaryRows({ runs, warnings } as unknown as Report);
  assert.deepEqual(rows.map((r) => [r.strategy, r.wallMs, r.speedup]), [['sequential', 474, 1], ['processes', 270, 474 / 270]]);
  // The panel's speedup chart draws the same numbers.
  assert.deepEqual(speedupPoints({ runs, warnings } as unknown as Report).map((p) => p.measured), [1, 474 / 270]);
});

test('a run stopped before its tasks ran has no speedup, and its row in the table says how it ended', () => {
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 200], [0, 200, 400]]);
  // The Python process pool skipped before it started (an input that cannot be pickled): 1 ms, no tasks.
  const skipped = makeRun('processes', 2, 1, [], { aborted: 'processes strategy skipped: input 1 (lock) cannot be pickled', lanes: [] });
  const cancelled = makeRun('threads', 2, 100, [[0, 0, 100]], { aborted: 'cancelled' });
  applyMetrics([sequential, skipped, cancelled]);
  for (const run of [skipped, cancelled]) {
    assert.deepEqual([run.metrics.speedup, run.metrics.efficiency, run.metrics.overheadMs, run.metrics.serialFraction], [null, null, null, null], run.strategy);
  }
  const { warnings, verdict } = analyze([sequential, skipped, cancelled], target, machine, []);
  const table = formatSummary({ version: 1, createdAt: '', target, machine, inputs: { expression: '[1, 2]', count: 2, spread: false }, runs: [sequential, cancelled, skipped], warnings, verdict });
  const rows = table.split('\n').filter((line) => /^(sequential|threads|processes)/.test(line));
  assert.match(rows[0], /^sequential +1 +400\.0 +— +1\.00× +100%/);
  assert.match(rows[1], /^threads \(cancelled\) +2 +100\.0 +— +— +— /);
  assert.match(rows[2], /^processes \(skipped\) +2 +1\.0 +— +— +— /);
});

test('load imbalance: a warning naming the stragglers when the busiest worker\'s extra work shows in the wall time; none for calls of microseconds', () => {
  const sequential = makeRun('sequential', 1, 500, [[0, 0, 20], [0, 20, 40], [0, 40, 60], [0, 60, 460], [0, 460, 470]]);
  const skewed = makeRun('threads', 2, 410, [[0, 0, 20], [0, 20, 40], [0, 40, 60], [1, 0, 400], [1, 400, 410]]);
  const imbalance = analyze([sequential, skewed], target, machine, []).warnings.filter((w) => w.kind === 'imbalance');
  // Input #3 took 400 of the calls' 470 ms: more than a worker's share, whatever the order.
  assert.deepEqual(imbalance.map((w) => w.message), [
    "threads: the busiest worker worked 1.74× the average; stragglers: input #3 — input #3 alone took 85% of the calls' time, more than a worker's share, so the pool cannot finish before that one call does: at most 1.18× faster than sequential, however the inputs are ordered — split its work into smaller inputs",
  ]);
  assert.match(analyze([sequential, skewed], target, machine, []).verdict, /; input #3 alone takes 85% of the calls' time, so no pool beats 1\.2× — split its work into smaller inputs\.$/);
  // Stragglers in the queue's tail, none more than a worker's share: three workers, the last two
  // calls the big ones, both on one worker that started late.
  const tail = makeRun('threads', 3, 400, [[0, 0, 40], [1, 0, 40], [0, 40, 80], [1, 40, 80], [2, 100, 250], [2, 250, 400]]);
  assert.equal(dominantTask(tail), undefined);
  const [late] = analyze([makeRun('sequential', 1, 460, [[0, 0, 460]]), tail], target, machine, []).warnings.filter((w) => w.kind === 'imbalance');
  assert.match(late.message, /stragglers: input #4, #5 — split big inputs or order them largest first$/);
  // The same shape in microseconds, in a run that start-up makes 150 ms long.
  const tiny = makeRun('threads', 2, 150, [[0, 0, 0.02], [0, 0.02, 0.04], [0, 0.04, 0.06], [1, 0, 0.4], [1, 0.4, 0.41]]);
  assert.equal(tiny.metrics.loadImbalance! > 1.5, true);
  assert.deepEqual(analyze([sequential, tiny], target, machine, []).warnings.filter((w) => w.kind === 'imbalance'), []);
});

test('tasks that failed before reaching a worker (lane -1) are on no lane: they do not make the workers look imbalanced', () => {
  const even = makeRun('threads', 2, 200, [[0, 0, 100], [1, 0, 100], [-1, 5, 5], [-1, 5, 5]]);
  for (const task of even.tasks.filter((t) => t.lane < 0)) task.status = 'error';
  applyMetrics([even]);
  assert.equal(even.metrics.loadImbalance, 1);
});

test('CPU per wall: per-task CPU first, then the calls\' CPU measured from ready, then the run\'s (start-up included)', () => {
  const spans: [number, number, number][] = [[0, 0, 200], [0, 200, 400]];
  const measured = makeRun('sequential', 1, 400, [[0, 0, 200, 20], [0, 200, 400, 20]], { cpuMs: 150, callsCpuMs: 30 });
  const fromReady = makeRun('sequential', 1, 400, spans, { cpuMs: 150, callsCpuMs: 30 });
  const wholeRun = makeRun('sequential', 1, 400, spans, { cpuMs: 150 });
  applyMetrics([measured]);
  applyMetrics([fromReady]);
  applyMetrics([wholeRun]);
  assert.equal(measured.metrics.cpuPerWall, 40 / 400);
  assert.equal(fromReady.metrics.cpuPerWall, 30 / 400);
  assert.equal(wholeRun.metrics.cpuPerWall, 150 / 400);
});

test('Python threads with no gain on CPU-bound work get the GIL verdict; processes win', () => {
  const cpu = (n: number): [number, number, number, number][] => Array.from({ length: n }, (_, i) => [i % 2, i * 100, i * 100 + 100, 98]);
  const sequential = makeRun('sequential', 1, 400, cpu(4).map(([, s, e, c]) => [0, s, e, c]));
  const threads = makeRun('threads', 2, 390, cpu(4));
  const processes = makeRun('processes', 2, 210, cpu(4));
  const { warnings, verdict } = analyze([sequential, threads, processes], target, machine, []);
  const gil = warnings.find((w) => w.kind === 'gil');
  assert.ok(gil);
  assert.match(gil!.message, /GIL/);
  assert.match(gil!.message, /process pool/);
  assert.match(verdict, /^Process pool is 1\.9× faster than sequential with 2 workers; threads gain nothing \(1\.03×\): CPU-bound code under the GIL\.$/);
});

test('Python threads slow on calls of microseconds: the overhead warning, not the GIL one', () => {
  // Six CPU-bound calls of 4 µs: the thread pool's 0.4× is its own cost of handing them out.
  const tiny = (lanes: number): [number, number, number, number][] => Array.from({ length: 6 }, (_, i) => [i % lanes, i * 0.004, i * 0.004 + 0.004, 0.004]);
  const sequential = makeRun('sequential', 1, 0.05, tiny(1));
  const threads = makeRun('threads', 2, 0.125, tiny(2));
  const { warnings } = analyze([sequential, threads], target, machine, []);
  assert.equal(warnings.filter((w) => w.kind === 'gil').length, 0);
  assert.match(warnings.find((w) => w.kind === 'overhead')?.message ?? '', /each task takes only 4 µs/);
});

test('calls that are mostly instant but where a few hold the work (a cache\'s hits and misses): no "each task takes only", no advice to batch', () => {
  // 16 calls: 4 of 90 ms (the cache's misses), 12 of 4 µs (its hits). The median call is 4 µs; the work is 360 ms.
  const calls = (lanes: number, stretch: number): [number, number, number, number][] => {
    let at = [0, 0];
    return Array.from({ length: 16 }, (_, i) => {
      const lane = i % lanes;
      const ms = i % 4 === 0 ? 90 * stretch : 0.004;
      const start = at[lane];
      at[lane] += ms;
      return [lane, start, start + ms, ms];
    });
  };
  const sequential = makeRun('sequential', 1, 361, calls(1, 1));
  const threads = makeRun('threads', 2, 520, calls(2, 2.8));
  assert.ok(Math.abs(sequential.metrics.medianTaskMs! - 0.004) < 1e-9);
  assert.ok(Math.abs(sequential.metrics.callMs! - 360.048 / 16) < 1e-9, String(sequential.metrics.callMs));
  const { warnings, verdict } = analyze([sequential, threads], target, machine, []);
  // CPU-bound work under the GIL, as it is: the calls that do the work are long.
  assert.ok(warnings.some((w) => w.kind === 'gil'), warnings.map((w) => w.message).join('\n'));
  assert.ok(!warnings.some((w) => /takes only/.test(w.message)), warnings.map((w) => w.message).join('\n'));
  assert.doesNotMatch(verdict, /batch/);
  const js = analyze([makeRun('sequential', 1, 361, calls(1, 1)), makeRun('threads', 2, 520, calls(2, 2.8))], { ...target, language: 'typescript' }, machine, []);
  assert.ok(!js.warnings.some((w) => /takes only/.test(w.message)), js.warnings.map((w) => w.message).join('\n'));
  assert.doesNotMatch(js.verdict, /batch/);
});

test('a JS sequential run spent mostly moving big inputs into its worker: no pool beats the calls alone, and the verdict says so rather than a speedup', () => {
  // 16 calls of 4 ms, each given a million numbers: the sequential run took 746 ms, 682 of them outside the calls.
  const calls = (lanes: number, from: number, gap: number): [number, number, number][] => Array.from({ length: 16 }, (_, i) => [i % lanes, from + Math.floor(i / lanes) * gap, from + Math.floor(i / lanes) * gap + 4]);
  const ts = { ...target, language: 'typescript' as const };
  const runs = () => [makeRun('sequential', 1, 746, calls(1, 40, 44)), makeRun('threads', 2, 464, calls(2, 40, 52)), makeRun('processes', 2, 571, calls(2, 60, 62))];
  const { verdict } = analyze(runs(), ts, machine, []);
  assert.equal(
    verdict,
    'Stay with a plain loop: the 16 calls take 64 ms in all, but the sequential run spent 682 ms of its 746 ms outside them, starting its worker and moving the inputs into it and the results out, and every pool pays that too (threads 464 ms, processes 571 ms) — pass less to each call (an index, a seed or a file name to make its data from, or the data in a SharedArrayBuffer the threads share).',
  );
  // Python's sequential run calls in the harness's own thread: nothing to move, so its time outside the calls is something else.
  assert.match(analyze(runs(), target, machine, []).verdict, /^Thread pool is 1\.6× faster/);
  // A pool faster than the calls alone still gets its speedup.
  const fast = analyze([makeRun('sequential', 1, 746, calls(1, 40, 44)), makeRun('threads', 2, 60, calls(2, 10, 5))], ts, machine, []);
  assert.match(fast.verdict, /^Thread pool is 12× faster/);
  // Calls of microseconds whose bookkeeping outweighs them are told to batch, not to pass less.
  const micro = (lanes: number): [number, number, number][] => Array.from({ length: 100_000 }, (_, i) => [i % lanes, i * 0.005, i * 0.005 + 0.001]);
  assert.match(analyze([makeRun('sequential', 1, 500, micro(1)), makeRun('threads', 2, 900, micro(2))], ts, machine, []).verdict, /batch/);
});

test('every call failing in every run: the verdict says so with the first place, not how fast the pools were', () => {
  const failing = (run: ReturnType<typeof makeRun>) => {
    for (const t of run.tasks) Object.assign(t, { status: 'error', error: 'TypeError: x is undefined', errorLocation: { file: '/x/f.py', line: 31 } });
    return run;
  };
  const sequential = failing(makeRun('sequential', 1, 40, [[0, 0, 20], [0, 20, 40]]));
  const threads = failing(makeRun('threads', 2, 20, [[0, 0, 20], [1, 0, 20]]));
  const { verdict } = analyze([sequential, threads], target, machine, []);
  assert.equal(verdict, 'Every call of f failed (the first at f.py:31) — fix the errors below first; its timings are not meaningful until then.');
});

test('a pool that could not start is named in the verdict, and no call is said to fail', () => {
  const sequential = makeRun('sequential', 1, 80, [[0, 0, 20, 20], [0, 20, 40, 20], [0, 40, 60, 20], [0, 60, 80, 20]]);
  const threads = makeRun('threads', 2, 40, [[0, 0, 20, 20], [1, 0, 20, 20], [0, 20, 40, 20], [1, 20, 40, 20]]);
  const reason = "processes strategy skipped: 'f' is a lambda, which worker processes cannot import";
  const processes = makeRun('processes', 2, 0.5, [], { lanes: [], aborted: reason });
  const skip = { kind: 'error' as const, strategy: 'processes' as const, message: reason, location: { file: '/x/f.py', line: 3 } };
  const { verdict } = analyze([sequential, threads, processes], { ...target, language: 'javascript' }, machine, [skip]);
  assert.equal(verdict, 'Thread pool is 2.0× faster than sequential with 2 workers; the process pool could not run it (see the warnings).');
  const alone = analyze([sequential, processes], target, machine, [skip]).verdict;
  assert.match(alone, /^Only sequential ran: 4 calls in 80 ms \(20 ms a call, median\) — the process pool could not run it \(see the warnings\)\.$/);
  // A call that did fail still says so.
  sequential.tasks[0].status = 'error';
  const failing = analyze([sequential, threads, processes], { ...target, language: 'javascript' }, machine, [skip, { kind: 'error', strategy: 'sequential', message: 'sequential: 1 task failed' }]).verdict;
  assert.match(failing, /could not run it \(see the warnings\); but it is not safe as is: some calls fail\.$/);
});

test('workers that spend much of the run loading the module: a warning with the fix, and the verdict says why the pool barely pays', () => {
  const js = { file: '/x/job.js', name: 'f', language: 'javascript' as const };
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 100, 100], [0, 100, 200, 100], [0, 200, 300, 100], [0, 300, 400, 100]]);
  const loading = (wallMs: number) => {
    const run = makeRun('threads', 2, wallMs, [[0, 150, 250, 100], [1, 150, 250, 100], [0, 250, 350, 100], [1, 250, 350, 100]]);
    for (const lane of run.lanes) lane.loadMs = 150;
    return run;
  };
  const gains = analyze([sequential, loading(330)], js, machine, []);
  const said = gains.warnings.find((w) => w.kind === 'overhead');
  assert.equal(said?.message, 'threads: each worker spent 150 ms loading job.js before its first task (45% of the run): its imports and top-level code run again in every worker thread — keep work out of module level (do it inside the function, or once on first use), or give the pool more work so its start-up pays');
  const barely = analyze([sequential, loading(420)], js, machine, []);
  assert.match(barely.verdict, /^Parallelism barely pays: the best, the thread pool, reaches 0\.95×; its workers spend 36% of the run loading job\.js \(its top-level code runs in each\) — keep work out of module level\.$/);
  assert.equal(barely.warnings.filter((w) => w.kind === 'overhead').length, 1, 'one overhead warning, not two');
  // A quick load is not worth a word.
  const quick = loading(330);
  for (const lane of quick.lanes) lane.loadMs = 5;
  assert.equal(analyze([sequential, quick], js, machine, []).warnings.filter((w) => w.kind === 'overhead').length, 0);
});

test('a sequential run that kept two CPUs busy (BLAS threads in numpy): no GIL warning, but the threads of the library named, with the fix', () => {
  const spans = (lanes: number): [number, number, number, number][] => Array.from({ length: 4 }, (_, i) => [i % lanes, 0, 20, 20]);
  const sequential = makeRun('sequential', 1, 80, spans(1), { cpuMs: 150 });
  const threads = makeRun('threads', 2, 78, spans(2), { cpuMs: 150 });
  const { warnings, verdict } = analyze([sequential, threads], target, machine, []);
  assert.equal(warnings.filter((w) => w.kind === 'gil').length, 0);
  assert.match(warnings.find((w) => w.kind === 'overhead')?.message ?? '', /^the sequential run already kept 1\.88 of the 2 CPUs busy: a library the function calls runs threads of its own .*OMP_NUM_THREADS=1/);
  assert.match(verdict, /^Parallelism barely pays: the best, the thread pool, reaches 1\.03×; the sequential run already kept 1\.9 CPUs busy with a library's own threads/);
  // One CPU busy, as pure Python keeps it: the GIL is the story.
  const plain = analyze([makeRun('sequential', 1, 80, spans(1), { cpuMs: 80 }), makeRun('threads', 2, 78, spans(2), { cpuMs: 80 })], target, machine, []);
  assert.equal(plain.warnings.filter((w) => w.kind === 'gil').length, 1);
});

test('calls whose own child processes kept two CPUs busy (a pool inside the function): no GIL warning; parallelize in one place', () => {
  const spans = (lanes: number): [number, number, number, number][] => Array.from({ length: 4 }, (_, i) => [i % lanes, 0, 20, 1]);
  const sequential = makeRun('sequential', 1, 80, spans(1), { cpuMs: 10, childCpuMs: 150 });
  const threads = makeRun('threads', 2, 78, spans(2), { cpuMs: 10, childCpuMs: 150 });
  const { warnings, verdict } = analyze([sequential, threads], target, machine, []);
  assert.equal(warnings.filter((w) => w.kind === 'gil').length, 0);
  assert.match(warnings.find((w) => w.kind === 'overhead')?.message ?? '', /^the sequential run's calls already kept 1\.88 of the 2 CPUs busy in processes of their own .*parallelize in one place/);
  assert.match(verdict, /the sequential run's calls already kept 1\.9 CPUs busy in processes of their own — parallelize in one place, not both/);
  // A child that keeps one CPU busy (a program each call runs) is no such thing.
  const one = analyze([makeRun('sequential', 1, 80, spans(1), { cpuMs: 10, childCpuMs: 75 }), makeRun('threads', 2, 40, spans(2), { cpuMs: 10, childCpuMs: 75 })], target, machine, []);
  assert.ok(!one.warnings.some((w) => /processes of their own/.test(w.message)));
});

test('results that differ because the code draws random numbers: said so at the draw, and no safety matter in the verdict', () => {
  const differing = () => {
    const sequential = makeRun('sequential', 1, 400, [[0, 0, 100, 100], [0, 100, 200, 100], [0, 200, 300, 100], [0, 300, 400, 100]]);
    const processes = makeRun('processes', 2, 200, [[0, 0, 100, 100], [1, 0, 100, 100], [0, 100, 200, 100], [1, 100, 200, 100]]);
    for (const t of processes.tasks) t.digest = `n:${t.index + 10}`;
    return [sequential, processes];
  };
  const random = analyze(differing(), target, machine, [], 'import random\n\ndef f(n):\n    return random.random() * n\n');
  const said = random.warnings.find((w) => w.kind === 'divergence');
  assert.match(said?.message ?? '', /— the code draws random numbers at \/x\/f\.py:4, and each run draws others — to compare the strategies, seed a generator from the input \(random\.Random\(x\)\)/);
  assert.deepEqual(said?.location, { file: '/x/f.py', line: 4 });
  // In the words of the draw's library: NumPy's generator, or one of your own in JS.
  const numpy = analyze(differing(), target, machine, [], 'import numpy as np\n\ndef f(n):\n    return np.random.rand() * n\n');
  // Drawn through a name imported from numpy.random: the import is where the draws come from.
  assert.match(analyze(differing(), target, machine, [], 'from numpy.random import rand\n\ndef f(n):\n    return rand() * n\n').warnings.find((w) => w.kind === 'divergence')?.message ?? '', /the code draws random numbers at \/x\/f\.py:1, .*\(np\.random\.default_rng\(x\)\)/);
  assert.match(numpy.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /seed a generator from the input \(np\.random\.default_rng\(x\)\)/);
  const drawsInJs = analyze(differing(), { file: '/x/f.ts', name: 'f', language: 'typescript' }, machine, [], 'export function f(n: number) {\n  return Math.random() * n;\n}\n');
  assert.match(drawsInJs.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /seed a generator from the input \(Math\.random cannot be seeded: a small generator of your own, such as mulberry32\(x\)\)/);
  assert.equal(random.verdict, 'Process pool is 2.0× faster than sequential with 2 workers; its results differ from run to run, as it draws random numbers.');
  // A draw in a helper the function calls counts; one in another function of the file does not.
  const helper = analyze(differing(), target, machine, [], 'import random\n\ndef roll():\n    return random.randint(1, 6)\n\ndef f(n):\n    return roll() * n\n');
  assert.match(helper.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /the code draws random numbers at \/x\/f\.py:4/);
  const elsewhere = analyze(differing(), target, machine, [], 'import random\n\ndef shuffled(xs):\n    return random.sample(xs, len(xs))\n\ntotal = []\n\ndef f(n):\n    total.append(n)\n    return len(total)\n');
  assert.match(elsewhere.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /depends on shared state or timing/);
  // Without random numbers in the code, differing results are shared state or timing: not safe.
  const shared = analyze(differing(), target, machine, [], 'total = []\n\ndef f(n):\n    total.append(n)\n    return len(total)\n');
  assert.match(shared.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /depends on shared state or timing/);
  assert.match(shared.verdict, /but it is not safe as is: results differ in processes\.$/);
  // Results that hold which worker ran the call, or the time: by nature too, said at the read.
  const pid = analyze(differing(), target, machine, [], 'import os\n\ndef f(n):\n    return (os.getpid(), n)\n');
  assert.match(pid.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /— the code reads at \/x\/f\.py:4 which worker runs it or the time, and those differ from run to run — expected, not a race/);
  assert.equal(pid.verdict, 'Process pool is 2.0× faster than sequential with 2 workers; its results differ from run to run, as they hold which worker ran it or the time.');
  // Imported by name: `from os import getpid`, `from time import perf_counter_ns`.
  for (const code of ['from os import getpid\n\ndef f(n):\n    return (getpid(), n)\n', 'from time import perf_counter_ns\n\ndef f(n):\n    return perf_counter_ns() - n\n']) {
    assert.match(analyze(differing(), target, machine, [], code).warnings.find((w) => w.kind === 'divergence')?.message ?? '', /— the code reads at \/x\/f\.py:4 which worker runs it or the time/, code);
  }
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const thread = analyze(differing(), js, machine, [], "import { threadId } from 'node:worker_threads';\n\nexport function f(n: number) {\n  return [threadId, Date.now() - n];\n}\n");
  assert.match(thread.warnings.find((w) => w.kind === 'divergence')?.message ?? '', /reads at \/x\/f\.ts:4 which worker runs it/);
});

test('a pool whose workers drew the same random numbers: side-by-side calls alike, said at the seed, and not safe', () => {
  // Sequentially eight different results; in the pool each worker's k-th call returns the k-th of one stream.
  const runs = (stream: (k: number) => string, sequential = (i: number) => `n:${i}`) => {
    const seq = makeRun('sequential', 1, 800, Array.from({ length: 8 }, (_, i): [number, number, number] => [0, i * 100, i * 100 + 100]));
    for (const t of seq.tasks) t.digest = sequential(t.index);
    const processes = makeRun('processes', 2, 400, Array.from({ length: 8 }, (_, i): [number, number, number] => [i % 2, Math.floor(i / 2) * 100, Math.floor(i / 2) * 100 + 100]));
    for (const t of processes.tasks) t.digest = stream(t.index);
    return [seq, processes];
  };
  const seeded = 'import random\n\nrandom.seed(7)\n\ndef f(n):\n    return random.random() * n\n';
  const same = analyze(runs((i) => `n:${Math.floor(i / 2)}`), target, machine, [], seeded);
  const warning = same.warnings.find((w) => w.kind === 'divergence' && w.strategy === 'processes');
  assert.equal(warning?.sameDraws, true, warning?.message);
  assert.match(warning.message, /^processes: the workers drew the same random numbers: 8 of 8 calls .*input #0 on worker 0 and input #1 on worker 1 both returned .* the seed set as the module loads at \/x\/f\.py:3 is set alike in every worker, so the draw at \/x\/f\.py:6 gave .*random\.Random\(x\) seeded from the input$/);
  assert.deepEqual(warning.location, { file: '/x/f.py', line: 3 });
  assert.equal(same.warnings.filter((w) => w.kind === 'divergence').length, 1, 'no "each run draws others" beside it');
  assert.match(same.verdict, /but it is not safe as is: in processes the workers drew the same random numbers\.$/);
  // Without a seed, the draw is the place, and NumPy's fix for a NumPy draw.
  const forked = analyze(runs((i) => `n:${Math.floor(i / 2)}`), target, machine, [], 'import numpy as np\n\ndef f(n):\n    return np.random.random() * n\n');
  assert.match(forked.warnings[0]?.message ?? '', /the draw at \/x\/f\.py:4 started from the same random state in every worker \(a forked worker process copies its parent's generator\).*np\.random\.default_rng\(\)/);
  // Results that are merely random, or alike only out of step, or a die's few values: no such warning.
  const notAlike = [
    analyze(runs((i) => `n:${i + 10}`), target, machine, [], seeded),
    analyze(runs((i) => `n:${i === 0 ? 99 : Math.floor((i - 1) / 2)}`), target, machine, [], seeded),
    analyze(runs((i) => `n:${Math.floor(i / 2)}`, (i) => `n:${i % 3}`), target, machine, [], seeded),
  ];
  for (const { warnings } of notAlike) {
    assert.ok(!warnings.some((w) => w.sameDraws), warnings.map((w) => w.message).join('\n'));
    assert.match(warnings.find((w) => w.kind === 'divergence')?.message ?? '', /each run draws others/);
  }
  // Alike because each worker counted its calls in its own copy of a module value: that is the copies' story.
  const counted = runs((i) => `n:${Math.floor(i / 2)}`);
  counted[1].sharedValues = [{ name: 'calls', kind: 'global', change: 0, ownCopies: true, copies: [4, 4] }];
  assert.ok(!analyze(counted, target, machine, [], seeded).warnings.some((w) => w.sameDraws));
  // Without random numbers in the code, alike results are no draws of the same numbers.
  const state = analyze(runs((i) => `n:${Math.floor(i / 2)}`), target, machine, [], 'calls = []\n\ndef f(n):\n    calls.append(n)\n    return len(calls)\n');
  assert.ok(!state.warnings.some((w) => w.sameDraws));
});

test('a sequential first call that paid start-up the pools after it did not: a warm-up warning, and the pools judged without it', () => {
  // Eight calls of 20 ms, the sequential run's first 120 ms; threads under the GIL take turns, processes run two at a time.
  const sequential = makeRun('sequential', 1, 260, [[0, 0, 120, 120], ...Array.from({ length: 7 }, (_, i): [number, number, number, number] => [0, 120 + i * 20, 140 + i * 20, 20])]);
  const turns = (i: number): [number, number, number, number] => [i % 2, i * 20, i * 20 + 40, 20];
  const threads = makeRun('threads', 2, 170, Array.from({ length: 8 }, (_, i) => turns(i)));
  const processes = makeRun('processes', 2, 85, Array.from({ length: 8 }, (_, i): [number, number, number, number] => [i % 2, Math.floor(i / 2) * 20, Math.floor(i / 2) * 20 + 20, 20]));
  const { warnings, verdict } = analyze([sequential, threads, processes], target, machine, [], 'import re\n\ndef f(n):\n    return n\n');
  const warm = warnings.find((w) => w.kind === 'warm-up');
  assert.equal(
    warm?.message,
    'sequential: its first call took 120 ms, 6× the median of the others (20 ms) — start-up the function pays once per process (a library initializing, a regular expression compiled and cached, an import inside it), which threads (in the same process, after it) and processes (forked from it) did not pay again: their speedups as timed, 1.53× and 3.06×, count 100 ms in their favour; without it, about 0.94× and 1.88×, which the verdict goes by — a program of your own pays it once in every process, whichever pool it uses',
  );
  assert.deepEqual(warm.location, { file: '/x/f.py', line: 3 });
  // Timed, the thread pool's 1.53× hid the GIL; without the start-up it is 0.94×.
  assert.match(warnings.find((w) => w.kind === 'gil')?.message ?? '', /^threads: only 0\.94× with 2 threads/);
  assert.equal(verdict, "Process pool is 1.9× faster than sequential with 2 workers; threads gain nothing (0.9×): CPU-bound code under the GIL (speedups less the sequential run's first-call start-up of 100 ms, which the pools after it did not pay again).");
  assert.equal(threads.metrics.speedup, 260 / 170, 'the report keeps the timed speedup');

  // Not where the first input is simply the biggest (the pools took long over it too), nor where
  // every worker paid it in its own first call (JS workers, spawned processes), nor a first call
  // under twice the others.
  // Input #0 took 120 ms on worker 0 after a first call of 20; worker 1 ran the rest.
  const big = makeRun('processes', 2, 145, [[0, 20, 140, 120], [0, 0, 20, 20], ...Array.from({ length: 6 }, (_, i): [number, number, number, number] => [1, i * 20, i * 20 + 20, 20])]);
  // Each worker's first call (#1, #2) took 120 ms; input #0 came later, at the usual 20.
  const paid = makeRun('processes', 2, 200, [[0, 120, 140, 20], [0, 0, 120, 120], [1, 0, 120, 120], ...Array.from({ length: 5 }, (_, i): [number, number, number, number] => [1, 120 + i * 20, 140 + i * 20, 20])]);
  // A JS pool's workers warm up over several calls each: its own median is slow too, so each
  // worker's first call is judged against the sequential run's pace after its first.
  const warming = makeRun('processes', 2, 260, [[0, 80, 100, 20], [0, 0, 80, 80], [0, 100, 180, 80], [1, 0, 80, 80], [1, 80, 160, 80], [1, 160, 240, 80], [0, 180, 200, 20], [1, 240, 260, 20]]);
  const mild = makeRun('sequential', 1, 175, [[0, 0, 35, 35], ...Array.from({ length: 7 }, (_, i): [number, number, number, number] => [0, 35 + i * 20, 55 + i * 20, 20])]);
  // Nor a start-up under a millisecond: eight calls of 30 µs, the first 0.2 ms, a tenth of the run.
  const micro = makeRun('sequential', 1, 2, [[0, 0, 0.2, 0.2], ...Array.from({ length: 7 }, (_, i): [number, number, number, number] => [0, 0.2 + i * 0.03, 0.23 + i * 0.03, 0.03])]);
  const microThreads = makeRun('threads', 2, 1.5, Array.from({ length: 8 }, (_, i): [number, number, number, number] => [i % 2, i * 0.03, i * 0.03 + 0.03, 0.03]));
  for (const runs of [[sequential, big], [sequential, paid], [sequential, warming], [mild, processes], [micro, microThreads]]) {
    assert.ok(!analyze(runs, target, machine, []).warnings.some((w) => w.kind === 'warm-up'));
  }
});

test('a process pool slowed by moving big data: the overhead warning says how much, only where it is much a task', () => {
  const sequential = makeRun('sequential', 1, 80, Array.from({ length: 8 }, (_, i): [number, number, number] => [0, i * 10, i * 10 + 10]));
  const processes = (bytes: number, tasks = 8) => {
    const run = makeRun('processes', 2, 400, Array.from({ length: tasks }, (_, i): [number, number, number] => [i % 2, i * 20, i * 20 + 5]));
    for (const t of run.tasks) t.movedBytes = bytes;
    return run;
  };
  const overhead = (bytes: number, tasks?: number) => analyze([sequential, processes(bytes, tasks)], target, machine, []).warnings.find((w) => w.kind === 'overhead')?.message ?? '';
  assert.match(overhead(3 * 2 ** 20), /^processes: 0\.2× — slower than sequential: it moved 24 MB of inputs and results between processes \(3 MB a task, pickled and sent through a pipe\)/);
  // 12 MB in all, but 0.6 MB a task: not the story.
  assert.doesNotMatch(overhead(0.6 * 2 ** 20, 20), /it moved/);
});

test('I/O-bound threads (little CPU per task) get no GIL warning', () => {
  const io = (lanes: number): [number, number, number, number][] => Array.from({ length: 4 }, (_, i) => [i % lanes, 0, 100, 1]);
  const sequential = makeRun('sequential', 1, 400, io(1));
  const threads = makeRun('threads', 2, 390, io(2));
  const { warnings } = analyze([sequential, threads], target, machine, []);
  assert.equal(warnings.filter((w) => w.kind === 'gil').length, 0);
});

test('lost updates make a race warning with the count, and the verdict says it is not safe', () => {
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 400]], { counter: { expected: 10, observed: 10, lost: 0 } });
  const threads = makeRun('threads', 2, 200, [[0, 0, 200]], { counter: { expected: 1000, observed: 900, lost: 100 } });
  const { warnings, verdict } = analyze([sequential, threads], target, machine, [], 'def f(x):\n    counter.unsafe_add(1)\n');
  const race = warnings.find((w) => w.kind === 'race')!;
  assert.match(race.message, /threads: 100 of 1000 counter updates were lost \(10\.0%\)/);
  assert.deepEqual(race.location, { file: '/x/f.py', line: 2 });
  assert.match(verdict, /but it is not safe as is: it loses counter updates in threads\.$/);
});

test('pools slower than sequential on tiny tasks: stay sequential and batch', () => {
  const tiny = (lanes: number): [number, number, number][] => Array.from({ length: 8 }, (_, i) => [i % lanes, i, i + 0.1]);
  const { verdict, warnings } = analyze(
    [makeRun('sequential', 1, 10, tiny(1)), makeRun('threads', 2, 40, tiny(2)), makeRun('processes', 2, 90, tiny(2))],
    { ...target, language: 'typescript' },
    machine,
    [],
  );
  assert.match(verdict, /^Stay sequential: every pool is slower \(threads 0\.3×, processes 0\.1×\) because each call takes only 0\.1 ms/);
  assert.equal(warnings.filter((w) => w.kind === 'overhead').length, 2);
});

test('lock-order inversion between two tasks, but not within one consistent order', () => {
  const ev = (task: number, lock: string, kind: LockEvent['kind'], atMs: number, line: number): LockEvent => ({ lane: task, task, lock, kind, atMs, site: { file: '/x/f.ts', line } });
  const inverted = makeRun('sequential', 1, 10, [], {
    locks: [ev(0, 'a', 'request', 1, 3), ev(0, 'a', 'acquire', 1, 3), ev(0, 'b', 'request', 2, 4), ev(0, 'b', 'acquire', 2, 4), ev(0, 'b', 'release', 3, 5), ev(0, 'a', 'release', 3, 6),
      ev(1, 'b', 'request', 4, 8), ev(1, 'b', 'acquire', 4, 8), ev(1, 'a', 'request', 5, 9), ev(1, 'a', 'acquire', 5, 9), ev(1, 'a', 'release', 6, 10), ev(1, 'b', 'release', 6, 11)],
  });
  const [inversion, ...more] = findLockOrderInversions([inverted]);
  assert.deepEqual([inversion, more], [{ first: 'a', second: 'b', firstSite: { file: '/x/f.ts', line: 4 }, secondSite: { file: '/x/f.ts', line: 9 }, firstTask: 0, secondTask: 1 }, []]);
  assert.match(Warnings.lockOrder(inversion, 'typescript').message, /^potential deadlock: lock "a" then "b" at \/x\/f\.ts:4, but "b" then "a" at \/x\/f\.ts:9 — take locks in one global order everywhere$/);
  // One line taking both orders (a transfer from a to b and from b to a): the order is the input's.
  const oneLine = { ...inversion, secondSite: inversion.firstSite };
  assert.match(Warnings.lockOrder(oneLine, 'python').message, /^potential deadlock: the same code at \/x\/f\.ts:4 takes lock "a" then "b" for input #0, and "b" then "a" for input #1 — which lock comes first depends on the call's input, .*sort the two first \(by name or key; lock objects by id\(\)\)/);
  assert.match(Warnings.lockOrder(oneLine, 'typescript').message, /sort the two names first \(const \[one, two\] = \[a, b\]\.sort\(\)\)/);
  // A deadlock of two calls waiting at that one line: the same fix.
  const cycle = [{ lane: 0, task: 0, holds: 'a', waitsFor: 'b', waitAt: { file: '/x/f.py', line: 7 } }, { lane: 1, task: 1, holds: 'b', waitsFor: 'a', waitAt: { file: '/x/f.py', line: 7 } }];
  assert.match(Warnings.deadlock('threads', cycle, 'python').message, /both wait at the same line, which takes the locks in the order each call's input gives; take them in one order whatever the input: sort the two first/);
  assert.match(Warnings.deadlock('threads', [cycle[0], { ...cycle[1], waitAt: { file: '/x/f.py', line: 9 } }], 'python').message, /; take locks in one global order$/);
  const consistent = makeRun('sequential', 1, 10, [], { locks: inverted.locks.slice(0, 6).concat(inverted.locks.slice(0, 6).map((e) => ({ ...e, task: 1, lane: 1 }))) });
  assert.deepEqual(findLockOrderInversions([consistent]), []);
});

test('the wait-for graph confirms a cycle only when it persists', () => {
  const d = new DeadlockDetector();
  const ev = (lane: number, lock: string, kind: LockEvent['kind']): LockEvent => ({ lane, task: lane + 10, lock, kind, atMs: 0, site: { file: '/f.ts', line: lane } });
  d.onLock(ev(0, 'a', 'request'));
  d.onLock(ev(0, 'a', 'acquire'));
  d.onLock(ev(1, 'b', 'request'));
  d.onLock(ev(1, 'b', 'acquire'));
  d.onLock(ev(0, 'b', 'request'));
  assert.equal(d.check(), undefined, 'no cycle yet');
  d.onLock(ev(1, 'a', 'request'));
  assert.equal(d.check(), undefined, 'first sighting is not trusted');
  const cycle = d.check()!;
  assert.deepEqual(cycle.map((m) => [m.lane, m.task, m.holds, m.waitsFor]).sort(), [[0, 10, 'a', 'b'], [1, 11, 'b', 'a']]);
  // A cycle that resolves before the second check is no deadlock.
  const e = new DeadlockDetector();
  for (const x of [ev(0, 'a', 'request'), ev(0, 'a', 'acquire'), ev(1, 'b', 'request'), ev(1, 'b', 'acquire'), ev(0, 'b', 'request'), ev(1, 'a', 'request')]) e.onLock(x);
  assert.equal(e.check(), undefined);
  e.onLock(ev(1, 'b', 'release'));
  e.onLock(ev(0, 'b', 'acquire'));
  assert.equal(e.check(), undefined);
});

test('a busy machine: a busy-machine warning per strategy, the super-linear efficiency explained, the verdict hedged', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  // Something else ran during the sequential run, which made the threads look super-linear.
  const sequential = makeRun('sequential', 1, 900, [[0, 0, 450], [0, 450, 900]], { otherLoad: 0.35 });
  const threads = makeRun('threads', 2, 300, [[0, 0, 300], [1, 0, 300]], { otherLoad: 0.06 });
  const processes = makeRun('processes', 2, 1200, [[0, 0, 1200], [1, 0, 1200]], { otherLoad: 0.02 });
  const { warnings, verdict } = analyze([sequential, threads, processes], js, machine, []);
  const busy = warnings.filter((w) => w.kind === 'busy-machine');
  assert.equal(busy.length, 1);
  assert.match(busy[0].message, /at least 35% of its CPU time during sequential, 6% during threads —/);
  assert.doesNotMatch(busy[0].message, /during processes/, 'below half the threshold, a run is not listed');
  assert.match(busy[0].message, /threads shows 150% efficiency/);
  assert.match(verdict, /Thread pool is 3\.0× faster.*\(measured while other programs kept the machine busy: profile again to confirm\)\.$/);
  // The process pool's slowness is put down to the load on the sequential run it is compared with.
  const overhead = warnings.find((w) => w.kind === 'overhead' && w.strategy === 'processes');
  assert.match(overhead?.message ?? '', /other programs took at least 35% of the machine's CPU time during this run/);
});

test('a quiet machine, or one where the load cannot be measured, gets no busy-machine warning', () => {
  for (const load of [0.09, undefined]) {
    const sequential = makeRun('sequential', 1, 400, [[0, 0, 200], [0, 200, 400]], { otherLoad: load });
    const threads = makeRun('threads', 2, 210, [[0, 0, 200], [1, 0, 200]], { otherLoad: load });
    const { warnings, verdict } = analyze([sequential, threads], target, machine, []);
    assert.ok(!warnings.some((w) => w.kind === 'busy-machine'), `load ${load}`);
    assert.doesNotMatch(verdict, /busy/);
  }
});

test('pools that barely pay or lose on a busy machine: the verdict puts it down to the machine, not the code', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 200], [0, 200, 400]], { otherLoad: 0.4 });
  const barely = analyze([sequential, makeRun('threads', 2, 380, [[0, 0, 380], [1, 0, 380]], { otherLoad: 0.4 })], js, machine, []).verdict;
  assert.match(barely, /^Parallelism barely pays: the best, the thread pool, reaches 1\.1×; other programs kept the machine busy during the runs, so it may not be the code — profile again when it is quiet\.$/);
  const slower = analyze([sequential, makeRun('threads', 2, 600, [[0, 0, 600], [1, 0, 600]], { otherLoad: 0.4 })], js, machine, []).verdict;
  assert.match(slower, /^Stay sequential: every pool is slower \(threads 0\.7×\) — other programs kept the machine busy during the runs, so it may not be the code — profile again when it is quiet\.$/);
  assert.doesNotMatch(slower, /wait on each other|\(measured while/);
});

test('a little load cannot explain a pool many times slower: the warning and the verdict blame what the workers share, and only hedge', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  // bank.ts's depositUnsafely: every call hammers the shared counter; 11% other load during processes.
  const sequential = makeRun('sequential', 1, 130, [[0, 70, 100], [0, 100, 130]]);
  const threads = makeRun('threads', 2, 173, [[0, 110, 170], [1, 110, 173]], { counter: { expected: 2, observed: 1, lost: 1 } });
  const processes = makeRun('processes', 2, 2161, [[0, 200, 2100], [1, 200, 2161]], { otherLoad: 0.11, counter: { expected: 2, observed: 1, lost: 1 } });
  const { warnings, verdict } = analyze([sequential, threads, processes], js, machine, []);
  const overhead = warnings.find((w) => w.kind === 'overhead' && w.strategy === 'processes');
  assert.equal(overhead?.message, 'processes: 0.06× — slower than sequential: the workers contend for what they share (the shared counter; memory bandwidth); see the timeline');
  assert.ok(warnings.some((w) => w.kind === 'busy-machine'), 'the load is still told');
  assert.match(verdict, /^Stay sequential: every pool is slower \(threads 0\.8×, processes 0\.06×\) — the workers wait on each other or on what they share \(the shared counter\); see the timeline; but it is not safe as is: .* \(measured while other programs kept the machine busy: profile again to confirm\)\.$/);
  // The same load beside a pool only a little slower is still put down to the machine.
  const near = makeRun('processes', 2, 170, [[0, 20, 160], [1, 20, 170]], { otherLoad: 0.11 });
  assert.match(analyze([sequential, near], js, machine, []).warnings.find((w) => w.kind === 'overhead')?.message ?? '', /other programs took at least 11% of the machine's CPU time during this run/);
});

test('a pool just ahead whose calls, once started, ran well ahead: the verdict says start-up decides, not that the work does not spread', () => {
  const js = { file: '/x/f.ts', name: 'fib', language: 'typescript' as const };
  // fib(27) eight times: the sequential worker starts in 40 ms and runs the calls in 36; the thread
  // pool's two start in 52 and run them in 24.
  const sequential = makeRun('sequential', 1, 80, Array.from({ length: 8 }, (_, i): [number, number, number] => [0, 40 + i * 4.5, 44.5 + i * 4.5]));
  const threads = makeRun('threads', 2, 77, Array.from({ length: 8 }, (_, i): [number, number, number] => [i % 2, 52 + Math.floor(i / 2) * 6, 58 + Math.floor(i / 2) * 6]));
  assert.equal(
    analyze([sequential, threads], js, machine, []).verdict,
    "Parallelism barely pays: the best, the thread pool, reaches 1.04×; start-up decides a run this short: its workers took 52 ms to start, 68% of its 77 ms, and once started its calls ran 1.5× faster than the sequential run's — a pool pays where the work is well beyond its start-up (more inputs, or bigger ones).",
  );
  // A pool that pays, held back from more by its start-up: said beside its speedup.
  const even = makeRun('sequential', 1, 88, Array.from({ length: 8 }, (_, i): [number, number, number] => [0, 40 + i * 6, 46 + i * 6]));
  const quicker = makeRun('threads', 2, 60, Array.from({ length: 8 }, (_, i): [number, number, number] => [i % 2, 36 + Math.floor(i / 2) * 6, 42 + Math.floor(i / 2) * 6]));
  assert.equal(
    analyze([even, quicker], js, machine, []).verdict,
    'Thread pool is 1.5× faster than sequential with 2 workers; the thread pool\'s workers took 36 ms to start, 60% of its 60 ms, and once started its calls ran 2.0× faster, which more work per run approaches.',
  );
  // Beside it, a process pool slower than sequential for its start-up alone: said so.
  const slowStart = makeRun('processes', 2, 100, Array.from({ length: 8 }, (_, i): [number, number, number] => [i % 2, 76 + Math.floor(i / 2) * 6, 82 + Math.floor(i / 2) * 6]));
  assert.equal(
    analyze([even, quicker, slowStart], js, machine, []).verdict,
    'Thread pool is 1.5× faster than sequential with 2 workers; the process pool is slower than sequential (0.9×), its workers taking 76 ms to start, 76% of its 100 ms; the thread pool\'s workers took 36 ms to start, 60% of its 60 ms, and once started its calls ran 2.0× faster, which more work per run approaches.',
  );
  // Calls that ran no faster once started: start-up is not what held the pool back.
  const level = makeRun('threads', 2, 77, Array.from({ length: 8 }, (_, i): [number, number, number] => [i % 2, 41 + Math.floor(i / 2) * 9, 50 + Math.floor(i / 2) * 9]));
  assert.doesNotMatch(analyze([sequential, level], js, machine, []).verdict, /start-up decides/);
});

test('pools of one worker: the verdict says no parallelism is in their times, and the overhead warning why the pool is slower', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const calls = (start: number): [number, number, number][] => Array.from({ length: 8 }, (_, i) => [0, start + i * 10, start + i * 10 + 10]);
  const sequential = makeRun('sequential', 1, 120, calls(40));
  // One thread: a little ahead of the sequential run, by its warm-up; one process: its start-up.
  const threads = makeRun('threads', 1, 100, calls(20));
  const processes = makeRun('processes', 1, 170, calls(90));
  const { warnings, verdict } = analyze([sequential, threads, processes], js, machine, []);
  assert.equal(verdict, "With one worker a pool runs the calls one at a time, as the sequential run does: the pools' times (threads 1.2×, processes 0.7×) show only their own start-up and overhead, and timing noise — profile with more workers (--workers 2 or more) to see whether parallelism pays.");
  assert.equal(warnings.find((w) => w.kind === 'overhead')?.message, 'processes: 0.71× — slower than sequential: with one worker the pool runs the calls one at a time, as the sequential run does, and adds its start-up and the moving of inputs and results — profile it with more workers (--workers 2 or more)');
});

test('every pool slower, threads under the GIL: the verdict says so, not that starting the workers cost more', () => {
  // Eight CPU-bound calls of 3 ms: threads take turns at the GIL and lose a little; processes start up.
  const spans = (lanes: number, gap: number) => Array.from({ length: 8 }, (_, i): [number, number, number, number] => [i % lanes, gap + i * 3, gap + i * 3 + 3, 3]);
  const sequential = makeRun('sequential', 1, 26, spans(1, 2));
  const threads = makeRun('threads', 2, 29, spans(2, 3));
  const { warnings, verdict } = analyze([sequential, threads], target, machine, []);
  assert.ok(warnings.some((w) => w.kind === 'gil'), warnings.map((w) => w.message).join('\n'));
  assert.equal(verdict, 'Stay sequential: every pool is slower (threads 0.9×) — threads are held back by the GIL (CPU-bound code under it runs one thread at a time); profile a process pool beside them.');
  const processes = makeRun('processes', 2, 60, Array.from({ length: 8 }, (_, i): [number, number, number, number] => [i % 2, 40 + Math.floor(i / 2) * 3, 43 + Math.floor(i / 2) * 3, 3]));
  assert.match(analyze([sequential, threads, processes], target, machine, []).verdict, /^Stay sequential: every pool is slower \(threads 0\.9×, processes 0\.4×\) — threads are held back by the GIL, and the process pool's start-up and the moving of inputs and results cost more than it saves on this much work; see the timeline\.$/);
  // A process pool whose workers share something (a Value they all update under its lock): that is
  // what it lost on, not its start-up.
  const sharing = { ...processes, counter: { expected: 8, observed: 8, lost: 0 } };
  assert.match(analyze([sequential, threads, sharing], target, machine, []).verdict, /— threads are held back by the GIL, and the process pool's workers wait on each other or on what they share \(the shared counter\); see the timeline\.$/);
});

test('pools that lose with calls of a few ms: the verdict blames locks and the counter only where the runs used them', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const sequential = makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]]);
  const slow = () => makeRun('threads', 2, 60, [[0, 40, 50], [1, 40, 50]]);
  const plain = analyze([sequential, slow()], js, machine, []).verdict;
  assert.match(plain, /^Stay sequential: every pool is slower \(threads 0\.3×\) — starting the workers and moving inputs and results to and from them cost more than the pool saves; see the timeline\.$/);
  const sharing = slow();
  sharing.counter = { expected: 2, observed: 2, lost: 0 };
  assert.match(analyze([sequential, sharing], js, machine, []).verdict, /— the workers wait on each other or on what they share \(the shared counter\); see the timeline\.$/);
  // Named as used: locks, and a Value of the user's own that the calls changed.
  const locking = slow();
  locking.locks = [{ lane: 0, task: 0, lock: 'a', kind: 'acquire', atMs: 41 }];
  locking.sharedValues = [{ name: 'hits', kind: 'value', change: 2 }, { name: 'idle', kind: 'value', change: 0 }, { name: 'calls', kind: 'global', change: 2 }];
  assert.match(analyze([sequential, locking], js, machine, []).verdict, /— the workers wait on each other or on what they share \(locks, hits\); see the timeline\.$/);
});

test('pools slowed by printing: the overhead warning and the verdict say so, and name locks only where the runs used them', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 200], [0, 200, 400]], { outputLines: 40_000 });
  const chatty = makeRun('threads', 2, 900, [[0, 100, 900], [1, 100, 900]], { outputLines: 40_000 });
  const { warnings, verdict } = analyze([sequential, chatty], js, machine, []);
  const overhead = warnings.find((w) => w.kind === 'overhead');
  assert.equal(overhead?.message, 'threads: 0.44× — slower than sequential: the calls printed about 40,000 lines, and the workers take turns at the one output stream they share — print less in the function, or gather what to print and print it once');
  assert.match(verdict, /^Stay sequential: every pool is slower \(threads 0\.4×\) — the calls printed about 40,000 lines, and the workers take turns at the one output stream they share; print less in the function\.$/);
  // A line now and then is not the cause; idle workers without locks or a counter wait on moving data.
  const idle = makeRun('threads', 2, 900, [[0, 700, 900], [1, 700, 900]], { outputLines: 2 });
  const quiet = analyze([sequential, idle], js, machine, []).warnings.find((w) => w.kind === 'overhead');
  assert.match(quiet?.message ?? '', /busy only 22% of the time — start-up, or moving inputs and results; see the timeline$/);
  // More workers than inputs: the spare ones only start up.
  const crowded = makeRun('threads', 8, 900, [[0, 700, 900], [1, 700, 900]]);
  const spare = analyze([sequential, crowded], js, machine, []).warnings.find((w) => w.kind === 'overhead');
  assert.match(spare?.message ?? '', /slower than sequential: 8 workers for 2 inputs: 6 of them start up and never get a task — use at most 2 workers, or give it more inputs$/);
  const single = makeRun('sequential', 1, 400, [[0, 0, 400]]);
  const lonely = analyze([single, makeRun('processes', 2, 900, [[0, 500, 900]])], js, machine, []).warnings.find((w) => w.kind === 'overhead');
  assert.match(lonely?.message ?? '', /slower than sequential: 2 workers for 1 input: 1 of them starts up and never gets a task — use at most 1 worker, or give it more inputs$/);
  // Busy but slower side by side, with nothing shared: contention the code does not show.
  const contended = makeRun('threads', 2, 900, [[0, 0, 900], [1, 0, 900]]);
  const contention = analyze([sequential, contended], js, machine, []).warnings.find((w) => w.kind === 'overhead');
  assert.match(contention?.message ?? '', /slower side by side than alone — they contend for the CPUs, memory bandwidth or caches \(a library that starts threads of its own does this\)/);
});

test('calls of a few microseconds are told in µs, never as "0.00 ms", and are the reason given even on a busy machine', () => {
  // 2000 calls of 1.7 µs: 3.4 ms in all, and pools far slower.
  const micro = (lanes: number): [number, number, number][] => Array.from({ length: 2000 }, (_, i) => [i % lanes, 1 + i * 0.002, 1.0017 + i * 0.002]);
  const { verdict, warnings } = analyze([makeRun('sequential', 1, 6, micro(1)), makeRun('threads', 2, 120, micro(2))], { ...target, language: 'typescript' }, machine, []);
  assert.match(verdict, /^Stay sequential: every pool is slower \(threads 0\.05×\) because each call takes only 1\.7 µs — batch/);
  assert.match(warnings.find((w) => w.kind === 'overhead')?.message ?? '', /each task takes only 1\.7 µs, so start-up and messaging cost more than the work/);
  // Calls shorter than the spans' whole microseconds last 0.
  const instant = (lanes: number): [number, number, number][] => Array.from({ length: 2000 }, (_, i) => [i % lanes, 1 + i * 0.002, 1 + i * 0.002]);
  const zero = analyze([makeRun('sequential', 1, 6, instant(1)), makeRun('threads', 2, 120, instant(2))], { ...target, language: 'typescript' }, machine, []);
  assert.match(zero.verdict, /because each call takes only a fraction of a µs — batch/);
  // Half the machine taken by other programs does not explain that: no pool pays for such calls.
  const busy = analyze([makeRun('sequential', 1, 6, micro(1), { otherLoad: 0.5 }), makeRun('threads', 2, 120, micro(2), { otherLoad: 0.5 })], { ...target, language: 'typescript' }, machine, []);
  assert.match(busy.warnings.find((w) => w.kind === 'overhead')?.message ?? '', /each task takes only 1\.7 µs/);
  assert.match(busy.verdict, /because each call takes only 1\.7 µs — batch several inputs per task before parallelizing \(measured while other programs kept the machine busy: profile again to confirm\)\.$/);
});

test('a job of a few ms in all: a pool that looks faster is start-up and noise, and the verdict says so rather than "2× faster"', () => {
  // Python: 8 calls of 0.03 ms; the sequential run's wall is mostly its fixed costs.
  const sequential = makeRun('sequential', 1, 6, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [0, 1 + i * 0.1, 1.03 + i * 0.1] as [number, number, number]));
  const threads = makeRun('threads', 2, 3, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i % 2, 0.5 + i * 0.1, 0.53 + i * 0.1] as [number, number, number]));
  const processes = makeRun('processes', 2, 27, [[0, 15, 15.1], [1, 20, 20.1]]);
  assert.equal(
    analyze([sequential, threads, processes], target, machine, []).verdict,
    "Not worth parallelizing yet: the 8 calls take 0.24 ms in all (30 µs a call, median), so the pools' times (threads 2.0×, processes 0.2×) are mostly start-up and timing noise — profile more inputs, or bigger ones, to see whether a pool pays.",
  );
  // One call: its time is the whole job, said once.
  const once = makeRun('sequential', 1, 6, [[0, 1, 1.11]]);
  assert.match(analyze([once, makeRun('threads', 2, 6.1, [[0, 1, 1.11]])], target, machine, []).verdict, /^Not worth parallelizing yet: the 1 call takes 0\.11 ms in all, so the pools' times \(threads 0\.98×\)/);
  // Pools that lose on such a job keep their advice: batch.
  const slow = makeRun('threads', 2, 60, [[0, 50, 50.03], [1, 55, 55.03]]);
  assert.match(analyze([sequential, slow], target, machine, []).verdict, /^Stay sequential: every pool is slower \(threads 0\.1×\) because each call takes only 30 µs — batch several inputs per task/);
});

test('only sequential ran: the verdict gives its time and how to compare, not a missing baseline', () => {
  const sequential = makeRun('sequential', 1, 70.4, [[0, 10, 40], [0, 40, 70.4]]);
  assert.equal(analyze([sequential], target, machine, []).verdict, 'Only sequential ran: 2 calls in 70 ms (30 ms a call, median) — profile a thread or process pool beside it to see whether parallelism pays.');
  const threads = makeRun('threads', 2, 40, [[0, 0, 30], [1, 0, 30]]);
  assert.match(analyze([threads], target, machine, []).verdict, /^f ran without a sequential baseline to compare with\.$/);
});

test('more workers than CPUs on CPU-bound calls: the verdict and the overhead warning say to use as many as the CPUs', () => {
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  // 12 CPU-bound calls of 100 ms on a 2-CPU machine.
  const busy = (lanes: number, stretch: number) =>
    Array.from({ length: 12 }, (_, i): [number, number, number, number] => [i % lanes, 0, 100 * stretch, 100]);
  const sequential = makeRun('sequential', 1, 1200, Array.from({ length: 12 }, (_, i): [number, number, number, number] => [0, 100 * i, 100 * i + 100, 100]));
  const threads = makeRun('threads', 6, 1050, busy(6, 3));
  const processes = makeRun('processes', 6, 1500, busy(6, 4));
  const { warnings, verdict } = analyze([sequential, threads, processes], js, machine, []);
  assert.match(verdict, /^Parallelism barely pays: the best, the thread pool, reaches 1\.1×; 6 workers on 2 CPUs: CPU-bound calls run at most 2 at a time, and starting the other workers takes CPU from them — use 2 workers\.$/);
  const overhead = warnings.find((w) => w.kind === 'overhead' && w.strategy === 'processes');
  assert.match(overhead?.message ?? '', /0\.8× — slower than sequential: 6 workers on 2 CPUs: CPU-bound calls run at most 2 at a time/);
  // Calls that mostly wait are another matter: more workers than CPUs is the advice there.
  const waiting = (run: Run) => ({ ...run, tasks: run.tasks.map((t) => ({ ...t, cpuMs: 1 })) });
  const [s2, t2] = [sequential, threads].map(waiting);
  s2.metrics = computeMetrics(s2, null);
  assert.doesNotMatch(analyze([s2, t2], js, machine, []).verdict, /workers on 2 CPUs/);
});

test('calls that mostly wait: the verdict says more workers would overlap more waits, or Promise.all for an async JS function', () => {
  // 8 calls of 100 ms wall and 2 ms CPU each; two workers run them at 4×… of 2 possible: fully busy.
  const waits = (lanes: number) => Array.from({ length: 8 }, (_, i): [number, number, number, number] => [i % lanes, 100 * Math.floor(i / lanes), 100 * Math.floor(i / lanes) + 100, 2]);
  const sequential = makeRun('sequential', 1, 800, waits(1));
  const threads = makeRun('threads', 2, 400, waits(2));
  const py = analyze([sequential, threads], target, machine, []).verdict;
  assert.match(py, /^Thread pool is 2\.0× faster than sequential with 2 workers; the calls mostly wait \(CPU 2% of their time\), so threads overlap the waits despite the GIL, and more workers than CPUs overlap more of them — try 8 workers\.$/);
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const asyncSource = 'import x from "y";\nexport const f = async (id: number) => {\n  await fetch(String(id));\n};\n';
  assert.match(analyze([sequential, threads], js, machine, [], asyncSource).verdict, /; the calls mostly wait \(CPU 2% of their time\): an async function gains more from running them all at once in one event loop \(Promise\.all over the inputs\) than from a pool, whose workers run one call each at a time\.$/);
  assert.match(analyze([sequential, threads], js, machine, [], 'export function f(id) {\n  blockingRead(id);\n}\n').verdict, /more workers than CPUs overlap more of them — try 8 workers\.$/);
  // No advice where it cannot help: CPU-bound calls, as many workers as inputs, a pool that does not scale.
  const cpuBound = (lanes: number) => waits(lanes).map(([l, s, e]): [number, number, number, number] => [l, s, e, 95]);
  assert.doesNotMatch(analyze([makeRun('sequential', 1, 800, cpuBound(1)), makeRun('threads', 2, 400, cpuBound(2))], target, machine, []).verdict, /mostly wait/);
  assert.doesNotMatch(analyze([sequential, makeRun('threads', 8, 100, waits(8))], target, machine, []).verdict, /mostly wait/);
  assert.doesNotMatch(analyze([sequential, makeRun('threads', 2, 900, waits(2))], target, machine, []).verdict, /mostly wait/);
});

test('a speedup near 1 keeps two decimals, so a slower pool does not read "1.0×"', () => {
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 200], [0, 200, 400]]);
  const threads = makeRun('threads', 2, 200, [[0, 0, 200], [1, 0, 200]]);
  const processes = makeRun('processes', 2, 412, [[0, 12, 412], [1, 12, 412]]);
  assert.match(analyze([sequential, threads, processes], target, machine, []).verdict, /; the process pool is slower than sequential \(0\.97×\)/);
});

test('stuck runs: the verdict names each kind of trouble with the first place it was seen at, and the strategies as a list', () => {
  const sequential = makeRun('sequential', 1, 100, [[0, 0, 100]]);
  const at = { file: '/home/me/my project/work.ts', line: 4 };
  const crash = (strategy: StrategyName, location?: typeof at) => ({ kind: 'crash' as const, strategy, message: `${strategy}: input #2 …`, location });
  const crashes = verdictOf([sequential], [crash('sequential'), crash('threads', at), crash('processes', at)], target);
  assert.equal(crashes, 'f crashes workers at work.ts:4 in sequential, threads and processes — fix that first (see the warnings); its timings are not meaningful until then.');
  const hang = { kind: 'hang' as const, strategy: 'processes' as const, message: 'processes: no task finished …' };
  assert.match(verdictOf([sequential], [crash('threads', at), hang], target), /^f crashes workers at work\.ts:4 and hangs in threads and processes — /);
});

test('your own shared numbers: lost against the sequential change, own copies, rounding, repeats and failed calls', () => {
  const value = (name: string, change: number, extra: Partial<SharedValueChange> = {}): SharedValueChange => ({ name, kind: 'value', change, ...extra });
  const run = (strategy: StrategyName, repeat: number, values: SharedValueChange[], status: TaskSpan['status'] = 'ok') => {
    const made = makeRun(strategy, 2, 100, [[0, 0, 50], [1, 0, 50]], { repeat, sharedValues: values });
    made.tasks[1].status = status;
    return made;
  };
  const runs = [
    run('sequential', 0, [value('hits', 1000), value('left', -40), value('sum', 0.1 + 0.2 + 0.3), value('calls', 8, { kind: 'global' }), value('timings', 0.5, { kind: 'dict', storesOnly: true })]),
    run('threads', 0, [value('hits', 700), value('left', -30), value('sum', 0.3 + 0.2 + 0.1), value('calls', 8, { kind: 'global' }), value('timings', 0.3, { kind: 'dict', storesOnly: true })]),
    run('processes', 0, [value('hits', 1000), value('left', -40), value('sum', 0.6), value('calls', 0, { kind: 'global', ownCopies: true })]),
    run('sequential', 1, [value('hits', 1000)]),
    run('threads', 1, [value('hits', 1000)]),
    // A failed call may have left its update out: not compared.
    run('processes', 1, [value('hits', 10)], 'error'),
  ];
  const warnings = sharedValueWarnings(runs);
  const about = (strategy: StrategyName, name: string) => warnings.filter((w) => w.strategy === strategy && w.shared === name);
  assert.equal(runs[1].sharedValues![0].lost, 300);
  assert.equal(runs[1].sharedValues![1].lost, 10);
  assert.equal(runs[1].sharedValues![2].lost, undefined, 'a float sum in another order loses nothing');
  assert.match(about('threads', 'hits')[0].message, /changed it by 700, where the sequential run changed it by 1,000 \(30\.0% lost\)/);
  assert.deepEqual(about('threads', 'hits')[0].seenIn, { repeats: 1, of: 2 });
  assert.equal(about('threads', 'left')[0].kind, 'race');
  assert.equal(about('processes', 'calls')[0].kind, 'divergence');
  assert.equal(about('processes', 'hits').length, 0);
  assert.equal(about('threads', 'timings').length, 0, 'a dict only stored into loses nothing to a race: its numbers just differ');
  assert.equal(lostUpdates(runs[1]), 310);
  assert.deepEqual(sharedValueWarnings(runs.filter((r) => r.strategy !== 'sequential')), [], 'no sequential run: nothing to compare with');
});

test('lock orders go by the code\'s lock names: two worker processes\' copies of a Python threading lock are one name', () => {
  const ev = (lane: number, task: number, lock: string, kind: LockEvent['kind'], atMs: number): LockEvent => ({ lane, task, lock, kind, atMs });
  const run = makeRun('processes', 2, 10, [[0, 0, 5], [1, 0, 5]], {
    locks: [
      ev(0, 0, 'a in process 11', 'acquire', 1),
      ev(0, 0, 'b in process 11', 'request', 2),
      ev(0, 0, 'b in process 11', 'acquire', 2),
      ev(1, 1, 'b in process 12', 'acquire', 1),
      ev(1, 1, 'a in process 12', 'request', 2),
      ev(1, 1, 'a in process 12', 'acquire', 2),
    ],
  });
  assert.deepEqual(
    findLockOrderInversions([run]).map((i) => [i.first, i.second]),
    [['a', 'b']],
  );
});

test('a list of your own that a process pool\'s workers each changed: warned of where the calls return nothing (their output is in it) or it is a tally', () => {
  // As the harness tells them: `results.append(x)` only stores; `results[i] += 1` reads it back.
  const list = (change: number, storesOnly: boolean, ownCopies = false): SharedValueChange => ({
    name: 'results',
    kind: 'list',
    change,
    ...(storesOnly ? { storesOnly } : {}),
    ...(ownCopies ? { ownCopies } : {}),
  });
  const runsReturning = (digest: string, storesOnly = true) => {
    const sequential = makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]], { sharedValues: [list(2, storesOnly)] });
    const processes = makeRun('processes', 2, 20, [[0, 0, 10], [1, 0, 10]], { sharedValues: [list(0, storesOnly, true)] });
    for (const r of [sequential, processes]) for (const t of r.tasks) t.digest = digest;
    return [sequential, processes];
  };
  const kept = sharedValueWarnings(runsReturning('N:None'));
  assert.deepEqual(kept.map((w) => [w.kind, w.strategy, w.shared]), [['divergence', 'processes', 'results']]);
  assert.match(kept[0].message, /where the sequential run changed its length by 2/);
  assert.deepEqual(sharedValueWarnings(runsReturning('u:undefined')).length, 1, 'JS calls that return nothing');
  assert.deepEqual(sharedValueWarnings(runsReturning('i:4')), [], 'a memo cache or a log: the calls return their values');
  assert.deepEqual(sharedValueWarnings(runsReturning('i:4', false)).length, 1, 'a tally beside the values the calls return');
});

test('a cache the calls store into beside the values they return, filled again by each pool worker: an overhead warning, not for a log', () => {
  const kept = (name: string, change: number, copies?: number[]): SharedValueChange => ({
    name,
    kind: 'dict',
    change,
    storesOnly: true,
    ...(copies ? { copies, ownCopies: true } : {}),
  });
  const runs = (copies: number[]) => {
    const sequential = makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]], { sharedValues: [kept('cache', 70)] });
    const threads = makeRun('threads', 2, 20, [[0, 0, 10], [1, 0, 10]], { sharedValues: [kept('cache', Math.max(...copies), copies)] });
    for (const r of [sequential, threads]) for (const t of r.tasks) t.digest = 'n:4';
    return [sequential, threads];
  };
  const redone = sharedValueWarnings(runs([60, 58]), 'javascript');
  assert.deepEqual(redone.map((w) => [w.kind, w.strategy, w.shared]), [['overhead', 'threads', 'cache']]);
  assert.match(redone[0].message, /the sum of their values grew by 60 and 58, 118 together, where the sequential run's one copy grew by 70/);
  assert.deepEqual(sharedValueWarnings(runs([36, 34]), 'javascript'), [], 'a log: each call stored once, in one copy or the other');
});

test('a JS module variable each pool worker had a copy of: warned of where the copies add up to the sequential change, not for scratch space', () => {
  const total = (change: number, copies?: number[]): SharedValueChange => ({ name: 'total', kind: 'global', change, ...(copies ? { copies, ownCopies: true } : {}) });
  const runs = (copies: number[]) => [
    makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]], { sharedValues: [total(10)] }),
    makeRun('threads', 2, 20, [[0, 0, 10], [1, 0, 10]], { sharedValues: [total(Math.max(...copies), copies)] }),
  ];
  const split = sharedValueWarnings(runs([6, 4]), 'javascript');
  assert.deepEqual(split.map((w) => [w.kind, w.strategy, w.shared]), [['divergence', 'threads', 'total']]);
  assert.match(split[0].message, /changed by 6 and 4 in the 2 copies, where the sequential run's one copy changed by 10/);
  assert.deepEqual(sharedValueWarnings(runs([6, 7]), 'javascript'), [], 'each call sets it afresh: scratch space');
  assert.deepEqual(sharedValueWarnings(runs([10, 0]), 'javascript'), [], 'one worker ran every call');
});

test('lock contention: calls that take turns at a lock held around their work are told so with Amdahl\'s cap; brief holds and hot locks\' later uses are not', () => {
  const site = { file: '/x/f.ts', line: 7 };
  // Four calls of 10 ms work each on two workers, each call holding the lock for `held` ms of it.
  const turns = (held: number): Run => {
    const spans: [number, number, number][] = [];
    const locks: LockEvent[] = [];
    let free = 0;
    for (let i = 0; i < 4; i++) {
      const lane = i % 2;
      const start = Math.floor(i / 2) * (10 + held);
      spans.push([lane, start, 0]);
      const asked = start + 10 - held;
      const got = Math.max(asked, free);
      free = got + held;
      spans[i][2] = free;
      locks.push({ lane, task: i, lock: 'results', kind: 'request', atMs: asked, site }, { lane, task: i, lock: 'results', kind: 'acquire', atMs: got, site }, { lane, task: i, lock: 'results', kind: 'release', atMs: free, site });
    }
    return makeRun('threads', 2, free, spans, { locks });
  };
  const whole = lockContention(turns(10))!;
  assert.equal(whole.lock, 'results');
  assert.deepEqual(whole.site, site);
  assert.ok(whole.waitShare > 0.3 && whole.waitShare < 0.5, `${whole.waitShare}`);
  assert.equal(whole.heldShare, 1);
  assert.equal(lockContention(turns(1)), undefined, 'a brief hold: the calls hardly wait');
  const warning = Warnings.contention('threads', whole);
  assert.equal(warning.kind, 'contention');
  assert.match(warning.message, /^threads: the calls spent \d+% of their time waiting for lock "results" at \/x\/f\.ts:7 — they do 100% of their work holding it, .* at most 1\.0× faster than sequential \(Amdahl's law\); hold the lock only around the update it guards/);
  const sequential = makeRun('sequential', 1, 40, [[0, 0, 10], [0, 10, 20], [0, 20, 30], [0, 30, 40]]);
  const { warnings, verdict } = analyze([sequential, turns(10)], { ...target, language: 'typescript', file: '/x/f.ts' }, machine, []);
  assert.ok(warnings.some((w) => w.kind === 'contention' && w.strategy === 'threads'), warnings.map((w) => w.message).join('\n'));
  assert.match(verdict, /its calls spend \d+% of their time waiting for lock "results" \(f\.ts:7\) — hold it only around the update it guards\.$/);
  // A loop taking the lock per item: the fix is to take it less often. Past a lock's first
  // thousand uses in a worker, only long waits are told: they are no fair sample and are left out.
  const loop = (uses: number, waitMs: number): Run => {
    const locks: LockEvent[] = [];
    for (let lane = 0; lane < 2; lane++) {
      for (let k = 0; k < uses; k++) {
        const at = k * 0.1;
        locks.push({ lane, task: lane, lock: 'total', kind: 'request', atMs: at, site }, { lane, task: lane, lock: 'total', kind: 'acquire', atMs: at + waitMs, site }, { lane, task: lane, lock: 'total', kind: 'release', atMs: at + waitMs + 0.005, site });
      }
      // A told long wait after the lock went hot.
      locks.push({ lane, task: lane, lock: 'total', kind: 'request', atMs: 150, site }, { lane, task: lane, lock: 'total', kind: 'acquire', atMs: 190, site });
    }
    return makeRun('threads', 2, 200, [[0, 0, 200], [1, 0, 200]], { locks });
  };
  const many = lockContention(loop(1000, 0.05))!;
  assert.equal(many.usesPerCall, 1000);
  assert.equal(many.usesCut, true);
  assert.ok(Math.abs(many.waitShare - 0.25) < 1e-9, `${many.waitShare}: the long waits past the first thousand uses are not counted`);
  assert.match(Warnings.contention('threads', many).message, /each call takes it 1,000 times or more, .*take it once per call \(add up in a local variable/);
  assert.equal(lockContention(loop(1000, 0.01)), undefined);
  // Workers that told their hot uses in all (JS): every wait counts, and every call of theirs, so a
  // sample of first uses made before the other worker started is not the whole story.
  const early = loop(1000, 0);
  early.hotLocks = [{ lane: 0, lock: 'total', uses: 99_000, waitMs: 60 }, { lane: 1, lock: 'total', uses: 99_000, waitMs: 60 }];
  const allTold = lockContention(early)!;
  assert.ok(Math.abs(allTold.waitShare - (2 * 40 + 2 * 60) / 400) < 1e-9, `${allTold.waitShare}: the told long waits and the tallied ones, over both calls`);
  assert.equal(allTold.usesPerCall, 100_001, "a thousand told uses, the long wait's, and the tallied ones");
  assert.equal(allTold.usesCut, false);
  assert.equal(lockContention({ ...turns(10), workers: 1 }), undefined, 'one worker waits for no one');
  // A Python lock of the user's own tells only the acquires that waited: one wait of 5 ms in ten
  // calls of 20 ms is measured against all ten.
  const spans = Array.from({ length: 10 }, (_, i): [number, number, number] => [i % 2, Math.floor(i / 2) * 20, Math.floor(i / 2) * 20 + 20]);
  const once = makeRun('threads', 2, 100, spans, {
    locks: [{ lane: 1, task: 3, lock: 'guard', kind: 'request', atMs: 25, site }, { lane: 1, task: 3, lock: 'guard', kind: 'acquire', atMs: 30, site }, { lane: 1, task: 3, lock: 'guard', kind: 'release', atMs: 31, site }],
  });
  assert.equal(lockContention(once), undefined);
});

test('a global updated by threads with no lock that lost nothing: a race it can have, why none was lost by the Python it ran on, where calls overlapped and the update reads the value back', () => {
  const update = (extra: Partial<SharedValueChange> = {}): SharedValueChange => ({ name: 'calls', kind: 'global', change: 20, updateCode: 'calls += 1', updateSite: { file: '/x/f.py', line: 6 }, ...extra });
  const runs = (value: SharedValueChange, spans: [number, number, number][] = [[0, 0, 10], [1, 2, 12]]) => [
    makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]], { sharedValues: [update()] }),
    makeRun('threads', 2, 12, spans, { sharedValues: [value] }),
  ];
  const cpython = (version: string, gil?: boolean) => ({ ...machine, runtime: `CPython ${version}.1 (main)`, ...(gil === undefined ? {} : { gil }) });
  const [warning, ...more] = unlockedUpdates(runs(update()), cpython('3.11'), []);
  assert.equal(more.length, 0);
  assert.deepEqual([warning.kind, warning.strategy, warning.shared, warning.unseen, warning.location?.line], ['race', 'threads', 'calls', true, 6]);
  assert.match(warning.message, /Python 3\.11 switches threads only at loop turns and calls/);
  // An older Python, or a free-threaded build, usually loses such updates; where it did not, the
  // race is there all the same, and the reason none was lost is another.
  assert.match(unlockedUpdates(runs(update()), cpython('3.9'), [])[0]?.message ?? '', /Python 3\.9 switches threads every 5 ms \(sys\.getswitchinterval\(\)\), and in this run no switch fell between a read and its write/);
  assert.match(unlockedUpdates(runs(update()), cpython('3.13', false), [])[0]?.message ?? '', /on this free-threaded build the threads run at once, and no two updates happened to meet in this run/);
  assert.equal(unlockedUpdates(runs(update(), [[0, 0, 10], [1, 10, 20]]), cpython('3.11'), []).length, 0, 'calls one after another cannot race');
  assert.equal(unlockedUpdates(runs(update({ updateCode: 'last = n' })), cpython('3.11'), []).length, 0, 'a plain store reads nothing back');
  assert.equal(unlockedUpdates(runs(update({ updateCode: 'calls = calls + n' })), cpython('3.12'), []).length, 1, 'calls = calls + n reads it back');
  const guard = { kind: 'threading.Lock' as const, name: 'lock', location: { file: '/x/f.py', line: 5 }, excludes: true };
  assert.equal(unlockedUpdates(runs(update({ guard })), cpython('3.11'), []).length, 0, 'under a lock that keeps other threads out');
  // A lock made at each call (`lock = threading.Lock()` in the function) keeps no one out: the
  // warning names it, and the fix is not "hold a lock", which the user does.
  const fresh = { kind: 'fresh' as const, location: { file: '/x/f.py', line: 5 }, code: 'with lock:', excludes: false };
  const [underFresh] = unlockedUpdates(runs(update({ guard: fresh })), cpython('3.11'), []);
  assert.match(underFresh?.message ?? '', /`calls \+= 1` at \/x\/f\.py:6 reads it and writes it back under `with lock:` at \/x\/f\.py:5, a lock made afresh at each call, which no other call ever waits for/);
  assert.match(underFresh.message, /fix: make the lock once, at module level \(lock = threading\.Lock\(\)\), and take that one/);
  assert.doesNotMatch(underFresh.message, /with no lock between|hold a threading\.Lock around/);
  assert.equal(unlockedUpdates(runs(update()), cpython('3.11'), [{ kind: 'race', strategy: 'threads', shared: 'calls', message: 'lost' }]).length, 0, 'a lost update is said already');
  const sequential = makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]]);
  assert.match(verdictOf([sequential], [warning], { file: '/x/f.py', name: 'f', language: 'python' }), /it can lose updates to calls in threads \(none were lost in this run\)/);
});

test("tiny calls in Python's process pool: the overhead warning gives the chunksize that batches about 10 ms of calls a task; not for threads, nor for JS", () => {
  const calls = (lanes: number, each: number) => Array.from({ length: 4000 }, (_, i): [number, number, number] => [i % lanes, i * each, i * each + 0.02]);
  const sequential = makeRun('sequential', 1, 100, calls(1, 0.025));
  const processes = makeRun('processes', 2, 400, calls(2, 0.1));
  const threads = makeRun('threads', 2, 300, calls(2, 0.075));
  const overhead = (language: 'python' | 'javascript') =>
    analyze([sequential, threads, processes], { ...target, language }, machine, []).warnings.filter((w) => w.kind === 'overhead').map((w) => w.message);
  const [forThreads, forProcesses] = overhead('python');
  assert.match(forProcesses, /^processes: .*each task takes only 20 µs, .*\(batch several inputs per task: ProcessPoolExecutor\.map\(f, inputs, chunksize=500\) sends 500 inputs a task\)$/);
  assert.doesNotMatch(forThreads, /chunksize/);
  assert.ok(overhead('javascript').every((m) => !m.includes('chunksize')));
});

test("what a hung Python call waits in, from its stack: the library call below the user's frame, a loop, or nothing told", () => {
  const user = (code: string) => `  File "/x/f.py", line 9, in work\n    ${code}\n`;
  const lib = (file: string, fn: string) => `  File "/usr/lib/python3.11/${file}", line 1, in ${fn}\n    pass\n`;
  const wait = (stack: string) => pythonWait(`  File "/x/main.py", line 2, in run\n    work()\n${stack}`, '/x/f.py');
  assert.match(wait(user('item = q.get()') + lib('queue.py', 'get') + lib('threading.py', 'wait'))!, /^waits in `item = q\.get\(\)` at \/x\/f\.py:9 for an item no call puts/);
  assert.match(wait(user('q.join()') + lib('queue.py', 'join'))!, /until every item put was marked done — call task_done\(\)/);
  assert.match(wait(user('done.wait()') + lib('threading.py', 'wait') + lib('threading.py', 'wait'))!, /for an Event no call sets/);
  assert.match(wait(user('cond.wait()') + lib('threading.py', 'wait'))!, /for a notify\(\) no call makes on its Condition/);
  assert.match(wait(user('gate.wait()') + lib('threading.py', 'wait') + lib('threading.py', '_wait') + lib('threading.py', 'wait_for') + lib('threading.py', 'wait'))!, /for a Barrier's other parties/);
  assert.match(wait(user('slots.acquire()') + lib('threading.py', 'acquire') + lib('threading.py', 'wait'))!, /for a Semaphore no call releases/);
  assert.match(wait(user('proc.communicate()') + lib('subprocess.py', 'communicate'))!, /for a program it started, which does not end/);
  assert.match(wait(user('while n != 1:'))!, /^runs `while n != 1:` at \/x\/f\.py:9 without waiting on anything: a loop that never ends\?/);
  assert.equal(wait(user('time.sleep(60)')), undefined, 'a call into C: a sleep, a read, a regular expression');
  assert.equal(wait(user('x = helper(x)') + lib('json/decoder.py', 'decode')), undefined, 'a library call not known to wait');
  assert.equal(pythonWait('  File "/x/other.py", line 1, in g\n    pass', '/x/f.py'), undefined, 'no frame of the profiled file');
});

test('what a hung JS call waits in, from its innermost line in the profiled file: an Atomics.wait without a timeout, a program, or a loop', () => {
  const lines = ['export function f(n: number) {', '  while (n === 1) {', '  }', '  Atomics.wait(view, 0, 0);', '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);', "  execFileSync('sleep', ['60']);", '  return helper(n);', '}'];
  const at = (line: number, file = '/x/f.ts') => `Error\n    at f (${file}:${line}:5)\n    at run (/x/runner.js:1:1)`;
  assert.match(jsWait(at(2), '/x/f.ts', lines)!, /^runs `while \(n === 1\) \{` at \/x\/f\.ts:2 without waiting on anything: a loop that never ends\?/);
  assert.match(jsWait(at(4), '/x/f.ts', lines)!, /^waits in `Atomics\.wait\(view, 0, 0\);` at \/x\/f\.ts:4 for an Atomics\.notify no call makes/);
  assert.equal(jsWait(at(5), '/x/f.ts', lines), undefined, 'an Atomics.wait with a timeout is a sleep');
  assert.match(jsWait(at(6), '/x/f.ts', lines)!, /for a program it started, which does not end/);
  assert.equal(jsWait(at(7), '/x/f.ts', lines), undefined, 'a line that calls something may be in that call');
  assert.equal(jsWait(at(2, '/x/lib.ts'), '/x/f.ts', lines), undefined, 'the innermost frame is not in the profiled file');
});

test('Python threads that scale on CPU-bound calls under the GIL: the verdict says their work releases it; not where the GIL holds them, nor on a free-threaded build', () => {
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 100, 100], [0, 100, 200, 100], [0, 200, 300, 100], [0, 300, 400, 100]]);
  const threads = (wall: number, cpuMs = 400) => makeRun('threads', 2, wall, [[0, 0, 100, 100], [1, 0, 100, 100], [0, 100, 200, 100], [1, 100, 200, 100]], { cpuMs });
  const releases = /; the calls keep a CPU busy, yet threads run them side by side: their work is in C code that releases the GIL \(hashlib, zlib, NumPy\)/;
  assert.match(analyze([sequential, threads(200)], target, machine, []).verdict, releases);
  // A speedup with one CPU's time at most (the sequential run's warm-up, noise): the GIL held them, and the verdict says the gain is no parallelism.
  const oneCpu = analyze([sequential, threads(200, 205)], target, machine, []).verdict;
  assert.doesNotMatch(oneCpu, releases);
  assert.match(oneCpu, /; the thread pool kept one CPU busy at most, so under the GIL its 2\.0× is not parallelism but timing noise or the sequential run's slower first calls/);
  assert.doesNotMatch(analyze([sequential, threads(200)], target, { ...machine, gil: false }, []).verdict, releases);
  assert.doesNotMatch(analyze([sequential, threads(390), makeRun('processes', 2, 210, [[0, 0, 100, 100], [1, 0, 100, 100]])], target, machine, []).verdict, releases);
  assert.doesNotMatch(analyze([sequential, threads(200)], { ...target, language: 'typescript', file: '/x/f.ts' }, machine, []).verdict, releases);
});

test('shared memory in the inputs: a smaller change is lost updates where the function reads an item back, not where it only stores', () => {
  const buffer = (change: number): SharedValueChange => ({ name: 'tally', kind: 'buffer', change });
  const runs = () => [
    makeRun('sequential', 1, 20, [[0, 0, 10], [0, 10, 20]], { sharedValues: [buffer(6)] }),
    makeRun('threads', 2, 12, [[0, 0, 10], [1, 2, 12]], { sharedValues: [buffer(5)] }),
  ];
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const adds = analyze(runs(), js, machine, [], 'export function f(view: Int32Array, n: number) {\n  view[0] += n;\n  return n;\n}\n');
  const race = adds.warnings.find((w) => w.kind === 'race');
  assert.match(race?.message ?? '', /^threads: updates to tally were lost: .*`view\[0\] \+= n` reads the item and writes it back in two steps/);
  assert.equal(race?.location?.line, 2);
  const stores = analyze(runs(), js, machine, [], '// view[0]++ would race\nexport function f(view: Int32Array, n: number) {\n  view[0] = n;\n  return n;\n}\n');
  assert.ok(!stores.warnings.some((w) => w.kind === 'race'), stores.warnings.map((w) => w.message).join('\n'));
});

/** Each call's lock events: asked for as it starts, held for its last 100 ms. */
function takingTurns(spans: [lane: number, start: number, end: number, cpu?: number][], lock: string, site: { file: string; line: number }): LockEvent[] {
  return spans.flatMap(([lane, start, end], task) => [
    { lane, task, lock, kind: 'request' as const, atMs: start, site },
    { lane, task, lock, kind: 'acquire' as const, atMs: end - 100, site },
    { lane, task, lock, kind: 'release' as const, atMs: end, site },
  ]);
}

test('the GIL warning of threads that also take turns at a lock for most of their work says a process pool sharing it would too', () => {
  const site = { file: '/x/f.py', line: 5 };
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 100, 100], [0, 100, 200, 100], [0, 200, 300, 100], [0, 300, 400, 100]]);
  // Two threads, each call holding the lock for all of its 100 ms, the other waiting meanwhile.
  const spans: [number, number, number, number][] = [[0, 0, 100, 100], [1, 0, 200, 100], [0, 200, 300, 100], [1, 200, 400, 100]];
  const threads = makeRun('threads', 2, 400, spans, { locks: takingTurns(spans, 'total', site) });
  const gil = analyze([sequential, threads], target, machine, []).warnings.find((w) => w.kind === 'gil');
  assert.match(gil?.message ?? '', /use a process pool \(ProcessPoolExecutor\), or a free-threaded Python build; but the calls also take turns at lock "total" for most of their work/);
  const free = makeRun('threads', 2, 400, spans);
  const plain = analyze([sequential, free], target, machine, []).warnings.find((w) => w.kind === 'gil');
  assert.ok(plain, 'a GIL warning without the lock');
  assert.doesNotMatch(plain.message, /take turns at lock/);
});

test('calls that mostly wait but take turns at a lock for most of their work: no advice to run more of them at once', () => {
  const site = { file: '/x/f.ts', line: 2 };
  const js = { file: '/x/f.ts', name: 'f', language: 'typescript' as const };
  const source = 'export async function f(n: number) {\n  return withLock("db", () => sleep(100));\n}\n';
  const sequential = makeRun('sequential', 1, 400, [[0, 0, 100, 5], [0, 100, 200, 5], [0, 200, 300, 5], [0, 300, 400, 5]]);
  const spans: [number, number, number, number][] = [[0, 0, 100, 5], [1, 0, 200, 5], [0, 200, 300, 5], [1, 200, 400, 5]];
  const locked = analyze([sequential, makeRun('threads', 2, 400, spans, { locks: takingTurns(spans, 'db', site) })], js, machine, [], source).verdict;
  assert.match(locked, /waiting for lock "db" \(f\.ts:2\) — hold it only around the update it guards\.$/);
  assert.doesNotMatch(locked, /Promise\.all/);
  // Without the lock, the same waiting calls get the advice.
  assert.match(analyze([sequential, makeRun('threads', 2, 400, spans)], js, machine, [], source).verdict, /Promise\.all over the inputs/);
});
