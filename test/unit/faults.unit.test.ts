/**
 * Broken parallel code: every case ends with a report, a warning that says what happened and
 * where, the remaining tasks done, and no process left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryRows } from '../../src/core/textSummary';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, describePids, descendants, fixture, leftovers, profile, run } from './engineKit';
import { startProfile } from '../../src/core/profile';
import type { Report } from '../../src/core/model';
import { ProcFile } from '../../src/runners/js/memoryWatch';

const parallel = ['threads', 'processes'] as const;

async function withoutLeftovers<T>(body: () => Promise<T>): Promise<T> {
  const before = descendants();
  const result = await body();
  const left = await leftovers(before);
  assert.deepEqual(left, [], `processes left behind:\n${describePids(left)}`);
  return result;
}

function statuses(report: Report, strategy: string): string[] {
  return run(report, strategy).tasks.map((t) => t.status);
}

test('an actual deadlock is found, explained with both acquisition sites, and its workers stopped', async () => {
  const report = await withoutLeftovers(() => profile('lockOrderDeadlock.ts', 'transfer', '[0, 1, 2, 3]', { strategies: [...parallel] }));
  for (const strategy of parallel) {
    assert.ok(statuses(report, strategy).includes('deadlocked'), `${strategy}: tasks marked deadlocked`);
    const warning = report.warnings.find((w) => w.kind === 'deadlock' && w.strategy === strategy);
    assert.ok(warning, `${strategy}: deadlock warning`);
    assert.match(warning!.message, /worker \d+ \(input #\d\) holds "a" at .*lockOrderDeadlock\.ts:10 and waits for "b" at .*lockOrderDeadlock\.ts:13/);
    assert.match(warning!.message, /holds "b" at .*:10 and waits for "a" at .*:13/);
    assert.equal(warning!.location?.line, 13);
    assert.equal(run(report, strategy).tasks.length, 4, 'every task accounted for');
  }
  assert.match(report.verdict, /deadlocks/);
});

test('a deadlock of hot locks (past the uses told one by one) is found as a deadlock, not a hang', async () => {
  // A hang timeout of ten minutes: only the deadlock watch can end this run in time.
  const report = await withoutLeftovers(() =>
    profile('hotLocks.ts', 'transferHot', "[['a', 'b'], ['b', 'a']]", { strategies: [...parallel], spread: true, hangTimeoutMs: 600_000 }),
  );
  for (const strategy of parallel) {
    assert.deepEqual(statuses(report, strategy), ['deadlocked', 'deadlocked'], strategy);
    const warning = report.warnings.find((w) => w.kind === 'deadlock' && w.strategy === strategy);
    assert.ok(warning, `${strategy}: deadlock warning`);
    assert.match(warning!.message, /holds "a" at .*hotLocks\.ts:31 and waits for "b" at .*hotLocks\.ts:33/);
    assert.match(warning!.message, /holds "b" at .*hotLocks\.ts:31 and waits for "a" at .*hotLocks\.ts:33/);
  }
});

test('a deadlock in worker processes whose messages are still on their way as they block is found as a deadlock', async () => {
  // Each worker sends 2 MB just before it blocks: the wait it then tells must not stay behind them.
  const report = await withoutLeftovers(() => profile('lockOrderDeadlock.ts', 'floodedTransfer', '[0, 1]', { strategies: ['processes'], hangTimeoutMs: 600_000 }));
  assert.deepEqual(statuses(report, 'processes'), ['deadlocked', 'deadlocked']);
  assert.ok(report.warnings.some((w) => w.kind === 'deadlock' && w.strategy === 'processes'));
});

test('worker processes killed in a deadlock before any answer still count their CPU time (Linux)', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc' }, async () => {
  // Both tasks deadlock, so no worker ever answers with its CPU time: the runner reads it before the kill.
  const report = await profile('lockOrderDeadlock.ts', 'transfer', '[0, 1]', { strategies: ['processes'] });
  assert.deepEqual(statuses(report, 'processes'), ['deadlocked', 'deadlocked']);
  assert.ok((run(report, 'processes').cpuMs ?? 0) > 0, `processes CPU ${run(report, 'processes').cpuMs} ms`);
});

test('opposite lock orders that happen not to deadlock raise a lock-order warning', async () => {
  const report = await profile('lockOrderDeadlock.ts', 'quickTransfer', '[0, 1, 2, 3]', { strategies: ['sequential'] });
  assert.deepEqual(statuses(report, 'sequential'), ['ok', 'ok', 'ok', 'ok']);
  const warning = report.warnings.find((w) => w.kind === 'lock-order');
  assert.ok(warning, 'lock-order warning');
  // Both orders are taken at the same line (takeInOrder's), as each input gives them.
  assert.match(warning!.message, /the same code at .*lockOrderDeadlock\.ts:13 takes lock "a" then "b" for input #\d, and "b" then "a" for input #\d — which lock comes first depends on the call's input.*sort the two names first/);
});

test('opposite lock orders in two workers at once that do not meet: lock-order in threads and processes', async () => {
  const report = await profile('lockOrderDeadlock.ts', 'staggeredTransfer', '[0, 1]', { strategies: [...parallel] });
  for (const strategy of parallel) assert.deepEqual(statuses(report, strategy), ['ok', 'ok'], strategy);
  const warning = report.warnings.find((w) => w.kind === 'lock-order');
  assert.ok(warning, 'lock-order warning');
  assert.match(warning!.message, /the same code at .*lockOrderDeadlock\.ts:\d+ takes lock "a" then "b" for input #\d, and "b" then "a" for input #\d/);
  assert.equal(report.warnings.filter((w) => w.kind === 'deadlock').length, 0);
});

test('a hang is reported with what each worker was running and where; the rest still runs', async () => {
  const output: string[] = [];
  const report = await withoutLeftovers(() => profile('faults.ts', 'spinForever', '[0, 1, 2, 3]', { hangTimeoutMs: 3000 }, { onOutput: (_s, text) => output.push(text) }));
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'timeout', 'ok', 'ok'], r.strategy);
    const warning = report.warnings.find((w) => w.kind === 'hang' && w.strategy === r.strategy);
    assert.ok(warning, `${r.strategy}: hang warning`);
    assert.match(warning!.message, /no task finished and no lock was taken for 3 s \(running: worker \d+ on input #1\)/);
    // Worker threads are paused through the runner's inspector, worker processes through theirs
    // (processStacks.ts), where they spin: the user's loop, in the user's TS lines.
    const details = (warning!.details ?? []).join('\n');
    assert.match(details, /input #1\):\n {4}at spinForever \(.*faults\.ts:42:\d+\)$/, r.strategy);
    assert.deepEqual(warning!.location, { file: fixture('faults.ts'), line: 42 }, r.strategy);
    // Its line calls nothing: the loop itself, said so (hangWaits.ts).
    assert.match(warning!.message, /; worker \d+ \(input #1\) runs `while \(n === 1\) \{` at .*faults\.ts:42 without waiting on anything: a loop that never ends\?/, r.strategy);
  }
  // The inspector's note as the runner attaches to a worker process is not the user's output.
  assert.doesNotMatch(output.join(''), /Debugger attached/);
});

test('a promise that never settles: the sequential worker says so as it runs out of things to do; the hang of a pool says its worker sleeps', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'neverSettles', '[0, 1, 2, 3]', { hangTimeoutMs: 1500 }));
  for (const r of report.runs) assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'timeout', 'ok', 'ok'], r.strategy);
  const hang = (strategy: string) => report.warnings.find((w) => w.kind === 'hang' && w.strategy === strategy)?.message ?? '';
  // Before, the sequential worker's thread ended on its own, and that was a crash "with exit code 0".
  assert.match(hang('sequential'), /^sequential: input #1: its promise never settled, and nothing was left that could settle it .*the worker's event loop ran out/);
  assert.ok(!report.warnings.some((w) => w.kind === 'crash'), report.warnings.map((w) => w.message).join('\n'));
  if (process.platform === 'linux') {
    for (const strategy of ['threads', 'processes']) {
      assert.match(hang(strategy), /running: worker \d+ on input #1 \(idle, its call awaiting something that never settles: a promise nothing resolves/, strategy);
      // Every stuck worker idle: the reason is that, not "an endless loop".
      assert.match(hang(strategy), /; none of them was running JavaScript: each call awaits something that never settles — look for a promise whose resolve is never called/, strategy);
      assert.doesNotMatch(hang(strategy), /endless loop/, strategy);
    }
  }
});

test('two inputs that hang in one run: each is stopped, however they fall on the workers, and one warning lists both', async () => {
  // Sequentially the second hangs only once the first was stopped; in the process pool one of them
  // is sent ahead to the worker stuck on the other, and runs (and hangs) after that worker is stopped.
  const report = await withoutLeftovers(() => profile('faults.ts', 'spinForever', '[1, 1, 0, 2]', { hangTimeoutMs: 1000 }));
  assert.deepEqual(report.runs.map((r) => r.strategy), ['sequential', 'threads', 'processes']);
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['timeout', 'timeout', 'ok', 'ok'], r.strategy);
    const hangs = report.warnings.filter((w) => w.kind === 'hang' && w.strategy === r.strategy);
    assert.equal(hangs.length, 1, r.strategy);
    assert.match(hangs[0].message, /running: worker \d+ on input #\d, worker \d+ on input #\d\)/, r.strategy);
    assert.equal((hangs[0].details ?? []).filter((d) => /at spinForever \(.*faults\.ts:42:\d+\)$/.test(d)).length, 2, r.strategy);
  }
});

test('every input hangs: after three stalls in a row with nothing finished the profile stops, not one hang timeout per input', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'spinForever', '[1, 1, 1, 1, 1, 0]', { hangTimeoutMs: 1000 }));
  assert.deepEqual(report.runs.map((r) => r.strategy), ['sequential']);
  const sequential = run(report, 'sequential');
  assert.deepEqual(sequential.tasks.map((t) => t.status), ['timeout', 'timeout', 'timeout', 'cancelled', 'cancelled', 'cancelled']);
  assert.match(sequential.tasks[3].error ?? '', /^not run: the profile stopped after this run hung three times in a row/);
  assert.match(sequential.aborted ?? '', /^stopped: /);
  const hang = report.warnings.find((w) => w.kind === 'hang');
  assert.match(hang?.message ?? '', /running: worker \d+ on input #0, worker \d+ on input #1, worker \d+ on input #2\); .*so the profile stopped there/);
  assert.match(summaryRows(report)[0].strategy, /^sequential \(stopped\)$/);
});

test('a stall while nothing runs yet (workers still starting) is given another hang timeout, not taken for the end', async () => {
  // The workers take 2 s to load the module, over the 1.5 s hang timeout (and under twice it, with
  // room for a slow start); then input 1 hangs.
  const report = await withoutLeftovers(() => profile('slowStart.ts', 'spinOnOne', '[1, 0, 2]', { strategies: ['processes'], hangTimeoutMs: 1500 }));
  assert.deepEqual(run(report, 'processes').tasks.map((t) => t.status), ['timeout', 'ok', 'ok']);
  const hangs = report.warnings.filter((w) => w.kind === 'hang');
  assert.equal(hangs.length, 1);
  assert.match(hangs[0].message, /running: worker \d+ on input #0\)/);
});

test('a worker process stuck in a system call gives no stack: the place the same input was stuck at before stands in', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'spinOrBlock', '[0, 1, 2]', { hangTimeoutMs: 1000, strategies: ['sequential', 'processes'] }));
  const warning = report.warnings.find((w) => w.kind === 'hang' && w.strategy === 'processes');
  assert.ok(warning, 'hang warning');
  assert.match((warning!.details ?? []).join('\n'), /input #1\):\n\(no stack: in sequential, input #1 was stuck at .*faults\.ts:77\)$/);
  assert.deepEqual(warning!.location, { file: fixture('faults.ts'), line: 77 });
});

test('a thread blocked in Atomics.wait gives its stack too: the innermost line of the profiled file is the place', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'slowOne', '[0, 1, 2]', { hangTimeoutMs: 1000, strategies: ['threads'] }));
  const warning = report.warnings.find((w) => w.kind === 'hang');
  assert.ok(warning, 'hang warning');
  assert.match((warning!.details ?? []).join('\n'), /at block \(.*faults\.ts:5:\d+\)\n {4}at slowOne \(.*faults\.ts:49:\d+\)$/);
  assert.equal(warning!.location?.line, 5);
});

test('a thread stuck in a system call is left behind: its task ends, the others finish, nothing waits for it', async () => {
  // With 8 inputs the pool sends the stuck thread a task ahead, which the other runs once idle.
  const report = await withoutLeftovers(() => profile('faults.ts', 'blockInSyscall', '[0, 1, 2, 3, 4, 5, 6, 7]', { hangTimeoutMs: 1000, strategies: ['sequential', 'threads'] }));
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'timeout', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'], r.strategy);
    assert.match(r.tasks[1].error!, /^hung: no progress for 1 s; its thread stayed stuck in a system call .* could not be stopped/, r.strategy);
  }
  assert.equal(report.warnings.filter((w) => w.kind === 'hang').length, 2);
});

test('--task-timeout stops the slow task, replaces its worker, and the others finish', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'slowOne', '[0, 1, 2, 3]', { taskTimeoutMs: 500 }));
  for (const r of report.runs) {
    assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'timeout', 'ok', 'ok'], r.strategy);
    assert.match(r.tasks[1].error!, /ran longer than the task timeout \(500 ms\)/);
  }
});

for (const [fn, expectation] of [
  ['exitInTask', /exit code 3/],
  ['throwFromTimer', /thrown from a timer/],
  ['eatMemory', /memory/],
] as const) {
  test(`a crash (${fn}) is a crash warning; the pool replaces the worker and goes on`, async () => {
    process.env.PARALLEL_PROFILER_HEAP_MB = '200';
    try {
      const report = await withoutLeftovers(() => profile('faults.ts', fn, '[0, 1, 2, 3]'));
      for (const r of report.runs) {
        assert.deepEqual(r.tasks.map((t) => t.status), ['ok', 'crashed', 'ok', 'ok'], r.strategy);
        const warning = report.warnings.find((w) => w.kind === 'crash' && w.strategy === r.strategy);
        assert.ok(warning, `${r.strategy}: crash warning`);
        assert.match(warning!.message, expectation);
        if (fn === 'exitInTask') {
          // The worker wrote where the task called process.exit() as it exited (exitSite.ts).
          assert.match(warning!.message, /exit code 3, from process\.exit\(\) at .*faults\.ts:9\)/, r.strategy);
          assert.deepEqual(warning!.location, { file: fixture('faults.ts'), line: 9 }, r.strategy);
          assert.deepEqual(r.tasks[1].errorLocation, { file: fixture('faults.ts'), line: 9 }, r.strategy);
        }
      }
      assert.match(report.verdict, /crashes workers/);
    } finally {
      delete process.env.PARALLEL_PROFILER_HEAP_MB;
    }
  });
}

test('a worker process that fills memory outside the JS heap is stopped at its cap (Linux memory watch)', { skip: !fs.existsSync('/proc/self/status') }, async () => {
  process.env.PARALLEL_PROFILER_HEAP_MB = '300';
  try {
    const report = await withoutLeftovers(() => profile('faults.ts', 'eatBuffers', '[0, 1, 2, 3]', { strategies: ['processes'] }));
    assert.deepEqual(statuses(report, 'processes'), ['ok', 'crashed', 'ok', 'ok']);
    const warning = report.warnings.find((w) => w.kind === 'crash');
    assert.match(warning!.message, /input #1: .* was stopped while running it: it used \d+ MB of memory, over the 364 MB each worker may use/);
  } finally {
    delete process.env.PARALLEL_PROFILER_HEAP_MB;
  }
});

test('a worker thread that fills memory outside the JS heap is stopped, found by its page faults (Linux)', { skip: !fs.existsSync('/proc/thread-self') }, async () => {
  process.env.PARALLEL_PROFILER_HEAP_MB = '300';
  try {
    const report = await withoutLeftovers(() => profile('faults.ts', 'eatBuffers', '[0, 1, 2, 3]', { strategies: ['sequential', 'threads'] }));
    for (const r of report.runs) {
      assert.deepEqual(statuses(report, r.strategy), ['ok', 'crashed', 'ok', 'ok'], r.strategy);
      const warning = report.warnings.find((w) => w.kind === 'crash' && w.strategy === r.strategy);
      assert.match(warning!.message, /input #1: the worker thread was stopped while running it: it was filling memory outside its JS heap, and the runner reached \d+ MB, over the \d+ MB its threads may use/);
    }
  } finally {
    delete process.env.PARALLEL_PROFILER_HEAP_MB;
  }
});

test('the memory watch reads a process through the descriptor it opened, and nothing once the process is gone (Linux)', { skip: !fs.existsSync('/proc/self/status') }, async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  const status = new ProcFile(`/proc/${child.pid}/status`);
  try {
    const first = status.read();
    assert.match(first!, /^Name:\s+node/m);
    assert.equal(status.read()?.split('\n')[0], first!.split('\n')[0], 'read again from the start');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status.read(), undefined);
    assert.equal(new ProcFile('/proc/0/status').read(), undefined);
  } finally {
    child.kill('SIGKILL');
    status.close();
  }
});

test('a worker process killed by a signal is a crash with the signal', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'killSelf', '[0, 1, 2, 3]', { strategies: ['processes'] }));
  assert.deepEqual(statuses(report, 'processes'), ['ok', 'crashed', 'ok', 'ok']);
  assert.match(report.warnings.find((w) => w.kind === 'crash')!.message, /signal SIGKILL/);
  assert.ok(run(report, 'processes').lanes.some((l) => l.signal === 'SIGKILL'));
});

test('a runner killed during a run keeps the task ends written before, with their results', async () => {
  // A thread that kills its own process kills the runner: the threads run is lost, and the report
  // holds the process pool's run, read from the ok file the runner wrote (protocol.ts, OK_FILE).
  const report = await withoutLeftovers(() => profile('faults.ts', 'killSelf', '[0, 1, 2, 3]', { strategies: ['processes', 'threads'] }));
  assert.match(report.warnings.map((w) => w.message).join('\n'), /the runner process stopped unexpectedly \(SIGKILL\)/);
  assert.deepEqual(statuses(report, 'processes'), ['ok', 'crashed', 'ok', 'ok']);
  assert.deepEqual(run(report, 'processes').tasks.map((t) => t.digest), ['n:0', undefined, 'n:2', 'n:3']);
});

test('a pool worker that dies with a task sent ahead to it: that task runs on another worker', async () => {
  const report = await withoutLeftovers(() => profile('faults.ts', 'exitInTask', '[0, 1, 2, 3, 4, 5, 6, 7]', { strategies: ['threads', 'processes'] }));
  for (const r of report.runs) {
    assert.deepEqual(statuses(report, r.strategy), ['ok', 'crashed', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'], r.strategy);
    assert.deepEqual(r.tasks.map((t) => t.digest), ['n:0', undefined, 'n:2', 'n:3', 'n:4', 'n:5', 'n:6', 'n:7'], r.strategy);
  }
});

for (const [fn, status, options] of [
  ['countThenExit', 'crashed', {}],
  ['countThenSpin', 'timeout', { taskTimeoutMs: 500 }],
] as const) {
  test(`the sequential loop's worker ends after many quick calls (${fn}): each call it finished counts once, ok, and the loop goes on`, async () => {
    // The loop reports its calls 100 ms' worth at a time: on exit, those not yet reported go out
    // then; when the runner stops the thread, they come from the task table, without their results.
    const report = await withoutLeftovers(() => profile('exitsAfterMany.ts', fn, 'Array.from({length: 300}, (_, i) => i)', { strategies: ['sequential'], ...options }));
    const r = run(report, 'sequential');
    assert.deepEqual(r.tasks.map((t) => t.status), Array.from({ length: 300 }, (_, i) => (i === 200 ? status : 'ok')));
    assert.deepEqual(r.counter, { expected: 300, observed: 300, lost: 0 }, 'every call ran once');
    assert.ok(r.tasks.every((t) => t.endMs >= t.startMs && t.startMs > 0), 'every call has its timing');
    const results = r.tasks.filter((t) => t.digest !== undefined);
    assert.ok(results.every((t) => t.digest === `n:${t.index}`));
    assert.ok(r.tasks.slice(201).every((t) => t.digest !== undefined), 'the calls after it report their results');
    if (fn === 'countThenExit') assert.equal(results.length, 299, 'an exit reports every result');
  });
}

test('cancel stops every worker and still gives a partial report with cancelled tasks', async () => {
  const before = descendants();
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const handle = startProfile(
    { target: { file: fixture('faults.ts'), name: 'slow', language: 'typescript' }, inputs: '[0, 1, 2, 3, 4, 5]', workers: 2, strategies: ['processes', 'threads'] },
    { onEvent: (e) => e.type === 'worker' && e.readyMs !== undefined && started() }, // a ready worker takes a task at once
  );
  await running;
  handle.cancel();
  const outcome = await handle.done;
  assert.ok(outcome.ok);
  const report = outcome.report;
  assert.equal(report.cancelled, true);
  assert.deepEqual(report.runs.map((r) => r.strategy), ['processes'], 'later strategies do not start');
  assert.ok(statuses(report, 'processes').every((s) => s === 'cancelled' || s === 'ok'));
  assert.ok(statuses(report, 'processes').includes('cancelled'));
  const left = await leftovers(before);
  assert.deepEqual(left, [], describePids(left));
});

test('cancel with more inputs than the thread pool holds at once: every input still ends cancelled', async () => {
  const before = descendants();
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  // runThreads.ts gives piscina 1024 tasks at a time; the rest wait in the runner.
  const handle = startProfile(
    { target: { file: fixture('faults.ts'), name: 'slow', language: 'typescript' }, inputs: 'Array(3000).fill(0)', workers: 2, strategies: ['threads'] },
    { onEvent: (e) => e.type === 'worker' && e.readyMs !== undefined && started() },
  );
  await running;
  handle.cancel();
  const outcome = await handle.done;
  assert.ok(outcome.ok);
  const tasks = run(outcome.report, 'threads').tasks;
  assert.equal(tasks.length, 3000);
  assert.ok(tasks.every((t) => t.status === 'cancelled'), [...new Set(tasks.map((t) => t.status))].join(', '));
  const left = await leftovers(before);
  assert.deepEqual(left, [], describePids(left));
});

/** The CLI profiling with `args`, once its stderr has said `started` and `settleMs` more have passed. */
async function cliUnderWay(args: string[], started: string, settleMs: number) {
  const child = spawn(process.execPath, [CLI, 'profile', ...args], { cwd: ROOT });
  let stderr = '';
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes(started)) resolve();
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stderr: () => stderr };
}

