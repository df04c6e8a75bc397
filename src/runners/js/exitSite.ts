/**
 * Where the user's code called `process.exit()` during a task, for the crash warning. A worker
 * that exits can send nothing more (a message posted then may never arrive), so it writes the
 * place synchronously, as it exits, to a file beside the bundle named by its process and thread;
 * the runner reads it when it sees that worker go.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceLocation } from '../../core/model';
import { currentTask } from './runtimeHost';
import { firstUserFrame } from './sourceSites';

function exitSiteFile(bundle: string, pid: number, threadId: number): string {
  return join(dirname(bundle), `exit-${pid}-${threadId}.json`);
}

/** In a worker: on an exit during a task, writes the innermost place outside the profiler's code. */
export function recordExitSite(bundle: string, threadId: number): void {
  process.on('exit', () => {
    if (currentTask.index < 0) return;
    const site = firstUserFrame(new Error().stack);
    if (!site) return;
    try {
      writeFileSync(exitSiteFile(bundle, process.pid, threadId), JSON.stringify(site));
    } catch {
      // The crash is still reported, without its place.
    }
  });
}

/** In the runner: where the worker that exited called `process.exit()`, if it wrote that. */
export function takeExitSite(bundle: string, pid: number | undefined, threadId: number): SourceLocation | undefined {
  if (pid === undefined) return undefined;
  const file = exitSiteFile(bundle, pid, threadId);
  try {
    const site = JSON.parse(readFileSync(file, 'utf8')) as SourceLocation;
    rmSync(file, { force: true });
    return site;
  } catch {
    return undefined;
  }
}

/** The crash's words for an exit: its code, and where it was called from when known. */
export function exitWords(code: number | null, site: SourceLocation | undefined): string {
  return site ? `exit code ${code}, from process.exit() at ${site.file}:${site.line}` : `exit code ${code}`;
}
