/**
 * Faults in Python user code, runner side: crashes (os._exit), per-task timeouts, kill-tasks
 * (what the controller sends for a deadlock), dump-stacks, cancel, stdin EOF, and no process left
 * behind — in threads and in processes, against real python3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, startHarness, descendants, eventually, FIXTURES, ofType, options, runHarness, tasksOf } from './pythonKit';
import type { RunnerEvent } from '../../src/core/protocol';

function workerPids(events: RunnerEvent[], harnessPid: number): number[] {
  return ofType(events, 'worker').map((w) => w.pid).filter((pid) => pid !== harnessPid);
}

test('os._exit in a process worker: that task crashed, a crash warning with the exit code, the pool continues', async () => {
  const r = await runHarness(options('osExit.py', 'risky', 'range(8)', { strategies: ['processes'] }));
  assert.equal(r.code, 0, r.stderr);
  const tasks = tasksOf(r.events, 0);
  assert.deepEqual(tasks.map((t) => t.status), ['ok', 'ok', 'crashed', 'ok', 'ok', 'ok', 'ok', 'ok']);
  assert.match(tasks[2].error ?? '', /exited with code 3 while running task 2/);
  const crash = ofType(r.events, 'warning').map((e) => e.warning).filter((w) => w.kind === 'crash');
  assert.equal(crash.length, 1);
  assert.match(crash[0].message, /exited with code 3/);
  assert.equal(crash[0].location?.line, 6);
  const exits = ofType(r.events, 'worker-exit');
  assert.ok(exits.some((e) => e.exitCode === 3 && e.lane === tasks[2].lane));
  assert.equal(ofType(r.events, 'worker').length, 3, 'a replacement worker took the next lane');
});

test('a task that fills memory is stopped in every strategy, with how much it took; the rest run', async () => {
  process.env.PARALLEL_PROFILER_HEAP_MB = '200';
  try {
    const r = await runHarness(options('eatsMemory.py', 'fill', '[1, 0, 2]'));
    assert.equal(r.code, 0, r.stderr);
    const crashes = ofType(r.events, 'warning').map((e) => e.warning).filter((w) => w.kind === 'crash');
    for (const [run, strategy] of ['sequential', 'threads', 'processes'].entries()) {
      const tasks = tasksOf(r.events, run);
      assert.deepEqual(tasks.map((t) => t.status), ['ok', 'crashed', 'ok'], strategy);
      const said = crashes.filter((w) => w.strategy === strategy);
      assert.equal(said.length, 1, strategy);
      assert.match(said[0].message, strategy === 'processes' ? /^input #1: the worker process \(pid \d+\) was stopped while running it: its memory grew by \d+ MB, over the 200 MB/ : /^input #1: the worker thread was stopped while running it: the harness reached \d+ MB of memory, over the \d+ MB its threads may use/);
      assert.equal(tasks[1].error, said[0].message);
      // A thread is stopped in the user's loop: the warning points at the line that allocates.
      if (strategy !== 'processes') assert.equal(said[0].location?.line, 7, strategy);
    }
  } finally {
    delete process.env.PARALLEL_PROFILER_HEAP_MB;
  }
});

test('the profiled code signalling its own process cancels the profile, and a warning says so', async () => {
  const r = await runHarness(options('signalsSelf.py', 'stop_self', '[0, 1, 2]'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(ofType(r.events, 'run-end')[0].aborted, 'cancelled');
  assert.equal(ofType(r.events, 'run-start').length, 1, 'no run after the cancelled one');
  const crash = ofType(r.events, 'warning').map((e) => e.warning).filter((w) => w.kind === 'crash');
  assert.equal(crash.length, 1);
  assert.match(crash[0].message, /^the harness received SIGTERM during the sequential run and cancelled the profile: it came from outside, or from the profiled code itself/);
  assert.equal(crash[0].strategy, 'sequential');
});

test('a segfault in a process worker: crashed with SIGSEGV, the pool continues', async () => {
  const r = await runHarness(options('segfault.py', 'touch', 'range(6)', { strategies: ['processes'] }));
  assert.equal(r.code, 0, r.stderr);
  const tasks = tasksOf(r.events, 0);
  assert.deepEqual(tasks.map((t) => t.status), ['ok', 'crashed', 'ok', 'ok', 'ok', 'ok']);
  assert.match(tasks[1].error ?? '', /was killed by SIGSEGV while running task 1/);
  assert.ok(ofType(r.events, 'worker-exit').some((e) => e.signal === 'SIGSEGV' && e.exitCode === null));
  assert.ok(ofType(r.events, 'warning').some((e) => e.warning.kind === 'crash' && /SIGSEGV/.test(e.warning.message)));
});

test('a worker process killed from outside (SIGKILL, as the OOM killer does): crashed, replaced', async () => {
  let killed = 0;
  const seen: RunnerEvent[] = [];
  const r = await runHarness(options('hangs.py', 'maybe_hang', 'range(6)', { strategies: ['processes'] }), (e) => {
    if (e.type === 'task-start' && e.index === 1) {
      const worker = ofType(seen, 'worker').find((w) => w.lane === e.lane);
      killed = worker!.pid;
      process.kill(killed, 'SIGKILL');
    }
    seen.push(e);
  });
  assert.equal(r.code, 0, r.stderr);
  const tasks = tasksOf(r.events, 0);
  assert.equal(tasks[1].status, 'crashed');
  assert.match(tasks[1].error ?? '', new RegExp(`worker process ${killed} was killed by SIGKILL`));
  assert.ok(tasks.filter((t) => t.index !== 1).every((t) => t.status === 'ok'));
});

test('os._exit in a thread ends only that task, not the harness', async () => {
  const r = await runHarness(options('osExit.py', 'risky', 'range(5)', { strategies: ['sequential', 'threads'] }));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1]) assert.deepEqual(tasksOf(r.events, run).map((t) => t.status), ['ok', 'ok', 'crashed', 'ok', 'ok']);
  assert.equal(r.events.at(-1)?.type, 'done');
  assert.ok(ofType(r.events, 'warning').some((e) => e.warning.kind === 'crash'));
});

test('per-task timeout: the stuck task is `timeout`, its worker replaced, the others finish', async () => {
  const r = await runHarness(options('hangs.py', 'maybe_hang', 'range(5)', { strategies: ['sequential', 'threads', 'processes'], taskTimeoutMs: 700 }), undefined, 40_000);
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1, 2]) {
    const tasks = tasksOf(r.events, run);
    assert.deepEqual(tasks.map((t) => t.status), ['ok', 'timeout', 'ok', 'ok', 'ok'], `run ${run}`);
    const lanes = ofType(r.events, 'worker').filter((w) => w.run === run).map((w) => w.lane);
    // Sequential has one worker: the tasks after the stuck one need its replacement (lane 1).
    if (run === 0) assert.deepEqual([lanes, tasks.map((t) => t.lane)], [[0, 1], [0, 0, 1, 1, 1]]);
    assert.notEqual(tasks[2].lane, tasks[1].lane, 'the stuck worker ran nothing else');
  }
  const killed = ofType(r.events, 'worker-exit').filter((e) => e.run === 2 && e.signal === 'SIGKILL');
  assert.equal(killed.length, 1);
  assert.ok(!workerPids(r.events, r.pid).some(alive));
});

for (const strategy of ['threads', 'processes'] as const) {
  test(`kill-tasks ends deadlocked ${strategy} tasks, frees their locks, and the run goes on`, async () => {
    const requested = new Set<string>();
    const r = await runHarness(options('lockDeadlock.py', 'transfer', 'range(4)', { strategies: [strategy] }), (e, control) => {
      // Stand in for the controller: once both of the first two tasks wait for a second lock, end them.
      if (e.type === 'lock' && e.kind === 'request' && (e.task === 0 || e.task === 1)) {
        requested.add(`${e.task}:${e.lock}`);
        if (requested.size === 4) control.send({ type: 'kill-tasks', run: 0, tasks: [0, 1], status: 'deadlocked', reason: 'deadlocked: stopped by the test' });
      }
      if (e.type === 'lock' && e.kind === 'request' && (e.task === 2 || e.task === 3)) {
        requested.add(`${e.task}:${e.lock}`);
        if (requested.size === 8) control.send({ type: 'kill-tasks', run: 0, tasks: [2, 3], status: 'deadlocked', reason: 'deadlocked again' });
      }
    }, 30_000);
    assert.equal(r.code, 0, r.stderr);
    const tasks = tasksOf(r.events, 0);
    assert.deepEqual(tasks.slice(0, 2).map((t) => t.status), ['deadlocked', 'deadlocked']);
    // Tasks 2 and 3 deadlock again when their workers overlap (then the second command ends them).
    assert.ok(tasks.slice(2).every((t) => t.status === 'ok' || (t.status === 'deadlocked' && t.error === 'deadlocked again')));
    assert.equal(tasks[0].error, 'deadlocked: stopped by the test');
    // Tasks 2 and 3 could take their first lock: the killed workers' locks were released.
    const acquired = ofType(r.events, 'lock').filter((l) => l.kind === 'acquire' && l.task >= 2);
    assert.equal(acquired.length, 2);
    const sites = ofType(r.events, 'lock').map((l) => l.site?.line);
    assert.ok(sites.every((line) => line === 9 || line === 11));
    assert.equal(ofType(r.events, 'worker').length, 4, 'each ended worker was replaced by a new lane');
    assert.ok(!workerPids(r.events, r.pid).some(alive));
  });

  /** Runs `name` of hangs.py on [0, 1], asks for the stacks while input 1 hangs, then stops it. */
  const hungStack = async (name: string) => {
    let asked = false;
    const r = await runHarness(options('hangs.py', name, '[0, 1]', { strategies: [strategy] }), (e, control) => {
      if (e.type === 'task-start' && e.index === 1 && !asked) {
        asked = true;
        setTimeout(() => control.send({ type: 'dump-stacks', run: 0 }), 300);
      }
      if (e.type === 'stacks') control.send({ type: 'kill-tasks', run: 0, tasks: [1], status: 'timeout', reason: 'hung' });
    }, 30_000);
    assert.equal(r.code, 0, r.stderr);
    const [stacks] = ofType(r.events, 'stacks');
    assert.ok(stacks, 'a stacks event');
    assert.equal(tasksOf(r.events, 0)[1].status, 'timeout');
    return stacks.workers.find((w) => w.task === 1)?.stack ?? '';
  };

  test(`dump-stacks answers with each busy ${strategy} worker's stack in the user's code`, async () => {
    assert.match(await hungStack('maybe_hang'), /hangs\.py", line 6, in maybe_hang\n\s+time\.sleep/);
  });

  test(`dump-stacks of an async call in ${strategy} shows where it awaits, not only its event loop's wait`, async () => {
    assert.match(await hungStack('awaits_forever'), /selectors\.py.*\n.*\n  File ".*hangs\.py", line 15, in awaits_forever\n    awaiting (an asyncio Future|<Future pending)/s);
  });

  test(`cancel stops ${strategy} at once: cancelled tasks, run-end, done, exit 0, no process left`, async () => {
    let pids: number[] = [];
    const r = await runHarness(options('hangs.py', 'maybe_hang', 'range(6)', { strategies: [strategy, 'sequential'] }), (e, control) => {
      if (e.type === 'task-start' && e.index === 1) {
        pids = descendants(control.pid);
        control.send({ type: 'cancel' });
      }
    }, 20_000);
    assert.equal(r.code, 0, r.stderr);
    const tasks = tasksOf(r.events, 0);
    assert.equal(tasks.length, 6);
    assert.equal(tasks[1].status, 'cancelled');
    assert.ok(tasks.filter((t) => t.index > 1).every((t) => t.status === 'cancelled' || t.status === 'ok'));
    assert.equal(ofType(r.events, 'run-end')[0].aborted, 'cancelled');
    assert.equal(ofType(r.events, 'run-start').length, 1, 'later strategies do not start');
    assert.equal(r.events.at(-1)?.type, 'done');
    if (strategy === 'processes') assert.ok(pids.length >= 2, 'workers were seen running');
    assert.ok(await eventually(() => !pids.some(alive)), 'no worker outlives the harness');
  });
}

