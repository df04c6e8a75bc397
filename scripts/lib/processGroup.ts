import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Process groups started by this process, ended on exit even when a test or script fails. */
const groups = new Set<number>();
let hooked = false;

/** Sends `signal` to every process in the group led by `pid`; ignores groups already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has already exited
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends the group led by `pid`: SIGTERM, then SIGKILL after `graceMs` if anything survives.
 * Resolves once the group is gone.
 */
export async function stopGroup(pid: number, graceMs = 3000): Promise<void> {
  groups.delete(pid);
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  const hardDeadline = Date.now() + 2000;
  while (groupAlive(pid) && Date.now() < hardDeadline) await sleep(50);
}

/** Kills every group still registered; safe to call from exit and signal handlers. */
export function killAllGroups(): void {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
}

/**
 * Spawns `command` as the leader of a new process group, remembered so that exit, Ctrl+C and
 * SIGTERM end the whole group (code-server forks extension hosts and pty hosts of its own).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  installExitHooks();
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) {
    const pid = child.pid;
    groups.add(pid);
    child.once('exit', () => {
      // the leader may exit before its children: leave the group registered until stopGroup
      if (!groupAlive(pid)) groups.delete(pid);
    });
  }
  return child;
}

/** Remembers an externally started group (e.g. the browser Playwright launched). */
export function adoptGroup(pid: number): void {
  installExitHooks();
  groups.add(pid);
}

/** Forgets a group without killing it (after it was stopped some other way). */
export function forgetGroup(pid: number): void {
  groups.delete(pid);
}

function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllGroups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllGroups();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The safety net behind "no leftovers": kills (SIGKILL) the process group of every process whose
 * command line mentions `dir` — code-server, its extension hosts and Chromium all carry their
 * scratch paths — except this process's own group. Catches what a SIGKILLed test left behind.
 * Returns how many groups it killed.
 */
export function sweepProcessesUnder(dir: string): number {
  const own = ownGroup();
  const killed = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(dir)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp > 1 && pgrp !== own && !killed.has(pgrp)) {
        killGroup(pgrp, 'SIGKILL');
        killed.add(pgrp);
      }
    } catch {
      // the process ended while reading
    }
  }
  return killed.size;
}

function ownGroup(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return -1;
  }
}
