/**
 * Runs one call of the user's function inside a worker and describes it: start and end on the
 * shared clock, status, error with the user's file:line, CPU time, and a digest of the result so
 * strategies can be compared.
 */
// node:util loads on first use: most results are numbers, and every module a worker loads at start
// is start-up time the pool pays.
let util: typeof import('node:util') | undefined;
import type { SourceLocation } from '../../core/model';
import { sinceOrigin } from './clock';
import { describeResult, previewOf } from './resultDigest';
import { currentTask, taskEnded } from './runtimeHost';
import { firstUserFrame } from './sourceSites';
import { nodeThreadCpu, type CpuClock } from './threadCpu';

export interface TaskOutcome {
  index: number;
  startMs: number;
  endMs: number;
  status: 'ok' | 'error';
  error?: string;
  errorLocation?: SourceLocation;
  digest?: string;
  resultPreview?: string;
  cpuMs?: number;
}

export interface Executed {
  outcome: TaskOutcome;
  result: unknown;
  /** The CPU clock after the call (in a worker process: the process's CPU time so far), ms. */
  cpuAfterMs?: number;
}

const processCpu: CpuClock = process.cpuUsage.bind(process);

/**
 * A call that returned a plain value synchronously, the common case: one object per worker, filled
 * in again at each such call, so that the call makes no object or closure of its own (0.2 µs a
 * call instead of 1.3 in a loop here, 0.6 instead of 2.3–2.7 with the caches made cold between calls).
 */
export interface PlainCall {
  startMs: number;
  endMs: number;
  result: unknown;
  /** CPU time of the call and the CPU clock after it, ms; undefined where not measured. */
  cpuMs?: number;
  cpuAfterMs?: number;
}

export function newPlainCall(): PlainCall {
  return { startMs: 0, endMs: 0, result: undefined, cpuMs: undefined, cpuAfterMs: undefined };
}

/**
 * `cpuScope`: 'thread' where the runtime can measure this thread alone, 'process' in a worker
 * process of its own; otherwise CPU is only measured for the whole run. A synchronous function's
 * call is described synchronously: no promise per task. Given `plain`, a call that returns a plain
 * value synchronously fills it in and returns it instead of an outcome.
 */
export function executeTask(
  fn: (...args: unknown[]) => unknown,
  index: number,
  args: unknown[],
  originEpochMs: number,
  cpuScope: 'thread' | 'process',
  sends: 'all' | 'plain',
): Executed | Promise<Executed>;
export function executeTask(
  fn: (...args: unknown[]) => unknown,
  index: number,
  args: unknown[],
  originEpochMs: number,
  cpuScope: 'thread' | 'process',
  sends: 'all' | 'plain',
  plain: PlainCall | undefined,
): Executed | Promise<Executed> | PlainCall;
export function executeTask(
  fn: (...args: unknown[]) => unknown,
  index: number,
  args: unknown[],
  originEpochMs: number,
  cpuScope: 'thread' | 'process',
  /**
   * What of the result crosses to the runner, which describes a plain value itself: in a pool,
   * any result ('all', so it is checked first for what cannot be sent); from the sequential loop,
   * plain values only ('plain'), and an object result is described here.
   */
  sends: 'all' | 'plain',
  plain?: PlainCall,
): Executed | Promise<Executed> | PlainCall {
  const cpuClock: CpuClock | undefined = cpuScope === 'process' ? processCpu : nodeThreadCpu;
  currentTask.index = index;
  const cpuBefore = cpuClock?.();
  const startMs = sinceOrigin(originEpochMs);
  let returned: unknown;
  try {
    returned = fn(...args);
  } catch (error) {
    return finished(failure(index, startMs, originEpochMs, error), cpuClock, cpuBefore);
  }
  // What the call returned is the user's too: a generator that throws as it is drawn, a Proxy whose
  // every trap throws. Whatever it throws is the task's error, never the worker's.
  try {
    // A generator does its work as its values are drawn, and an iterator (`values()`, `map` on an
    // iterator) is one still to be walked: the call draws them all, as a caller would.
    if (typeof returned === 'object' && returned !== null && !(returned instanceof Promise)) {
      const kind = Object.prototype.toString.call(returned);
      if (kind === '[object Generator]' || / Iterator\]$|^\[object Iterator Helper\]$/.test(kind)) returned = [...(returned as Iterable<unknown>)];
      else if (kind === '[object AsyncGenerator]') returned = drawn(returned as AsyncIterable<unknown>);
    }
    if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(returned).then(
        (value) => finished(success(index, startMs, originEpochMs, value, sends), cpuClock, cpuBefore),
        (error: unknown) => finished(failure(index, startMs, originEpochMs, error), cpuClock, cpuBefore),
      );
    }
    // A symbol is no object, but structured clone refuses it: the general path says so.
    if (plain && isPlain(returned) && typeof returned !== 'symbol') {
      plain.endMs = sinceOrigin(originEpochMs);
      plain.startMs = startMs;
      plain.result = returned;
      plain.cpuMs = plain.cpuAfterMs = undefined;
      endCall(cpuClock, cpuBefore, plain, plain);
      return plain;
    }
    return finished(success(index, startMs, originEpochMs, returned, sends), cpuClock, cpuBefore);
  } catch (error) {
    return finished(failure(index, startMs, originEpochMs, error), cpuClock, cpuBefore);
  }
}

