/**
 * The three strategies against real threads and processes: spans, lanes, flags and target kinds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, profile, run, leftovers, describePids, descendants } from './engineKit';
import type { Report } from '../../src/core/model';

function assertWellFormed(report: Report): void {
  for (const r of report.runs) {
    assert.equal(r.tasks.length, report.inputs.count, `${r.strategy}: one span per input`);
    const laneIds = new Set(r.lanes.map((l) => l.id));
    for (const t of r.tasks) {
      assert.ok(laneIds.has(t.lane), `${r.strategy}: task ${t.index} on a known lane`);
      assert.ok(t.startMs <= t.endMs, 'start before end');
      assert.ok(t.startMs >= r.startMs && t.endMs <= r.startMs + r.wallMs + 1, `${r.strategy}: task ${t.index} inside the run`);
    }
    for (const l of r.lanes) {
      assert.ok(l.pid > 0);
      const ranTasks = r.tasks.some((t) => t.lane === l.id);
      if (ranTasks) assert.ok(l.readyMs !== undefined && l.readyMs >= l.spawnMs, 'ready after spawn');
      assert.ok(l.exitMs !== undefined && l.exitMs >= (l.readyMs ?? l.spawnMs), 'exit after start');
    }
  }
}

test('profiles a TS function three ways with the default strategies', async () => {
  const before = descendants();
  const report = await profile('../../examples/primes.ts', 'countPrimes', 'Array.from({length: 6}, (_, i) => 20_000 + i * 1_000)');
  assert.deepEqual(report.runs.map((r) => r.strategy), ['sequential', 'threads', 'processes']);
  assertWellFormed(report);
  const seq = run(report, 'sequential');
  const threads = run(report, 'threads');
  const procs = run(report, 'processes');
  assert.equal(seq.workers, 1);
  assert.equal(seq.lanes.length, 1);
  assert.equal(threads.workers, 2);
  assert.equal(new Set(threads.lanes.map((l) => l.pid)).size, 1, 'threads share one process');
  assert.equal(new Set(threads.lanes.map((l) => l.threadId)).size, threads.lanes.length, 'one thread per lane');
  assert.equal(new Set(procs.lanes.map((l) => l.pid)).size, procs.lanes.length, 'one process per lane');
  assert.ok(!procs.lanes.some((l) => l.pid === threads.lanes[0].pid), 'processes are not the runner');
  // Same results everywhere: π(20000) = 2262.
  assert.equal(seq.tasks[0].digest, 'n:2262');
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.digest), seq.tasks.map((t) => t.digest));
  assert.equal(seq.metrics.speedup, 1);
  assert.ok(threads.metrics.speedup! > 0 && threads.metrics.efficiency! > 0);
  assert.ok(typeof report.verdict === 'string' && report.verdict.length > 10);
  assert.equal(report.warnings.filter((w) => w.kind === 'divergence' || w.kind === 'race').length, 0);
  const left = await leftovers(before);
  assert.deepEqual(left, [], describePids(left));
});

test('--strategies, --workers and --repeat shape the runs', async () => {
  const report = await profile('../../examples/primes.ts', 'countPrimes', '[1000, 2000, 3000, 4000, 5000]', {
    strategies: ['processes', 'threads'],
    workers: 3,
    repeat: 2,
  });
  assert.deepEqual(report.runs.map((r) => `${r.strategy}#${r.repeat}`), ['processes#0', 'threads#0', 'processes#1', 'threads#1']);
  for (const r of report.runs) assert.equal(r.workers, 3);
  assert.equal(run(report, 'processes').lanes.length, 3);
  assertWellFormed(report);
});

test('a non-exported arrow function with local imports and an async body', async () => {
  const report = await profile('withImports.ts', 'slowNorm', 'makeInputs(5)', { strategies: ['sequential', 'processes'] });
  assertWellFormed(report);
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
    // norm2({x: i, y: i + 1}) = i² + (i + 1)²
    assert.deepEqual(r.tasks.map((t) => t.digest), ['n:1', 'n:5', 'n:13', 'n:25', 'n:41']);
  }
});

test('a pool worker runs one task at a time, though its next task is sent ahead (async function)', async () => {
  const report = await profile('withImports.ts', 'slowNorm', 'makeInputs(12)', { strategies: ['threads', 'processes'] });
  assertWellFormed(report);
  for (const r of report.runs) {
    assert.ok(r.tasks.every((t) => t.status === 'ok'), r.strategy);
    for (const lane of r.lanes) {
      const spans = r.tasks.filter((t) => t.lane === lane.id).sort((a, b) => a.startMs - b.startMs);
      for (let i = 1; i < spans.length; i++) {
        assert.ok(spans[i].startMs >= spans[i - 1].endMs, `${r.strategy} worker ${lane.id}: input #${spans[i].index} started before #${spans[i - 1].index} ended`);
      }
    }
  }
});

test('a pool hands out its tasks first in, first out: each worker starts its inputs in their order', async () => {
  const report = await profile('spin.ts', 'spin', 'Array(40).fill(2)', { strategies: ['threads', 'processes'] });
  for (const r of report.runs) {
    for (const lane of r.lanes) {
      const order = r.tasks.filter((t) => t.lane === lane.id).sort((a, b) => a.startMs - b.startMs).map((t) => t.index);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${r.strategy} worker ${lane.id} ran inputs ${order.join(', ')}`);
    }
  }
});

test("recursion too deep for a worker process's stack but not a worker thread's: the error says why it fails only there", async () => {
  const report = await profile('deepRecursion.ts', 'depth', '[30_000]');
  assert.deepEqual(report.runs.map((r) => [r.strategy, r.tasks[0].status]), [['sequential', 'ok'], ['threads', 'ok'], ['processes', 'error']]);
  const error = report.warnings.find((w) => w.kind === 'error' && w.strategy === 'processes');
  assert.match(error?.message ?? '', /^processes: 1 task failed; first: RangeError: Maximum call stack size exceeded .* — the same input ran in sequential: a worker process runs the call on its main thread, whose stack V8 keeps to about 1 MB, where a worker thread's holds 4 MB/);
});

test("a script whose main code runs where it is the main thread: it runs in the runner and in each worker process, and a warning at its guard says so with the fix", async () => {
  const output: string[] = [];
  const report = await profile('mainThreadScript.ts', 'square', '[1, 2, 3, 4]', {}, { onOutput: (_stream, text) => output.push(text) });
  const warning = report.warnings.find((w) => w.message.startsWith('`if (isMainThread) {`'));
  assert.match(warning?.message ?? '', /runs the module's main code wherever it loads as a main thread: in the profiler's runner, .* and in every worker process, though not in the worker threads .*if \(require\.main === module\)/);
  assert.equal(warning?.location?.line, 8);
  // The runner's load and the two worker processes' (the threads' and the sequential worker's not).
  assert.equal(output.join('').match(/main of the script ran/g)?.length, 3, output.join(''));
});

test('CommonJS: a function declaration and one defined only as exports.name', async () => {
  const add = await profile('commonjs.cjs', 'add', '[[1, 2], [3, 4]]', { spread: true, strategies: ['threads'] });
  assert.deepEqual(add.runs[0].tasks.map((t) => t.digest), ['n:3', 'n:7']);
  const base = await profile('commonjs.cjs', 'basename', '["/a/b.txt", "/c/d.js"]', { strategies: ['sequential'] });
  assert.deepEqual(base.runs[0].tasks.map((t) => t.resultPreview), ['"b.txt"', '"d.js"']);
});

test('--spread passes each input as the argument list (starmap)', async () => {
  const report = await profile('commonjs.cjs', 'add', '[[1, 2], [10, 20], [100, 200]]', { spread: true });
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.digest), ['n:3', 'n:30', 'n:300']);
});

test('inputs from an async generator are read to the end, one task per value', async () => {
  const report = await profile('commonjs.cjs', 'add', '(async function* () { for (let i = 0; i < 3; i++) yield [i, 10]; })()', { spread: true, strategies: ['sequential'] });
  assert.deepEqual(run(report, 'sequential').tasks.map((t) => t.digest), ['n:10', 'n:11', 'n:12']);
});

test('the inputs expression may await, e.g. an async loader of the module', async () => {
  const report = await profile('stacks.ts', 'countDown', '(await Promise.resolve(countDown(3))).map((n) => n - 1)', { strategies: ['sequential'] });
  assert.deepEqual(run(report, 'sequential').tasks.map((t) => t.status), ['ok', 'ok', 'ok']);
  assert.equal(report.inputs.count, 3);
});

test('the time each worker takes to load the module is recorded; top-level work that takes much of the run gets a warning with the fix', async () => {
  const report = await profile('slowTopLevel.cjs', 'double', '[1, 2, 3, 4]', { strategies: ['sequential', 'threads', 'processes'] });
  for (const strategy of ['threads', 'processes'] as const) {
    // A worker still loading when the others had run every task ends without ever being ready.
    const lanes = run(report, strategy).lanes.filter((l) => l.readyMs !== undefined);
    assert.ok(lanes.length > 0 && lanes.every((l) => l.loadMs !== undefined && l.loadMs >= 290), `${strategy}: ${lanes.map((l) => l.loadMs)}`);
    const said = report.warnings.find((w) => w.strategy === strategy && w.kind === 'overhead');
    assert.match(said?.message ?? '', new RegExp(`^${strategy}: .*each worker spent \\d+ ms loading slowTopLevel\\.cjs before its first task \\(\\d+% of the run\\): its imports and top-level code run again in every worker (thread|process) — keep work out of module level`));
  }
});

test('more inputs than the thread pool holds at once: each runs once, with its own result', async () => {
  // runThreads.ts gives piscina 1024 tasks at a time and tops the window up as they end.
  const report = await profile('commonjs.cjs', 'add', 'Array.from({ length: 3000 }, (_, i) => [i, 1])', { spread: true, strategies: ['threads'] });
  const tasks = run(report, 'threads').tasks;
  assert.equal(tasks.length, 3000);
  assert.ok(tasks.every((t) => t.status === 'ok' && t.digest === `n:${t.index + 1}`));
});

test('errors keep the TypeScript file and line; other tasks go on', async () => {
  const report = await profile('throws.ts', 'failOnOdd', '[0, 1, 2, 3]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'error', 'ok', 'error']);
    const failed = r.tasks[1];
    assert.match(failed.error!, /odd input 1/);
    assert.ok(failed.errorLocation, 'has a location');
    assert.match(failed.errorLocation!.file, /throws\.ts$/);
    assert.equal(failed.errorLocation!.line, 6);
  }
  const errorWarnings = report.warnings.filter((w) => w.kind === 'error');
  assert.equal(errorWarnings.length, 3);
  assert.equal(errorWarnings[0].location?.line, 6);
});

test('errors keep their file and line in a folder whose name holds a space', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'my project '));
  const file = path.join(folder, 'throws.ts');
  fs.copyFileSync(fixture('throws.ts'), file);
  try {
    const report = await profile(file, 'failOnOdd', '[0, 1]');
    for (const r of report.runs) assert.deepEqual(r.tasks[1].errorLocation, { file, line: 6 }, r.strategy);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('an ES module with top-level await', async () => {
  const report = await profile('topLevelAwait.mjs', 'addBase', '[1, 2]', { strategies: ['sequential', 'threads', 'processes'] });
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.digest), ['n:11', 'n:12'], r.strategy);
});

test('each bundled module knows its own place: __dirname, __filename and import.meta.url as under plain Node', async () => {
  const report = await profile('whereAmI.ts', 'whereAmI', '[1, 0]');
  for (const r of report.runs) {
    const [ok, thrown] = r.tasks;
    assert.equal(ok.status, 'ok', `${r.strategy}: ${ok.error}`);
    // The helper in located/ read the file beside it; the target saw its own folder.
    assert.equal(ok.resultPreview, JSON.stringify(`1:next to the helper:true:${path.dirname(fixture('whereAmI.ts'))}`));
    assert.match(thrown.error!, /whereAmI\.ts:6\)$/, `${r.strategy}: errors keep the TS line`);
  }
});

test('a package required by a name known only as the code runs is found as from the user\'s file; a missing one is one line', async () => {
  const found = await profile('dynamicRequire.cjs', 'poolKind', '[1]');
  for (const r of found.runs) assert.equal(r.tasks[0].resultPreview, '"1:function"', `${r.strategy}: ${r.tasks[0].error}`);
  const missing = await profile('dynamicRequire.cjs', 'missing', '[1]');
  for (const r of missing.runs) {
    // Without Node's list of requiring modules, which names the profiler's bundle.
    assert.match(r.tasks[0].error!, /^Error: Cannot find module 'no-such-package-pp' \(.*dynamicRequire\.cjs:2\)$/, r.strategy);
  }
});

test("process.send in the user's code does not reach the runner as one of its own messages", async () => {
  const report = await profile('sendsToParent.ts', 'withProgress', '[1, 2, 3, 4, 5, 6, 7, 8]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), Array(8).fill('ok'), r.strategy);
    assert.deepEqual(r.tasks.map((t) => t.resultPreview), ['2', '4', '6', '8', '10', '12', '14', '16'], r.strategy);
  }
  assert.equal(report.warnings.filter((w) => w.kind === 'divergence').length, 0);
});

test("a module written to be a forked worker of its own never sees the runner's tasks", async () => {
  // Its listener for its parent's messages would throw on them, and take the worker down.
  const report = await profile('childStyle.cjs', 'triple', '[1, 2, 3, 4]');
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.resultPreview ?? t.error), ['3', '6', '9', '12'], r.strategy);
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'crash'), []);
});

test('a module written to be a worker thread of its own (listening on parentPort) does not hold a run up', async () => {
  // It also posts a message of its own, null, which the runner leaves alone.
  const report = await profile('threadStyle.cjs', 'triple', '[1, 2, 3, 4]', { hangTimeoutMs: 3000 });
  assert.deepEqual(report.runs.map((r) => r.strategy), ['sequential', 'threads', 'processes']);
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.resultPreview ?? t.error), ['3', '6', '9', '12'], r.strategy);
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'hang' || w.kind === 'crash'), []);
});

test('a package that is a native addon (.node) is loaded where it is installed, in every strategy', async (t) => {
  // piscina's optional dependency, where npm installed the build for this machine.
  try {
    require('@napi-rs/nice');
  } catch {
    return t.skip('@napi-rs/nice has no build for this machine');
  }
  const report = await profile('nativeAddon.ts', 'priorityPlus', '[1, 2]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'ok'], `${r.strategy}: ${r.tasks[0].error}`);
    assert.equal(Number(r.tasks[1].resultPreview) - Number(r.tasks[0].resultPreview), 1, r.strategy);
  }
});

test("a module compiled on its own for its __dirname still follows its folder's tsconfig (legacy decorators)", async () => {
  const report = await profile('decorated/legacyDecorators.ts', 'decoratorMode', '[1]');
  for (const r of report.runs) assert.equal(r.tasks[0].resultPreview, '"1:legacy:function:true"', r.strategy);
});

test('…and a tsconfig that only extends another is followed to it', async () => {
  const report = await profile('decorated/extended/decoratorArgs.ts', 'decoratorArgs', '[1]');
  for (const r of report.runs) assert.equal(r.tasks[0].resultPreview, '"1:1:function:true"', r.strategy);
});

test('an anonymous default export is profiled as "default", and its errors keep their line', async () => {
  const report = await profile('anonymousDefault.ts', 'default', '[1, -1, 2]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.resultPreview ?? t.status), ['2', 'error', '4'], r.strategy);
    assert.match(r.tasks[1].error!, /negative input -1 \(.*anonymousDefault\.ts:3\)$/);
  }
});

test('a CommonJS module that exports one function (module.exports = function) is profiled as "default"', async () => {
  const report = await profile('moduleExports.cjs', 'default', '[1, -1, 2]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.resultPreview ?? t.status), ['2', 'error', '4'], r.strategy);
    assert.match(r.tasks[1].error!, /negative input -1 \(.*moduleExports\.cjs:3\)$/);
  }
});

test("the user's own stacks name the TypeScript file and line, in a CommonJS and an ES module bundle", async () => {
  for (const [file, line] of [['stacks.ts', 3], ['stacksModule.mts', 5]] as const) {
    const report = await profile(file, 'ownStack', '[1, 2]');
    for (const r of report.runs) {
      assert.deepEqual(
        r.tasks.map((t) => t.resultPreview),
        [1, 2].map((n) => JSON.stringify(`input ${n} at ownStack (${file}:${line}:17)`)),
        `${file}, ${r.strategy}`,
      );
    }
  }
  const headers = await profile('stacks.ts', 'nodeErrorHeader', '[1]');
  for (const r of headers.runs) assert.equal(r.tasks[0].resultPreview, '"RangeError [ERR_OUT_OF_RANGE]"', r.strategy);
  const sites = await profile('stacks.ts', 'callSites', '[1]');
  for (const r of sites.runs) assert.equal(r.tasks[0].resultPreview, '"1:callSites"', r.strategy);
});

test('a static method named through its class (Pricer.half) runs in every strategy, bound to its class', async () => {
  const report = await profile('methods.ts', 'Pricer.half', '[2, 4]');
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.resultPreview), ['1', '2'], r.strategy);
});

test('work done in child processes the calls start counts as their CPU (Linux): no advice to add workers for calls that wait', { skip: process.platform !== 'linux' && 'Linux tells children\'s CPU in /proc' }, async () => {
  const report = await profile('shellsOut.ts', 'convert', '[1, 2, 3, 4]');
  // Each child spins for 50 ms of its own user time; the kernel counts in 10 ms ticks.
  for (const r of report.runs) assert.ok((r.childCpuMs ?? 0) >= 4 * 50 * 0.8, `${r.strategy}: ${r.childCpuMs} ms in children`);
  assert.doesNotMatch(report.verdict, /mostly wait|more workers than CPUs/);
});
