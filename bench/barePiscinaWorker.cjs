// The bare piscina worker: the same work, and nothing else but what the profiled pool's worker does
// to take its next task ahead (threadWorker.ts): a task that comes while one runs starts after that
// one's answer has been posted.
const { work } = require('./work.cjs');
let running = false;
const waiting = [];
const startNext = () => {
  const start = waiting.shift();
  if (start) start();
  else running = false;
};
const run = (steps) => {
  const result = work(steps);
  setImmediate(startNext);
  return result;
};
module.exports = (steps) => {
  if (!running) {
    running = true;
    return run(steps);
  }
  return new Promise((resolve) => waiting.push(() => resolve(run(steps))));
};
