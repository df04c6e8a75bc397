/**
 * The busy-machine check: parsing /proc, the lower bound on other load, the profile's own CPU time
 * found through its process tree, and a real profile run beside real CPU hogs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { once } from 'node:events';
import { otherLoad, parsePidStat, parseProcStat, sampleLoad } from '../../src/core/machineLoad';
import { descendants, profile, run } from './engineKit';

const linux = fs.existsSync('/proc/self/task') && fs.existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

test('parses the machine line of /proc/stat and a process line whose name holds spaces and parentheses', () => {
  assert.deepEqual(parseProcStat('cpu  100 5 50 800 20 1 2 30 0 0\ncpu0 1 2 3 4\n'), { busy: 188, total: 1008, steal: 30 });
  assert.equal(parseProcStat('intr 1 2 3'), undefined);
  const stat = '4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 120 30 7 3 20 0 11 0 100 0 0';
  assert.deepEqual(parsePidStat(stat), { own: 120 + 30, children: 7 + 3 });
  assert.equal(parsePidStat('4242 (cut) S 1 2'), undefined);
});

test('other load is a lower bound: the share less the sampling spread, none for too short a window', () => {
  const at = (busy: number, total: number, profile: number) => ({ machine: { busy, total, steal: 0 }, profile });
  // 400 ticks, 200 busy of which 100 the profile's: 100 others, less 1.5 × √400 / 2 = 15.
  assert.equal(otherLoad(at(0, 0, 0), at(200, 400, 100)), 85 / 400);
  assert.equal(otherLoad(at(0, 0, 0), at(10, 400, 10)), 0, 'never below zero');
  assert.equal(otherLoad(at(0, 0, 0), at(19, 19, 0)), undefined, 'a window under 20 ticks tells nothing');
});

/** A Node process running `code`; resolves once it printed `ready`. */
async function node(code: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  while (!out.includes('ready')) await once(child.stdout!, 'data');
  return child;
}

// Burns `ms` of CPU time, however busy the machine is.
const BURN = 'const burn = (ms) => { const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < ms); };';

test('the profile’s CPU time counts every process under the runner, running or already exited', { skip: !linux && 'needs Linux /proc' }, async () => {
  // The "runner": on "go", one child burns 400 ms and exits (its time moves to its parent once
  // reaped), another burns 400 ms and stays alive; then it says "done" and idles.
  const parent = await node(`
    const { spawn, spawnSync } = require('node:child_process');
    ${BURN}
    process.stdin.once('data', () => {
      spawnSync(process.execPath, ['-e', ${JSON.stringify(`${BURN} burn(400)`)}]);
      const alive = spawn(process.execPath, ['-e', ${JSON.stringify(`${BURN} burn(400); console.log('burnt'); setInterval(() => {}, 1000)`)}], { stdio: ['ignore', 'pipe', 'inherit'] });
      alive.stdout.once('data', () => console.log('done'));
    });
    console.log('ready');`);
  try {
    const before = sampleLoad(parent.pid!);
    assert.ok(before, 'a sample where Linux lists children');
    parent.stdin!.write('go\n');
    let out = '';
    while (!out.includes('done')) out += String((await once(parent.stdout!, 'data'))[0]);
    const after = sampleLoad(parent.pid!)!;
    // 800 ms of the children's CPU time is 80 ticks at USER_HZ 100 (the processes' own start-up
    // adds some); missing either child would leave about 50.
    const ticks = after.profile - before.profile;
    assert.ok(ticks >= 70, `the profile's ticks grew by ${ticks}, not by the 80 its children burnt`);
  } finally {
    for (const pid of descendants(parent.pid!)) process.kill(pid, 'SIGKILL');
    parent.kill('SIGKILL');
  }
});

test('a profile made beside CPU hogs has a busy-machine warning, and says how busy', { skip: !linux && 'needs Linux /proc' }, async () => {
  const hogs = await Promise.all(Array.from({ length: os.availableParallelism() }, () => node("console.log('ready'); for (;;);")));
  try {
    // Runs long enough (~0.3 s each here) that a quick machine still spans many ticks: with 300 000
    // the thread run sometimes took under 0.1 s, too short a window to tell any other load.
    const report = await profile('../../examples/primes.ts', 'countPrimes', 'Array(8).fill(600_000)', { strategies: ['sequential', 'threads'] });
    for (const strategy of ['sequential', 'threads']) {
      const load = run(report, strategy).otherLoad;
      assert.ok(load !== undefined && load >= 0.1, `${strategy}: other load ${load}`);
    }
    const busy = report.warnings.find((w) => w.kind === 'busy-machine');
    assert.match(busy?.message ?? '', /^the machine was busy: other programs \(or the VM's host\) used at least \d+% of its CPU time during sequential, \d+% during threads/);
    // Hedged when a pool still wins; put down to the machine when the pools lose or barely pay.
    assert.match(report.verdict, /\(measured while other programs kept the machine busy: profile again to confirm\)\.$|other programs kept the machine busy during the runs, so it may not be the code — profile again when it is quiet\.$/);
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
  }
});
