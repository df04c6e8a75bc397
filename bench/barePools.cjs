// The bare pools the bench compares against, each run in a fresh Node process of its own, as the
// profiler's runner is: a pool reused in a long-lived process would have its JIT warmed by earlier
// rounds, which no user's first run has.
//   node barePools.cjs piscina|processes|loop|ourWorker <tasks> <steps> <workers>
// prints the wall time in ms, from asking for the pool to the last result. `ourWorker` is the bare
// piscina pool running the profiler's own thread worker (dist/threadWorker.js) instead of the bare
// one: what of the thread pool's cost is the worker's, with nothing of the runner around it.
const { fork } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const path = require('node:path');
const { Piscina } = require('piscina');

async function barePiscina(tasks, steps, workers, ourWorker = false) {
  const t0 = performance.now();
  // Configured as the profiled pool is (runThreads.ts): each worker gets its next task while it
  // runs one, while more tasks are left than workers.
  let undistributed = tasks;
  const pool = new Piscina({
    filename: ourWorker ? path.join(__dirname, '..', 'dist', 'threadWorker.js') : path.join(__dirname, 'barePiscinaWorker.cjs'),
    // What runThreads.ts gives its workers: the target, the clock's origin, the shared memory
    // (sharedMemory.ts; generously sized) and the task table (taskTable.ts: 28 bytes a task).
    ...(ourWorker && {
      workerData: { bundle: path.join(__dirname, 'workTarget.cjs'), originEpochMs: Number(process.hrtime.bigint()) / 1e6, buffer: new SharedArrayBuffer(65536), table: new SharedArrayBuffer(28 * tasks) },
      execArgv: [],
    }),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: 2,
    loadBalancer: (_task, all) => {
      const worker = all.find((w) => w.currentUsage === 0) ?? (undistributed > workers ? all.find((w) => w.currentUsage === 1) : undefined);
      if (worker) undistributed--;
      return worker ?? null;
    },
  });
  // The profiler's worker takes a task as its input index, then its arguments (threadWorker.ts).
  await Promise.all(Array.from({ length: tasks }, (_, index) => pool.run(ourWorker ? [index, steps] : steps)));
  const wall = performance.now() - t0;
  await pool.destroy();
  return wall;
}

async function bareProcesses(tasks, steps, workers) {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const children = [];
  await new Promise((resolve) => {
    for (let w = 0; w < workers; w++) {
      const child = fork(path.join(__dirname, 'bareChild.cjs'), [], { serialization: 'advanced' });
      children.push(child);
      // One task running and one sent ahead while more tasks are left than workers, as the
      // profiler's pool (and Python's ProcessPoolExecutor) does.
      let sent = 0;
      const feed = () => {
        while (next < tasks && (sent === 0 || (sent === 1 && tasks - next > workers))) {
          sent++;
          child.send({ i: next++, steps });
        }
      };
      child.on('message', (m) => {
        if (!m.ready) {
          sent--;
          if (++done === tasks) resolve();
        }
        feed();
      });
    }
  });
  const wall = performance.now() - t0;
  for (const child of children) child.disconnect();
  return wall;
}

// What the sequential strategy stands for: a plain loop over the inputs, in one worker thread
// (as the profiled loop runs), its results posted back at the end.
function bareLoop(tasks, steps) {
  const t0 = performance.now();
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { work } = require(workerData.work);
     parentPort.postMessage(workerData.inputs.map((steps) => work(steps)));`,
    { eval: true, workerData: { work: path.join(__dirname, 'work.cjs'), inputs: Array(tasks).fill(steps) } },
  );
  return new Promise((resolve) =>
    worker.once('message', () => {
      const wall = performance.now() - t0;
      void worker.terminate().then(() => resolve(wall));
    }),
  );
}

const [kind, tasks, steps, workers] = process.argv.slice(2);
const ourWorker = (tasks, steps, workers) => barePiscina(tasks, steps, workers, true);
const run = { processes: bareProcesses, loop: bareLoop, piscina: barePiscina, ourWorker }[kind];
run(Number(tasks), Number(steps), Number(workers)).then((wall) => console.log(wall));
