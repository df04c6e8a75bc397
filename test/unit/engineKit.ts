/**
 * Helpers for engine tests: run a real profile (real runner process, real workers) and look for
 * processes left behind.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startProfile, type ProfileCallbacks, type ProfileRequest } from '../../src/core/profile';
import type { Report } from '../../src/core/model';
import { languageOf } from '../../src/core/functionScanner';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

type Options = Omit<ProfileRequest, 'target' | 'inputs'>;

/** Profiles `name` in a fixture file; fails the test with the runner's message on bad input. */
export async function profile(file: string, name: string, inputs: string, options: Options = {}, callbacks?: ProfileCallbacks): Promise<Report> {
  const outcome = await profileOutcome(file, name, inputs, options, callbacks);
  if (!outcome.ok) throw new Error(`profile failed: ${outcome.error}`);
  return outcome.report;
}

export function profileOutcome(file: string, name: string, inputs: string, options: Options = {}, callbacks?: ProfileCallbacks) {
  const full = path.isAbsolute(file) ? file : fixture(file);
  return startProfile({ target: { file: full, name, language: languageOf(full)! }, inputs, workers: 2, ...options }, callbacks).done;
}

/** Every live descendant process of `pid` (zombies excluded). */
export function descendants(pid = process.pid): number[] {
  const ps = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' });
  const table = ps.stdout ?? '';
  const rows = table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => !cols[2]?.startsWith('Z') && Number(cols[0]) !== ps.pid)
    .map(([p, pp]) => ({ pid: Number(p), ppid: Number(pp) }));
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push(row.pid);
        walk(row.pid);
      }
    }
  };
  walk(pid);
  return found;
}

/** What a list of pids are, for failure messages. */
export function describePids(pids: number[]): string {
  if (pids.length === 0) return '';
  return spawnSync('ps', ['-o', 'pid,ppid,stat,args', '-p', pids.join(',')], { encoding: 'utf8' }).stdout;
}

/**
 * Descendants that were not there before the test (the test runner's own helpers, such as tsx's
 * esbuild service, are), given a moment to exit.
 */
export async function leftovers(before: number[]): Promise<number[]> {
  const fresh = () => descendants().filter((pid) => !before.includes(pid));
  for (let i = 0; i < 20; i++) {
    if (fresh().length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return fresh();
}

export function run(report: Report, strategy: string) {
  const found = report.runs.find((r) => r.strategy === strategy);
  if (!found) throw new Error(`no ${strategy} run in the report`);
  return found;
}
