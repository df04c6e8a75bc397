// work.cjs as the runner's bundle of it would offer it to a worker (bundleTarget.ts, loadBundle.ts):
// for the bench's bare piscina pool running the profiler's own thread worker (barePools.cjs).
const { work } = require('./work.cjs');
globalThis.__parallelProfilerHooks = { target: () => work, inputs: () => [] };