/** An async generator's values, drawn to the end. */
async function drawn(values: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const value of values) all.push(value);
  return all;
}

function finished(executed: Executed, cpuClock: CpuClock | undefined, cpuBefore: ReturnType<CpuClock> | undefined): Executed {
  endCall(cpuClock, cpuBefore, executed.outcome, executed);
  return executed;
}

/**
 * A call's end: its CPU time into `call` and the CPU clock after it into `clock`, where measured,
 * and no task running any more.
 */
function endCall(
  cpuClock: CpuClock | undefined,
  cpuBefore: ReturnType<CpuClock> | undefined,
  call: { cpuMs?: number },
  clock: { cpuAfterMs?: number },
): void {
  if (cpuBefore && cpuClock) {
    const after = cpuClock();
    call.cpuMs = (after.user - cpuBefore.user + after.system - cpuBefore.system) / 1000;
    clock.cpuAfterMs = (after.user + after.system) / 1000;
  }
  taskEnded.run();
  currentTask.index = -1;
}

function failure(index: number, startMs: number, originEpochMs: number, error: unknown): Executed {
  return { outcome: { index, startMs, endMs: sinceOrigin(originEpochMs), status: 'error', ...describeError(error) }, result: undefined };
}

function success(index: number, startMs: number, originEpochMs: number, result: unknown, sends: 'all' | 'plain'): Executed {
  const endMs = sinceOrigin(originEpochMs);
  let unsendable: string | undefined;
  let described: ReturnType<typeof describeResult> | undefined;
  try {
    unsendable = sends === 'all' ? uncloneablePart(result) : undefined;
    // A plain value crosses to the runner and is described there, from the value it receives.
    if (!unsendable && !isPlain(result)) described = describeResult(result);
  } catch (thrown) {
    // A getter of the result that throws: sending it (a structured clone reads every property)
    // would throw too, out of the worker's reply and so out of the worker.
    const { error, errorLocation } = describeError(thrown);
    const message = `input #${index}: reading the result threw ${error}, so it cannot be sent between workers; return plain data (numbers, strings, arrays, plain objects), not objects whose getters run code`;
    return { outcome: { index, startMs, endMs, status: 'error', error: message, errorLocation }, result: undefined };
  }
  if (unsendable) {
    const error = `input #${index}: the result cannot be sent between workers: it holds ${unsendable}; return plain data (numbers, strings, arrays, plain objects)`;
    return { outcome: { index, startMs, endMs, status: 'error', error }, result: undefined };
  }
  return { outcome: { index, startMs, endMs, status: 'ok', ...described }, result };
}

export function describeError(error: unknown): { error: string; errorLocation?: SourceLocation } {
  try {
    return describedError(error);
  } catch {
    // An error whose message or stack getter throws, a Proxy thrown: said as such, not thrown on.
    return { error: 'a thrown value that throws again when read' };
  }
}