test('Ctrl+C on the CLI cancels and still writes the partial report', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pp-sigint-')), 'report.json');
  // Interrupt once the sequential run is under way (its first task takes 2 s).
  const cli = await cliUnderWay([fixture('faults.ts'), 'slow', '--inputs', '[0, 1, 2, 3, 4, 5]', '--workers', '2', '--out', out], 'sequential (1 worker)', 300);
  cli.child.kill('SIGINT');
  const code = await cli.exited;
  assert.equal(code, 130, cli.stderr());
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
  assert.equal(report.cancelled, true);
  assert.ok(report.runs[0].tasks.some((t) => t.status === 'cancelled'));
});

test('the CLI stopped from outside (SIGTERM) stops the runner and every worker too', async () => {
  const cli = await cliUnderWay([fixture('faults.ts'), 'spinForever', '--inputs', '[0, 1, 1, 2]', '--workers', '2', '--strategies', 'processes'], 'processes (2 workers)', 500);
  // The runner has a process group of its own: once the CLI is gone it is no descendant of this test.
  const started = descendants(cli.child.pid);
  assert.ok(started.length >= 3, `the runner and its workers: ${describePids(started)}`);
  cli.child.kill('SIGTERM');
  const code = await cli.exited;
  assert.equal(code, 143, cli.stderr());
  let alive = started;
  for (let i = 0; i < 20 && alive.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const live = descendants(1);
    alive = alive.filter((pid) => live.includes(pid));
  }
  assert.deepEqual(alive, [], describePids(alive));
});

test('an inputs expression that never returns is one clear error, not a hung profile', async () => {
  const outcome = await withoutLeftovers(() =>
    startProfile({ target: { file: fixture('faults.ts'), name: 'slow', language: 'typescript' }, inputs: 'neverEnding()', hangTimeoutMs: 1000 }).done,
  );
  assert.equal(outcome.ok, false);
  assert.match(!outcome.ok ? outcome.error : '', /faults\.ts: loading the module and evaluating the inputs did not finish within 1 s/);
});
