/**
 * The harness's "no leftovers" pieces against real processes: a process group is ended whole,
 * grandchildren included, and the scratch sweep finds processes by the folder in their command line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { groupAlive, sleep, spawnGroup, stopGroup, sweepProcessesUnder } from '../../scripts/lib/processGroup';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `sh` leading a new group, with a background grandchild; resolves with both pids. */
async function shellWithGrandchild(marker: string): Promise<{ leader: number; grandchild: number }> {
  // the grandchild ignores SIGTERM, so only a group-wide SIGKILL after the grace period ends it
  const child = spawnGroup('sh', ['-c', `(trap '' TERM; exec sleep 300 ${marker}) & echo $!; wait`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const grandchild = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  assert.ok(child.pid && grandchild > 0);
  return { leader: child.pid, grandchild };
}

test('stopGroup ends the leader and a grandchild that ignores SIGTERM', async () => {
  const { leader, grandchild } = await shellWithGrandchild('');
  assert.ok(alive(grandchild), 'grandchild started');
  await stopGroup(leader, 300);
  assert.equal(groupAlive(leader), false, 'group still alive');
  assert.equal(alive(grandchild), false, `grandchild ${grandchild} survived`);
});

test('sweepProcessesUnder kills the groups whose command line names the folder, and only those', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-sweep-'));
  const other = mkdtempSync(join(tmpdir(), 'pp-keep-'));
  try {
    // the folder rides in each command line as `sh -c`'s $0, as scratch paths do in code-server's
    const inside = spawnGroup('sh', ['-c', 'sleep 300', join(dir, 'marker')], { stdio: 'ignore' });
    const outside = spawnGroup('sh', ['-c', 'sleep 300', join(other, 'marker')], { stdio: 'ignore' });
    assert.ok(inside.pid && outside.pid);
    await sleep(100);
    assert.equal(sweepProcessesUnder(dir), 1);
    for (let i = 0; i < 40 && groupAlive(inside.pid); i++) await sleep(50);
    assert.equal(groupAlive(inside.pid), false, 'the process under the folder survived');
    assert.equal(groupAlive(outside.pid), true, 'a process elsewhere was killed');
    await stopGroup(outside.pid, 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});
