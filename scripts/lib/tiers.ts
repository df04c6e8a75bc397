import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { spawnGroup, stopGroup } from './processGroup';

/** Counts of one tier, added up into the final `N passed, N failed, N skipped` line. */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** An empty tally. */
export function zero(): Tally {
  return { passed: 0, failed: 0, skipped: 0 };
}

/** Adds `b` into `a`. */
export function addInto(a: Tally, b: Tally): void {
  a.passed += b.passed;
  a.failed += b.failed;
  a.skipped += b.skipped;
}

/** Test files of a tier, sorted, as paths relative to the repo: `dir/*<suffix>`. */
export function testFiles(dir: string, suffix: string): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Result of one child command. */
export interface CommandResult {
  code: number | null;
  timedOut: boolean;
}

/**
 * Runs a command in its own process group with output passed through, killing the whole group if
 * it outlives `timeoutMs` (a hung test must not hang the suite, nor leave processes behind).
 */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawnGroup(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.log(`timed out after ${Math.round(timeoutMs / 1000)} s: ${command} ${args.join(' ')}`);
      if (child.pid !== undefined) void stopGroup(child.pid);
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // end anything the command left in its group (e.g. a worker a test forgot)
      const done = (): void => resolve({ code, timedOut });
      if (child.pid !== undefined) void stopGroup(child.pid, 500).then(done);
      else done();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      console.log(`could not run ${command}: ${error.message}`);
      resolve({ code: 127, timedOut });
    });
  });
}

/**
 * Runs test files under Node's test runner (through tsx), printing the spec reporter and reading
 * the counts from a TAP copy written to `tapFile`. A non-zero exit with no failing test counted
 * (a file that did not load, a timeout) counts as one failure.
 */
export async function runNodeTests(
  files: string[],
  env: NodeJS.ProcessEnv,
  tapFile: string,
  timeoutMs: number,
): Promise<Tally> {
  const args = [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ];
  const result = await runCommand(process.execPath, args, env, timeoutMs);
  const tally = readTapSummary(tapFile);
  if (result.code !== 0 && tally.failed === 0) tally.failed = 1;
  return tally;
}

/** The `# pass / # fail / # cancelled / # skipped / # todo` summary of a TAP file (cancelled counts as failed). */
export function readTapSummary(tapFile: string): Tally {
  const tally = zero();
  if (!existsSync(tapFile)) return tally;
  const text = readFileSync(tapFile, 'utf8');
  const count = (key: string): number => {
    const all = [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  tally.passed = count('pass');
  tally.failed = count('fail') + count('cancelled');
  tally.skipped = count('skipped') + count('todo');
  return tally;
}

/** Runs a command and reports pass (exit 0) or fail as one check. */
export async function runCheck(label: string, command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Tally> {
  console.log(`$ ${label}`);
  const result = await runCommand(command, args, env, timeoutMs);
  const ok = result.code === 0 && !result.timedOut;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}
