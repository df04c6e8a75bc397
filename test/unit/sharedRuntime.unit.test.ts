/**
 * The runtime user code imports: the shared counter and named locks, across real threads and
 * processes, and outside the profiler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { profile, run, ROOT } from './engineKit';
import type { LockEvent, Report } from '../../src/core/model';
import { HOT_USES, TOLD_USES } from '../../src/runners/js/lockEvents';
import { ProcessSharedMemory, createProcessRegion, removeProcessRegion } from '../../src/runners/js/sharedMemory';

/** Each hold [acquire, release] of the lock starts after the previous one ended (± tolerance). */
function assertHeldOneAtATime(events: LockEvent[], toleranceMs: number, label = ''): void {
  // Pair each acquire with the release of the same task, in time order.
  const intervals: { from: number; to: number }[] = [];
  const open = new Map<string, number>();
  for (const e of [...events].sort((a, b) => a.atMs - b.atMs)) {
    const key = `${e.lane}:${e.task}`;
    if (e.kind === 'acquire') open.set(key, e.atMs);
    if (e.kind === 'release') {
      intervals.push({ from: open.get(key)!, to: e.atMs });
      open.delete(key);
    }
  }
  intervals.sort((a, b) => a.from - b.from);
  for (let i = 1; i < intervals.length; i++) {
    assert.ok(intervals[i].from >= intervals[i - 1].to - toleranceMs, `${label}: hold ${i} began ${intervals[i - 1].to - intervals[i].from} ms before the previous release`);
  }
  assert.ok(intervals.length > 0);
}

test('unsafeAdd loses updates in threads and in processes; the race warning says how many', async () => {
  // Contention is a matter of chance: each attempt makes it overwhelmingly likely; retry a little.
  // The calls must outlast the workers' start-up stagger (tens of ms between two threads here), or
  // the first worker is done before the second begins: a thread's update takes nanoseconds, a
  // process's a pread and a pwrite.
  for (const [strategy, times] of [['threads', 5_000_000], ['processes', 300_000]] as const) {
    let lost = 0;
    let report: Report | undefined;
    for (let attempt = 0; attempt < 3 && lost === 0; attempt++) {
      report = await profile('racyCounter.ts', 'racyIncrement', `Array(6).fill(${times})`, { strategies: [strategy] });
      lost = run(report, strategy).counter.lost;
    }
    const counter = run(report!, strategy).counter;
    assert.equal(counter.expected, 6 * times, `${strategy}: every call tallied`);
    assert.ok(lost > 0, `${strategy}: some updates were lost`);
    assert.equal(counter.observed, counter.expected - lost);
    const warning = report!.warnings.find((w) => w.kind === 'race' && w.strategy === strategy);
    assert.ok(warning, `${strategy}: race warning`);
    assert.match(warning!.message, new RegExp(`${lost} of ${6 * times} counter updates were lost`));
    assert.match(warning!.message, /counter\.add\(\)/);
    assert.equal(warning!.location?.line, 5, 'points at the unsafeAdd line');
  }
});

test('add is exact in every strategy', async () => {
  const report = await profile('racyCounter.ts', 'safeIncrement', 'Array(4).fill(20_000)');
  for (const r of report.runs) {
    assert.deepEqual(r.counter, { expected: 80_000, observed: 80_000, lost: 0 }, r.strategy);
  }
  assert.equal(report.warnings.filter((w) => w.kind === 'race').length, 0);
});

test('a lock excludes across threads and across processes: unsafeAdd under withLock loses nothing', async () => {
  const report = await profile('lockExclusion.ts', 'lockedIncrement', 'Array(4).fill(3_000)', { strategies: ['threads', 'processes'] });
  for (const r of report.runs) {
    assert.deepEqual(r.counter, { expected: 12_000, observed: 12_000, lost: 0 }, r.strategy);
    assertHeldOneAtATime(r.locks, 0, r.strategy);
    // Each worker tells a lock's first HOT_USES uses; after that, only long waits (lockEvents.ts).
    const acquires = r.locks.filter((e) => e.kind === 'acquire').length;
    const lanes = new Set(r.tasks.map((t) => t.lane)).size;
    assert.ok(acquires >= HOT_USES && acquires <= HOT_USES * lanes + 50, `${r.strategy}: ${acquires} acquires told of 12,000 by ${lanes} workers`);
    assert.ok(r.locks.every((e) => e.site?.file.endsWith('lockExclusion.ts')), 'lock sites are in the user file');
  }
});

