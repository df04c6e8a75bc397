/**
 * Did a change make profiles faster? Profiles the same target with this checkout and with another
 * one (e.g. a `git worktree` of the commit before, built with `node esbuild.mjs`), in alternating
 * order, and prints the median of the per-round ratios of their wall times. Paired rounds, because
 * this machine's speed drifts by tens of percent over minutes.
 *   node --import tsx bench/compareBuilds.ts <other checkout> <strategy> <tasks> <ms per task> <rounds> [target file]
 * The target defaults to bench/work.cjs; another must export `work(steps)`.
 */
import * as path from 'node:path';
import { startProfile } from '../src/core/profile';
import type { StrategyName } from '../src/core/model';
import { calibrate } from './calibrate';

const [other, strategy, tasks, msPerTask, rounds, target = path.join(__dirname, 'work.cjs')] = process.argv.slice(2);
if (!other || !strategy || !tasks || !msPerTask || !rounds) {
  console.error('usage: node --import tsx bench/compareBuilds.ts <other checkout> <strategy> <tasks> <ms per task> <rounds> [target file]');
  process.exit(2);
}

async function main(): Promise<void> {
  const theirs = (require(path.resolve(other, 'src/core/profile.ts')) as typeof import('../src/core/profile')).startProfile;
  // 0 ms: empty tasks, as the bench's throughput line runs them.
  const steps = Number(msPerTask) === 0 ? 0 : calibrate(Number(msPerTask));
  const wall = async (start: typeof startProfile): Promise<number> => {
    const outcome = await start({
      target: { file: path.resolve(target), name: 'work', language: 'javascript' },
      inputs: `Array(${tasks}).fill(${steps})`,
      strategies: [strategy as StrategyName],
      workers: 2,
    }).done;
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.report.runs[0].wallMs;
  };
  const ratios: number[] = [];
  for (let round = 0; round < Number(rounds); round++) {
    // Which goes first alternates: the second of two profiles tends to run on a warmer machine.
    const first = round % 2 === 0 ? startProfile : theirs;
    const a = await wall(first);
    const b = await wall(first === startProfile ? theirs : startProfile);
    ratios.push(first === startProfile ? a / b : b / a);
  }
  ratios.sort((x, y) => x - y);
  const at = (q: number) => ratios[Math.round(q * (ratios.length - 1))].toFixed(3);
  console.log(`${strategy}, ${tasks} × ${msPerTask} ms: this checkout / ${other} = ${at(0.5)}× (middle half of rounds ${at(0.25)}–${at(0.75)}, ${ratios.length} rounds)`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
