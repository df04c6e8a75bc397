/**
 * Results across strategies: digests, divergence, and values that cannot cross a worker boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture, profile, run } from './engineKit';
import type { Report } from '../../src/core/model';
import { startProfile } from '../../src/core/profile';
import { describeResult } from '../../src/runners/js/resultDigest';

test('a result that depends on which worker ran it diverges between strategies', async () => {
  const report = await profile('throws.ts', 'workerDependent', '[1, 2, 3, 4, 5, 6]');
  const divergence = report.warnings.filter((w) => w.kind === 'divergence');
  assert.ok(divergence.some((w) => w.strategy === 'threads'), 'threads diverge');
  assert.ok(divergence.some((w) => w.strategy === 'processes'), 'processes diverge');
  assert.match(divergence[0].message, /input #\d+: "[\d:]+" vs "[\d:]+"/);
  assert.match(divergence[0].location!.file, /throws\.ts$/);
});

test('a generator seeded as the module loads: the workers draw the same numbers, said at the seed, with the fix', async () => {
  const report = await profile('seededDraws.ts', 'estimatePi', 'Array(12).fill(20000)');
  for (const strategy of ['threads', 'processes']) {
    const warning = report.warnings.find((w) => w.kind === 'divergence' && w.strategy === strategy);
    assert.equal(warning?.sameDraws, true, `${strategy}: ${warning?.message}`);
    assert.match(warning.message, /^\w+: the workers drew the same random numbers: (\d+) of 12 calls returned what the call beside them on another worker returned \(input #\d+ on worker \d and input #\d+ on worker \d both returned 3\.\d+\), where sequentially their results differ — the seed set as the module loads at .*seededDraws\.ts:11 is set alike in every worker/);
    assert.match(warning.message, /make the generator in the call, seeded from the input/);
    assert.deepEqual(warning.location, { file: fixture('seededDraws.ts'), line: 11 });
  }
  assert.match(report.verdict, /it is not safe as is: in threads and processes the workers drew the same random numbers( \(measured while other programs kept the machine busy: profile again to confirm\))?\.$/, 'the end of the verdict (its hedge comes on a busy machine)');
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

test('a symbol result, no object yet not clonable, fails its task in both pools after a worker\'s first task too', async () => {
  // A worker's later tasks take the pools' fast path for plain values (taskExecution.ts, PlainCall).
  const report = await profile('throws.ts', 'symbolUnlessZero', '[0, 1, 2, 3, 4, 5]');
  for (const strategy of ['threads', 'processes']) {
    const tasks = run(report, strategy).tasks;
    assert.deepEqual(tasks.map((t) => t.status), ['ok', 'error', 'error', 'error', 'error', 'error'], strategy);
    for (const task of tasks.slice(1)) {
      assert.match(task.error!, new RegExp(`input #${task.index}: the result cannot be sent between workers: it holds a symbol \\(the result\\)`), strategy);
    }
  }
});

test('arguments that cannot be cloned fail their task up front, naming the input', async () => {
  const report = await profile('throws.ts', 'failOnOdd', '[2, () => 1, 4, Symbol("s")]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'error', 'ok', 'error'], r.strategy);
    assert.match(r.tasks[1].error!, /input #1: its arguments cannot be sent to a worker: they hold a function \(the arguments\.0\)/);
    assert.match(r.tasks[3].error!, /input #3: its arguments cannot be sent to a worker: they hold a symbol \(the arguments\.0\)/);
  }
});

test('a function past what the arguments check walks (after 20 000 objects) still fails its task up front, not the run', { timeout: 120_000 }, async () => {
  const report = await profile('throws.ts', 'failOnOdd', '[2, Array.from({ length: 20_000 }, () => ({})).concat([{ f: () => 1 }])]');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'error'], r.strategy);
    assert.match(r.tasks[1].error!, /input #1: its arguments cannot be sent to a worker: they hold something structured clone refuses \(.*could not be cloned/);
  }
});

test('a SharedArrayBuffer or a Blob argument reaches threads, and fails its task up front in processes instead of hanging or arriving as {}', async () => {
  const report = await profile('buffers.ts', 'sizeOf', '[new SharedArrayBuffer(8), new Blob(["ab"]), new Uint8Array(3)]');
  for (const strategy of ['sequential', 'threads']) {
    assert.deepEqual(run(report, strategy).tasks.map((t) => [t.status, t.resultPreview]), [['ok', '8'], ['ok', '2'], ['ok', '3']], strategy);
  }
  const tasks = run(report, 'processes').tasks;
  assert.deepEqual(tasks.map((t) => t.status), ['error', 'error', 'ok']);
  assert.match(tasks[0].error!, /^input #0: its arguments hold shared memory \(a SharedArrayBuffer\), which worker processes cannot share: each call would get a copy/);
  assert.match(tasks[1].error!, /^input #1: its arguments cannot be sent to a worker process \(Unserializable host object: Blob/);
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'divergence' || w.kind === 'hang'), []);
});

test('shared memory in the inputs: threads share it and every run starts from what the inputs gave; a view over it fails its task in processes, which would get a copy', async () => {
  const inputs = '(() => { const s = new Int32Array(new SharedArrayBuffer(4)); return Array.from({ length: 4 }, () => [s, 1000]); })()';
  const report = await profile('buffers.ts', 'bump', inputs, { spread: true });
  assert.deepEqual(run(report, 'sequential').tasks.map((t) => t.resultPreview), ['1000', '2000', '3000', '4000']);
  // The last call to read it saw every call's adds, and none of the sequential run's (else 8000).
  assert.equal(Math.max(...run(report, 'threads').tasks.map((t) => Number(t.resultPreview))), 4000, JSON.stringify(run(report, 'threads').tasks));
  const tasks = run(report, 'processes').tasks;
  assert.deepEqual(tasks.map((t) => t.status), ['error', 'error', 'error', 'error']);
  assert.match(tasks[0].error!, /^input #0: its arguments hold shared memory \(an Int32Array over a SharedArrayBuffer\), which worker processes cannot share: each call would get a copy, .*share memory between worker threads \(the thread pool\)/);
  // A run whose every call failed has no speed to judge.
  assert.ok(!report.warnings.some((w) => w.kind === 'overhead' && w.strategy === 'processes'), report.warnings.map((w) => w.message).join('\n'));
  // What each run's calls did to it, by the sum of its items: Atomics lose nothing, and no plain
  // read-modify-write of an item is in the function (storesOnly).
  for (const strategy of ['sequential', 'threads']) {
    assert.deepEqual(run(report, strategy).sharedValues, [{ name: 'the Int32Array in the inputs', kind: 'buffer', change: 4000, storesOnly: true }], strategy);
  }
  assert.ok(!report.warnings.some((w) => w.kind === 'race'), report.warnings.map((w) => w.message).join('\n'));
});

test('shared memory in the inputs updated as `shared[0]++` by threads: updates lost, a race warning at the update naming the module variable that holds it', async () => {
  // Contention is a matter of chance, and the calls must outlast the threads' start-up stagger: retry a little.
  let report: Report | undefined;
  let lost: number | undefined;
  for (let attempt = 0; attempt < 3 && !lost; attempt++) {
    report = await profile('buffers.ts', 'bumpPlainly', 'Array.from({ length: 6 }, () => [tally, 5_000_000])', { spread: true, strategies: ['sequential', 'threads'] });
    lost = run(report, 'threads').sharedValues?.find((v) => v.name === 'tally')?.lost;
  }
  assert.equal(run(report!, 'sequential').sharedValues?.find((v) => v.name === 'tally')?.change, 30_000_000);
  assert.ok(lost! > 0, JSON.stringify(run(report!, 'threads').sharedValues));
  const race = report!.warnings.find((w) => w.kind === 'race' && w.shared === 'tally');
  assert.match(race?.message ?? '', /^threads: updates to tally were lost: the calls changed the sum of its items by [\d,]+, where the sequential run changed it by 30,000,000 .*`for \(let i = 0; i < n; i\+\+\) shared\[0\]\+\+` reads the item and writes it back in two steps.*fix: use Atomics\.add\(view, i, n\)/);
  assert.equal(race?.location?.line, readFileSync(fixture('buffers.ts'), 'utf8').split('\n').findIndex((l) => l.includes('shared[0]++;')) + 1);
  assert.match(report!.verdict, /it loses updates to tally in threads/);
  // Only stores, the last call's value kept: whichever call stores last, no update is lost.
  const stores = await profile('buffers.ts', 'storeLast', 'Array.from({ length: 6 }, (_, i) => [tally, i + 1])', { spread: true, strategies: ['sequential', 'threads'] });
  assert.equal(run(stores, 'sequential').sharedValues?.find((v) => v.name === 'tally')?.change, 6);
  assert.ok(!stores.warnings.some((w) => w.kind === 'race'), stores.warnings.map((w) => w.message).join('\n'));
});

test('a result that throws when read, or a thrown value that does, fails its task in every strategy; no worker dies, nothing hangs', async () => {
  const report = await profile('results.ts', 'throwsWhenRead', '["getter", "proxy", "thrown"]');
  for (const strategy of ['sequential', 'threads', 'processes']) {
    const r = run(report, strategy);
    assert.deepEqual(r.tasks.map((t) => t.status), ['error', 'error', 'error'], strategy);
    assert.match(r.tasks[0].error!, /^input #0: reading the result threw Error: no total yet \(.*results\.ts:\d+\), so it cannot be sent between workers; return plain data/);
    assert.match(r.tasks[1].error!, /^Error: trap/);
    assert.match(r.tasks[2].error!, /^a thrown value that throws again when read/);
    assert.equal(r.lanes.length, strategy === 'sequential' ? 1 : 2, `${strategy}: no worker was replaced`);
  }
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'crash' || w.kind === 'hang'), []);
});

test('a function deep inside a big result fails its task in the thread pool, as in processes: no crash', async () => {
  const report = await profile('results.ts', 'functionDeepInside', '[1, 2, 3]', { strategies: ['threads', 'processes'] });
  for (const task of run(report, 'threads').tasks) {
    assert.equal(task.status, 'error');
    assert.match(task.error!, /^input #\d: the result cannot be sent between workers: structured clone refused something deep inside it, past the first 10,000 values the worker looks through/);
  }
  assert.ok(run(report, 'processes').tasks.every((t) => t.status === 'error' && /could not be cloned/.test(t.error!)));
  // Each such answer costs its thread (piscina's worker dies on it), but no crash is reported.
  assert.deepEqual(report.warnings.filter((w) => w.kind === 'crash' || w.kind === 'hang'), []);
});

test('a generator or an iterator as the result is drawn as part of the call; one inside the result, or a Proxy, fails its task with the reason, and the worker lives on', async () => {
  const report = await profile('results.ts', 'uncloneable', '["generator", "iterator", "proxy", "nested"]');
  assert.deepEqual(run(report, 'sequential').tasks.map((t) => t.status), ['ok', 'ok', 'ok', 'ok']);
  for (const strategy of ['sequential', 'threads', 'processes']) {
    assert.deepEqual(run(report, strategy).tasks.slice(0, 2).map((t) => t.resultPreview), ['[ 1 ]', '[ 1, 2 ]'], strategy);
  }
  for (const strategy of ['threads', 'processes']) {
    const r = run(report, strategy);
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'ok', 'error', 'error'], strategy);
    assert.match(r.tasks[2].error!, /input #2: the result cannot be sent between workers: it holds a Proxy \(the result\)/);
    assert.match(r.tasks[3].error!, /it holds a generator \(the result\.values\) — collect its values first/);
    // Before, the thread pool sent the value anyway: piscina's worker died with no reason given.
    assert.equal(r.lanes.length, 2, `${strategy}: no worker was replaced`);
  }
  assert.equal(report.warnings.filter((w) => w.kind === 'crash').length, 0);
});

test('a class instance as the input: its missing methods are explained, in every strategy', async () => {
  const report = await profile('results.ts', 'doubledBox', 'boxes()');
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['error', 'error'], r.strategy);
    assert.match(r.tasks[1].error!, /^TypeError: box\.doubled is not a function \(.*results\.ts:\d+\) — input #1 holds a Box, which reaches a worker as a structured clone: its fields without its class or methods/, r.strategy);
  }
  // A plain object's TypeError is only the error.
  const plain = await profile('results.ts', 'doubledBox', '[{ count: 1 }]', { strategies: ['sequential'] });
  assert.match(run(plain, 'sequential').tasks[0].error!, /^TypeError: box\.doubled is not a function \([^)]*\)$/);
});

test('big results digest alike in every strategy, and one element changed in the middle changes the digest', async () => {
  const kinds = ['numbers', 'typed', 'buffer', 'strings', 'objects', 'map'];
  const inputs = JSON.stringify(kinds.flatMap((k) => [[k], [k, true]]));
  const report = await profile('results.ts', 'bigResult', inputs, { spread: true });
  const digests = run(report, 'sequential').tasks.map((t) => t.digest);
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.digest), digests, r.strategy);
  kinds.forEach((kind, i) => assert.notEqual(digests[2 * i], digests[2 * i + 1], `${kind}: the change shows`));
  assert.equal(new Set(digests).size, digests.length);
  assert.equal(report.warnings.filter((w) => w.kind === 'divergence').length, 0);
});

test('digests: key, Map and Set order do not matter; contents, types and where strings end do', () => {
  const d = (value: unknown) => describeResult(value).digest;
  assert.equal(d({ a: 1, b: [1, 2] }), d({ b: [1, 2], a: 1 }));
  assert.equal(d(new Map([[1, 'a'], [2, 'b']])), d(new Map([[2, 'b'], [1, 'a']])));
  assert.equal(d(new Set(['x', { y: 1 }])), d(new Set([{ y: 1 }, 'x'])));
  assert.notEqual(d(['a,b']), d(['a', 'b']));
  assert.notEqual(d(['s1:a']), d(['a']));
  assert.notEqual(d([1]), d(['1']));
  assert.notEqual(d({ a: 1 }), d({ a: '1' }));
  assert.notEqual(d(new Uint8Array([1, 2]).buffer), d(new Uint8Array([1, 3]).buffer));
  assert.notEqual(d(new Uint8Array([1])), d(new Int8Array([1])));
  const long = Array.from({ length: 100 }, (_, i) => i);
  assert.notEqual(d(long), d([...long.slice(0, 99), 100]));
  assert.notEqual(d(long), d(long.map(String)));
  assert.notEqual(d([long, 1]), d([1, long]));
  assert.notEqual(d('x'.repeat(100)), d('x'.repeat(101)));
  assert.equal(describeResult('x'.repeat(1_000_000)).resultPreview.length, 80);
  assert.equal(describeResult(long).resultPreview, '[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 90 more items ]');
  assert.notEqual(d({ 'a"b': 1 }), d({ 'a\\"b': 1 }));
});

test('a plain object of many keys is previewed by its first ten, as an array by its first items', () => {
  const many = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
  assert.equal(describeResult(many).resultPreview, '{ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, ... mor…');
  const some = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String.fromCharCode(97 + i), i]));
  assert.equal(describeResult(some).resultPreview, '{ a: 0, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7, i: 8, j: 9, ... more keys }');
  assert.equal(describeResult({ a: 1, b: { c: [1, 2] } }).resultPreview, '{ a: 1, b: { c: [ 1, 2 ] } }');
});

test("every line the user's code prints is passed on and counted in the run that printed it", async () => {
  // 4 × 5 000 lines of ~100 characters a run: worker threads pass their output on after their code
  // ends, and the runner used to end the run (and exit) without waiting for it.
  let printed = 0;
  const outcome = await startProfile(
    { target: { file: fixture('chatty.ts'), name: 'chatty', language: 'typescript' }, inputs: 'Array(4).fill(5000)', workers: 2 },
    { onOutput: (_stream, text) => (printed += text.split('\n').length - 1) },
  ).done;
  assert.ok(outcome.ok);
  assert.equal(printed, 3 * 20_000, 'no line lost');
  for (const r of outcome.report.runs) {
    // Output and events travel in separate pipes: at most a pipe's worth (64 KiB, ~650 lines) may be
    // counted in the next run.
    assert.ok(Math.abs((r.outputLines ?? 0) - 20_000) <= 1000, `${r.strategy}: ${r.outputLines} lines`);
  }
});
