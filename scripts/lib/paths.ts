import { copyFileSync, existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root (scripts/lib/ sits two levels below it). */
export const repoRoot = resolve(__dirname, '..', '..');

/** code-server version the harness installs; it is VS Code 1.139.1 and needs Node 24. */
export const codeServerVersion = '4.139.1';

/**
 * Where code-server and its Node 24 are installed, outside the repository and reused across runs:
 * `$PP_CACHE_DIR`, else `~/.cache/parallel-profiler-dev`.
 */
export function cacheDir(): string {
  return process.env.PP_CACHE_DIR || join(homedir(), '.cache', 'parallel-profiler-dev');
}

/** Folder for screenshots and logs that outlive a test run (ignored by git). */
export const artifactsDir = join(repoRoot, 'test-artifacts');

/**
 * The one scratch folder of this run: `$PP_SCRATCH_DIR` when a parent (npm test) made it,
 * else a fresh temp folder that the caller owns and removes.
 */
export function scratchRoot(prefix = 'parallel-profiler-'): { dir: string; owned: boolean } {
  const given = process.env.PP_SCRATCH_DIR;
  if (given) {
    mkdirSync(given, { recursive: true });
    return { dir: given, owned: false };
  }
  return { dir: mkdtempSync(join(tmpdir(), prefix)), owned: true };
}

/** A new, empty sub-folder of `root`, named after `name`. */
export function subDir(root: string, name: string): string {
  const dir = mkdtempSync(join(root, `${name}-`));
  return dir;
}

/** Removes a folder tree, ignoring errors (used in cleanup paths that must not throw). */
export function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort: cleanup never masks the real result
  }
}

/** Copies a log out of a scratch folder before it is removed (best effort). */
export function keepLog(from: string, to: string): void {
  try {
    if (!existsSync(from)) return;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  } catch {
    // a missing log must not mask the result
  }
}
