// A bare child-process pool worker: the same work over IPC, nothing else.
const { work } = require('./work.cjs');
process.on('message', ({ i, steps }) => process.send({ i, result: work(steps) }));
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