function describedError(error: unknown): { error: string; errorLocation?: SourceLocation } {
  if (error instanceof Error) {
    const location = firstUserFrame(error.stack);
    const where = location ? ` (${location.file}:${location.line})` : '';
    // Node's list of the modules that required it names the profiler's bundle, not the user's files.
    const message = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? error.message.split('\nRequire stack:')[0] : error.message;
    return { error: `${error.name}: ${message}${where}`, errorLocation: location };
  }
  return { error: `thrown value: ${previewOf(error)}` };
}

/** How many values of a result a worker looks through for what cannot be sent (failures.ts says so when that was not enough). */
export const UNCLONEABLE_LOOK = 10_000;

/**
 * What in a result structured clone cannot copy (a function, a symbol, a promise…), with its path;
 * looked for before sending, since a failed send loses the reason. Big results are sampled.
 */
export function uncloneablePart(value: unknown, where = 'the result', budget = { nodes: UNCLONEABLE_LOOK }, seen = new Set<object>()): string | undefined {
  const type = typeof value;
  if (type === 'function') return `a function (${where})`;
  if (type === 'symbol') return `a symbol (${where})`;
  if (value === null || type !== 'object' || seen.has(value as object) || --budget.nodes < 0) return undefined;
  seen.add(value as object);
  if (value instanceof Promise) return `a promise (${where}) — await it first`;
  const kind = uncloneableKind(value as object);
  if (kind) return `${kind.what} (${where})${kind.fix ?? ''}`;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp || value instanceof Error) return undefined;
  // Stepping over the primitives, whose path is never made: a million numbers in an array are
  // looked at in 4–9 ms, where listing their entries and a path for each took 0.3–0.5 s; an object
  // of 50 000 numbers in 9 ms instead of 37.
  const inside = (item: unknown, path: () => string): string | undefined =>
    item === null || (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol') ? undefined : uncloneablePart(item, path(), budget, seen);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = inside(value[i], () => `${where}.${i}`);
      if (found || budget.nodes < 0) return found;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [key, item] of value) {
      const found = inside(key, () => `${where}.entry ${i}.0`) ?? inside(item, () => `${where}.entry ${i}.1`);
      if (found || budget.nodes < 0) return found;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const found = inside(item, () => `${where}.item ${i}`);
      if (found || budget.nodes < 0) return found;
      i++;
    }
    return undefined;
  }
  const keys = Object.keys(value as object);
  for (let i = 0; i < keys.length; i++) {
    const found = inside((value as Record<string, unknown>)[keys[i]], () => `${where}.${keys[i]}`);
    if (found || budget.nodes < 0) return found;
  }
  return undefined;
}

/**
 * Objects that structured clone refuses although they have no function inside: generators,
 * iterators, proxies, weak references, `arguments`, Intl formatters. Sent anyway, such a result
 * kills the worker thread with no reason given.
 */
function uncloneableKind(value: object): { what: string; fix?: string } | undefined {
  util ??= require('node:util') as typeof import('node:util');
  const { types } = util;
  const collect = ' — collect its values first, e.g. [...values]';
  if (types.isGeneratorObject(value)) return { what: 'a generator', fix: collect };
  if (types.isProxy(value)) return { what: 'a Proxy' };
  if (types.isArgumentsObject(value)) return { what: 'an arguments object', fix: ' — copy it first, e.g. [...arguments]' };
  if (types.isWeakMap(value) || types.isWeakSet(value) || value instanceof WeakRef) return { what: `a ${value.constructor.name}` };
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (/ Iterator$|^Iterator Helper$/.test(tag)) return { what: `an iterator (${tag})`, fix: collect };
  if (tag.startsWith('Intl.') || tag === 'FinalizationRegistry') return { what: `an ${tag}` };
  return undefined;
}

/** A value that is its own description: not an object or function. */
export function isPlain(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** An object literal or `Object.create(null)`: no class of its own. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A worker's outcome with the digest of a plain result, which pool workers leave to the runner. */
export function withDigest(outcome: TaskOutcome, result: unknown): TaskOutcome {
  if (outcome.status === 'ok' && outcome.digest === undefined) Object.assign(outcome, describeResult(result));
  return outcome;
}
