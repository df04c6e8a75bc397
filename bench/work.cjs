// The CPU-bound work every benchmark pool runs: a fixed number of arithmetic steps.
function work(steps) {
  let x = 0;
  for (let i = 0; i < steps; i++) x = (x * 31 + i) % 1000003;
  return x;
}
module.exports = { work };
