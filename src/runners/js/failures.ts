/**
 * Turns the ways a pooled task can fail to come back into a status and one readable message.
 * Errors the user's function throws come back as outcomes; these are the worker's own failures.
 */
import type { SourceLocation, TaskStatus } from '../../core/model';
import { exitWords } from './exitSite';

/** `exitSite`: where the task called process.exit(), when its worker wrote it (exitSite.ts). */
export function workerExitStatus(error: Error, index: number, exitSite?: SourceLocation): { status: TaskStatus; message: string; exitCode?: number } {
  // piscina hands back a bare object when even the error could not be sent.
  const text = error?.message ?? (typeof error === 'object' ? 'the worker could not send its answer back' : String(error));
  if (error?.name === 'DataCloneError' || /could not be cloned/.test(text)) {
    return {
      status: 'error',
      message: `input #${index}: the result cannot be sent between workers (${text}); return plain data: numbers, strings, arrays, plain objects`,
    };
  }
  if ((error as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(text)) {
    return { status: 'crashed', message: `input #${index}: the worker ran out of memory (${text}) and was replaced` };
  }
  const exit = /exited with code:? ?(-?\d+)/.exec(text);
  if (exit) {
    const code = Number(exit[1]);
    return { status: 'crashed', exitCode: code, message: `input #${index}: the worker exited while running it (${exitWords(code, exitSite)}) and was replaced` };
  }
  return { status: 'crashed', message: `input #${index}: the worker died while running it — an error thrown outside the task (e.g. from a timer or callback): ${text}` };
}

/** Why a worker thread was stopped by the thread memory watch (threadMemoryWatch.ts). */
export function threadOverMemory(index: number, usedMb: number, capMb: number): string {
  return `input #${index}: the worker thread was stopped while running it: it was filling memory outside its JS heap, and the runner reached ${Math.round(usedMb)} MB, over the ${capMb} MB its threads may use (PARALLEL_PROFILER_HEAP_MB sets each thread's share)`;
}

/**
 * A thread stuck in a system call (a synchronous exec, a read that never returns) cannot be
 * terminated. This long after it was asked to stop, its task ends without it, with these words
 * added, and the thread is left to end with the runner.
 */
export const STUCK_MS = 2000;
export const STUCK_NOTE = 'its thread stayed stuck in a system call (a synchronous read, exec or wait) and could not be stopped; it is left to end with the profile';