test('a thread stuck in an endless Python loop is ended and really stops (async interrupt)', async () => {
  const r = await runHarness(options('spinForever.py', 'spin_forever', '[0, 1, 2, 3]', { strategies: ['threads'] }), (e, control) => {
    if (e.type === 'task-start' && e.index === 1) setTimeout(() => control.send({ type: 'kill-tasks', run: 0, tasks: [1], status: 'timeout', reason: 'hung' }), 200);
  }, 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(tasksOf(r.events, 0).map((t) => t.status), ['ok', 'timeout', 'ok', 'ok']);
  const lane = tasksOf(r.events, 0)[1].lane;
  assert.ok(
    ofType(r.events, 'log').some((l) => l.message === `the thread of ended worker ${lane} (run 0) has stopped`),
    'the abandoned thread stopped',
  );
});

test("user code reading stdin gets end-of-file and cannot swallow the controller's commands", async () => {
  const r = await runHarness(options('readsStdin.py', 'ask', '[0, 1, 2]', { strategies: ['sequential'] }), (e, control) => {
    if (e.type === 'task-start' && e.index === 1) setTimeout(() => control.send({ type: 'cancel' }), 100);
  }, 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(tasksOf(r.events, 0).map((t) => [t.status, t.resultPreview]), [['ok', "'eof'"], ['cancelled', undefined], ['cancelled', undefined]]);
  assert.equal(ofType(r.events, 'run-end')[0]?.aborted, 'cancelled');
});

test('dump-stacks on a worker process stuck in native code holding the GIL: a faulthandler stack', async () => {
  let asked = false;
  const r = await runHarness(options('regexHang.py', 'match', '[0, 1, 2]', { strategies: ['processes'] }), (e, control) => {
    if (e.type === 'task-start' && e.index === 1 && !asked) {
      asked = true;
      setTimeout(() => control.send({ type: 'dump-stacks', run: 0 }), 300);
    }
    if (e.type === 'stacks') control.send({ type: 'kill-tasks', run: 0, tasks: [1], status: 'timeout', reason: 'hung' });
  }, 30_000);
  assert.equal(r.code, 0, r.stderr);
  const [stacks] = ofType(r.events, 'stacks');
  const busy = stacks?.workers.find((w) => w.task === 1);
  assert.match(busy?.stack ?? '', /File "[^"]*regexHang\.py", line 7 in match/);
  assert.deepEqual(tasksOf(r.events, 0).map((t) => t.status), ['ok', 'timeout', 'ok']);
});

test('stdin closing (the controller is gone) cancels and exits', async () => {
  const h = startHarness(options('hangs.py', 'maybe_hang', 'range(4)', { strategies: ['processes'] }));
  await h.until('"type":"task-start","run":0,"index":1');
  const pids = descendants(h.child.pid!);
  h.child.stdin!.end();
  assert.equal(await h.closed, 0);
  assert.match(h.events(), /"aborted":"cancelled"/);
  assert.ok(await eventually(() => !pids.some(alive)));
});

test('SIGKILL of the harness takes its worker processes down too (no orphans)', async () => {
  const h = startHarness(options('hangs.py', 'maybe_hang', 'range(4)', { strategies: ['processes'] }));
  await h.until('"type":"task-start","run":0,"index":1');
  const pids = descendants(h.child.pid!);
  assert.ok(pids.length >= 2, `workers running: ${pids}`);
  h.child.kill('SIGKILL');
  await h.closed;
  assert.ok(await eventually(() => !pids.some(alive), 5000), `left behind: ${pids.filter(alive)}`);
});

test("a worker process kept alive after its tasks (a Queue's items nobody took, a thread that never ends): a hang warning naming the cause, the workers stopped", async () => {
  const source = readFileSync(join(FIXTURES, 'lingers.py'), 'utf8').split('\n');
  const lineOf = (start: string) => source.findIndex((l) => l.startsWith(start)) + 1;
  const queued = await runHarness(options('lingers.py', 'produce', '[200] * 4', { strategies: ['processes'] }));
  assert.equal(queued.code, 0, queued.stderr);
  assert.deepEqual(tasksOf(queued.events, 0).map((t) => t.status), ['ok', 'ok', 'ok', 'ok']);
  const hang = ofType(queued.events, 'warning').map((e) => e.warning).find((w) => w.kind === 'hang');
  assert.match(hang?.message ?? '', /^processes: a worker process did not exit within 2 s of its last task and was stopped — a real pool's shutdown would wait for it forever: its calls put items on the multiprocessing Queue results \(made at .*lingers\.py:\d+\) that nobody took \(\d+ still waiting/);
  assert.equal(hang!.location?.line, lineOf('results = Queue()'));

  const threaded = await runHarness(options('lingers.py', 'start_watcher', 'range(2)', { strategies: ['processes'] }));
  const thread = ofType(threaded.events, 'warning').map((e) => e.warning).find((w) => w.kind === 'hang');
  assert.match(thread?.message ?? '', /its calls started the thread 'watcher' \(running poll at .*lingers\.py:\d+\), which is not a daemon thread/);
  assert.equal(thread!.location?.line, lineOf('def poll'));
  // The worker that ran them was stopped (one may have run every call, and the other left by itself).
  for (const r of [queued, threaded]) assert.ok(ofType(r.events, 'worker-exit').some((e) => e.signal === 'SIGKILL'));

  // A daemon thread does not keep the worker: no warning, the workers leave by themselves.
  const daemon = await runHarness(options('lingers.py', 'start_daemon', 'range(2)', { strategies: ['processes'] }));
  assert.ok(!ofType(daemon.events, 'warning').some((e) => e.warning.kind === 'hang'));
  assert.ok(ofType(daemon.events, 'worker-exit').every((e) => e.exitCode === 0), JSON.stringify(ofType(daemon.events, 'worker-exit')));
});