test('a worker that exits while holding a lock does not keep it: the next tasks take it, in threads and in processes', async () => {
  const report = await profile('lockExclusion.ts', 'exitHolding', '[0, 1, 2]', { strategies: ['threads', 'processes'] });
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.status).sort(), ['crashed', 'ok', 'ok'], r.strategy);
});

test('a call that returns holding a lock: a deadlock warning at its acquire, the lock released, the run goes on', async () => {
  const report = await profile('lockLeftHeld.ts', 'save', 'Array.from({ length: 8 }, (_, i) => i + 1)', { hangTimeoutMs: 5000 });
  for (const strategy of ['sequential', 'threads', 'processes']) {
    assert.ok(run(report, strategy).tasks.every((t) => t.status === 'ok'), `${strategy}: every call ends by itself`);
    const warning = report.warnings.find((w) => w.kind === 'deadlock' && w.strategy === strategy);
    assert.match(warning?.message ?? '', /^\w+: input #2 \(and 1 more call\) ended holding lock "db" at .*lockLeftHeld\.ts:7, never released — in a program, every later acquire of it would wait for ever.*withLock\("db", \(\) => …\)/);
    assert.equal(warning?.location?.line, 7);
  }
  assert.ok(!report.warnings.some((w) => w.kind === 'hang' || w.kind === 'error'), report.warnings.map((w) => w.message).join('\n'));
  assert.match(report.verdict, /^save deadlocks at lockLeftHeld\.ts:7/);
});

test('a hot lock costs no event per use: a loop under a lock tells its first uses only, and the counter stays exact', async () => {
  const report = await profile('hotLocks.ts', 'lockedLoop', '[20_000, 20_000]', { strategies: ['sequential', 'threads', 'processes'] });
  for (const r of report.runs) {
    assert.deepEqual(r.counter, { expected: 40_000, observed: 40_000, lost: 0 }, r.strategy);
    const acquires = r.locks.filter((e) => e.kind === 'acquire').length;
    if (r.strategy === 'sequential') assert.equal(acquires, HOT_USES, 'one worker, no waits: exactly its first uses');
    // Two workers contend for the lock, and a wait of a hot lock is told only once it is long.
    else assert.ok(acquires <= 2 * HOT_USES + 200, `${r.strategy}: ${acquires} acquires told of 40,000`);
    assertHeldOneAtATime(r.locks, 0, r.strategy);
    // The uses told as no event are tallied per worker, so that the waits of the whole run are measured.
    const hot = (r.hotLocks ?? []).filter((h) => h.lock === 'total');
    assert.equal(acquires + hot.reduce((sum, h) => sum + h.uses, 0), 40_000, `${r.strategy}: ${JSON.stringify(r.hotLocks)}`);
    assert.ok(hot.every((h) => h.waitMs >= 0 && r.lanes.some((l) => l.id === h.lane)), JSON.stringify(hot));
  }
});

test('a lock per account: the uses told in full are capped per worker, all locks together', async () => {
  const report = await profile('hotLocks.ts', 'manyLocks', '[[50, 300]]', { strategies: ['sequential'], spread: true });
  // 50 locks of 300 uses each: each would be told in full (under HOT_USES), 15,000 in all.
  assert.equal(report.runs[0].locks.filter((e) => e.kind === 'acquire').length, TOLD_USES);
});

test('a hot lock still tells a long wait, with where it was asked for', async () => {
  const report = await profile('hotLocks.ts', 'waitWhenHot', '[0, 1]', { strategies: ['threads', 'processes'] });
  for (const r of report.runs) {
    const requests = r.locks.filter((e) => e.kind === 'request' && e.task === 1);
    // Its first HOT_USES uses, and the wait for input 0's hold of 300 ms.
    assert.ok(requests.length > HOT_USES, `${r.strategy}: ${requests.length} requests told`);
    const last = requests.at(-1)!;
    assert.match(`${last.site?.file}:${last.site?.line}`, /hotLocks\.ts:52$/);
    assert.ok(r.locks.some((e) => e.kind === 'acquire' && e.task === 1 && e.atMs >= last.atMs && e.lane === last.lane), `${r.strategy}: the wait ends in an acquire`);
  }
});

test('a task taking hot locks for longer than the hang timeout is getting on, not hung', async () => {
  const report = await profile('hotLocks.ts', 'lockedFor', '[2000]', { strategies: ['sequential', 'processes'], hangTimeoutMs: 1000 });
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.status), ['ok'], r.strategy);
  assert.equal(report.warnings.filter((w) => w.kind === 'hang').length, 0);
});

