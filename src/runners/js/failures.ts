/**
 * Turns the ways a pooled task can fail to come back into a status and one readable message.
 * Errors the user's function throws come back as outcomes; these are the worker's own failures.
 */
import type { SourceLocation, TaskStatus } from '../../core/model';
import { exitWords } from './exitSite';
import { UNCLONEABLE_LOOK } from './taskExecution';

/** An async call whose promise never settled, with nothing left pending that could settle it. */
export function neverSettled(index: number): string {
  return `input #${index}: its promise never settled, and nothing was left that could settle it (no timer, I/O or message pending), so the worker's event loop ran out and the worker ended — a program awaiting this call would end there too, silently, skipping the rest; look for a promise whose resolve is never called (an event that never fires, a callback never called back)`;
}

/** A result that structured clone refused, though the worker's look through its first values found nothing. */
export function unsendableDeepInside(index: number): string {
  return `input #${index}: the result cannot be sent between workers: structured clone refused something deep inside it, past the first ${UNCLONEABLE_LOOK.toLocaleString('en')} values the worker looks through (a function, a symbol, a Proxy, a generator…); return plain data (numbers, strings, arrays, plain objects)`;
}

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

/**
 * Prototypes that structured clone keeps: a value with another is an instance of the user's class.
 * Made on first use: thread workers load this module too.
 */
let clonedKinds: Set<unknown> | undefined;
const isClonedKind = (prototype: unknown): boolean =>
  (clonedKinds ??= new Set<unknown>([
    null,
    ...[Object, Array, Map, Set, Date, RegExp, ArrayBuffer, SharedArrayBuffer, Boolean, Number, String].map((kind) => kind.prototype),
    ...[Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((kind) => kind.prototype),
  ])).has(prototype);

/**
 * Why a TypeError ("p.norm is not a function") may come where calling the function directly works:
 * an instance of a class in the arguments (they themselves, or one level inside an array or a
 * plain object). A worker gets a structured clone of it, which keeps its fields but not its class.
 */
export function lostClassNote(index: number, args: unknown[]): string | undefined {
  const instance = classInstanceIn(args);
  return instance && ` — input #${index} holds ${instance}, which reaches a worker as a structured clone: its fields without its class or methods; pass plain data and make the object inside the function`;
}

/** The first instance of a class in the arguments, as "a Point". */
function classInstanceIn(args: unknown[]): string | undefined {
  const kindOf = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
    const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (isClonedKind(prototype)) return undefined;
    return `a ${prototype?.constructor?.name || 'class instance'}`;
  };
  // The first 20 items inside: a big argument is not copied or walked.
  const inside = (value: object): string | undefined => {
    if (Array.isArray(value)) {
      for (let i = 0; i < Math.min(value.length, 20); i++) {
        const found = kindOf(value[i]);
        if (found) return found;
      }
      return undefined;
    }
    let looked = 0;
    for (const key in value) {
      const found = kindOf((value as Record<string, unknown>)[key]);
      if (found || ++looked === 20) return found;
    }
    return undefined;
  };
  for (const arg of args) {
    const found = kindOf(arg) ?? (arg !== null && typeof arg === 'object' && !ArrayBuffer.isView(arg) && !(arg instanceof Map) && !(arg instanceof Set) ? inside(arg) : undefined);
    if (found) return found;
  }
  return undefined;
}
