// The bare piscina worker: the same work, nothing else.
const { work } = require('./work.cjs');
module.exports = (steps) => work(steps);