test('a lock order first taken while both locks are hot is still told: the lock-order warning', async () => {
  const report = await profile('hotLocks.ts', 'ordersWhenHot', '[0, 1]', { strategies: ['sequential'] });
  assert.equal(report.runs[0].locks.filter((e) => e.task === 1 && e.kind === 'acquire').length, 2, 'input 1: only its first b-then-a, revealed');
  const warning = report.warnings.find((w) => w.kind === 'lock-order');
  assert.ok(warning, 'lock-order warning');
  assert.match(warning!.message, /the same code at .*hotLocks\.ts:41 takes lock "a" then "b" for input #0, and "b" then "a" for input #1/);
});

test('spans of different processes line up on one clock: a lock handover is never seen before its release', async () => {
  const report = await profile('lockHandover.ts', 'holdLock', '[0, 1, 2, 3, 4, 5, 6, 7]', { strategies: ['processes'] });
  const locks = run(report, 'processes').locks;
  // Clocks more than 1 ms apart would show a process taking the lock before another released it.
  assertHeldOneAtATime(locks, 1);
  const lanes = new Set(locks.map((e) => e.lane));
  assert.ok(lanes.size >= 2, 'both processes took the lock');
});

test('a process region: every read sums every add so far, read again and again from two holders', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-region-'));
  const region = createProcessRegion(dir);
  const [one, other] = [new ProcessSharedMemory(region), new ProcessSharedMemory(region)];
  let expected = 0;
  for (let i = 1; i <= 60; i++) {
    one.add(i);
    expected += i;
    if (i % 3 === 0) {
      other.unsafeAdd(2);
      expected += 2;
    }
    if (i % 2 === 0) assert.equal(other.read(), expected, `after ${i} adds`);
    assert.equal(one.read(), expected, `after ${i} adds`);
  }
  one.close();
  other.close();
  removeProcessRegion(region);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the runtime works outside the profiler', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-runtime-'));
  const script = path.join(dir, 'use.cjs');
  fs.writeFileSync(
    script,
    `const { counter, lock, withLock } = require(${JSON.stringify(path.join(ROOT, 'dist', 'runtime.js'))});
     counter.add(2); counter.unsafeAdd(3);
     const l = lock('a'); l.acquire(); l.release();
     const r = withLock('b', () => counter.value);
     console.log(r);`,
  );
  assert.equal(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim(), '5');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--repeat reports in how many repeats a race appeared', async () => {
  const report = await profile('racyCounter.ts', 'racyIncrement', 'Array(4).fill(300_000)', { strategies: ['threads'], repeat: 3 });
  assert.equal(report.runs.length, 3);
  const lossy = report.runs.filter((r) => r.counter.lost > 0).length;
  const warning = report.warnings.find((w) => w.kind === 'race');
  if (lossy === 0) {
    assert.equal(warning, undefined);
    return;
  }
  assert.deepEqual(warning!.seenIn, { repeats: lossy, of: 3 });
});

test('a lock held around the whole call: the pools\' calls take turns, a contention warning at the lock and the verdict say so; a lock around the update only gets none', async () => {
  const whole = await profile('coarseLock.ts', 'lockedWork', 'Array(8).fill(25)');
  for (const strategy of ['threads', 'processes']) {
    const warning = whole.warnings.find((w) => w.kind === 'contention' && w.strategy === strategy);
    assert.match(warning?.message ?? '', /waiting for lock "results" at .*coarseLock\.ts:6 — they do \d+% of their work holding it, .*\(Amdahl's law\)/, strategy);
    assert.equal(warning?.location?.line, 6);
  }
  assert.ok(!whole.warnings.some((w) => w.kind === 'contention' && w.strategy === 'sequential'));
  assert.match(whole.verdict, /calls spend \d+% of their time waiting for lock "results" \(coarseLock\.ts:6\) — hold it only around the update it guards/);
  const update = await profile('coarseLock.ts', 'lockedUpdate', 'Array(8).fill(25)');
  assert.ok(update.runs.every((r) => r.locks.some((e) => e.kind === 'acquire')), 'the lock was taken in every run');
  assert.ok(!update.warnings.some((w) => w.kind === 'contention'), update.warnings.map((w) => w.message).join('\n'));
});
