/**
 * Inside a worker: the target module's own variables (moduleBindings.ts) that hold a number or a
 * container, measured as the module finishes loading and again once the run's calls are done. The
 * change is what this worker's calls did to its copy of the module; the runner puts the copies of
 * a run side by side (runRecorder.ts), and the controller compares them with the sequential run's
 * one copy (core/sharedValues.ts). Measured twice per worker, never per call: no cost on a task's path.
 */
import { isPlainObject } from './taskExecution';

/**
 * As the Python harness names them: a number, an array (length), a Set (size), a Map or plain object
 * (its numbers summed, other values counted), a typed array (sum of items), a number property of an
 * object of the user's own class (`bank.balance`, told by `key.property`).
 */
export type ModuleValueKind = 'global' | 'list' | 'set' | 'dict' | 'array' | 'attribute';

/** What a worker tells of its copy: the values it watched, and how much its calls changed each. */
export interface ModuleValuesReport {
  pp: 'values';
  /** Each value by its key: its file and variable (moduleBindings.ts). */
  names: string[];
  kinds: ModuleValueKind[];
  changes: number[];
}

/** How long the runner waits for a worker's report at the run's end; one that does not answer is left out. */
export const VALUES_ANSWER_MS = 1000;

/**
 * A Map, plain object or typed array with more entries than this is data, not a tally: left alone
 * (each is summed as the module loads in every worker, which is start-up time).
 */
const MAX_ENTRIES = 10_000;

/** Whether a plain object has at most MAX_ENTRIES keys of its own, counted no further than that. */
function fewKeys(value: object): boolean {
  let keys = 0;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key) && ++keys > MAX_ENTRIES) return false;
  return true;
}

/** What kind of value it is, whatever its size. */
function typeOf(value: unknown): ModuleValueKind | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? 'global' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return 'list';
  if (value instanceof Set) return 'set';
  if (value instanceof Map) return 'dict';
  if (ArrayBuffer.isView(value)) return value instanceof DataView || value instanceof BigInt64Array || value instanceof BigUint64Array ? undefined : 'array';
  return isPlainObject(value) ? 'dict' : undefined;
}

/** The kind of a value worth watching as the module loads: a big Map, object or typed array is data. */
function kindOf(value: unknown): ModuleValueKind | undefined {
  const kind = typeOf(value);
  if (kind === 'array') return (value as Int32Array).length <= MAX_ENTRIES ? kind : undefined;
  if (kind === 'dict') return value instanceof Map ? (value.size <= MAX_ENTRIES ? kind : undefined) : fewKeys(value as object) ? kind : undefined;
  return kind;
}

/** A dict's numbers summed, each other value counted as 1 (as the Python harness measures a dict). */
function sumOf(values: Iterable<unknown>): number {
  let sum = 0;
  for (const v of values) sum += typeof v === 'number' && Number.isFinite(v) ? v : 1;
  return sum;
}

/** The number properties of an object of the user's own class (not a built-in's, nor a plain object). */
function ownNumbers(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || typeOf(value) !== undefined || value instanceof Promise) return [];
  const made = (value as { constructor?: unknown }).constructor;
  if (typeof made !== 'function' || Function.prototype.toString.call(made).includes('[native code]')) return [];
  return Object.keys(value)
    .filter((key) => typeof (value as Record<string, unknown>)[key] === 'number')
    .slice(0, MAX_PROPERTIES);
}
/** An object's number properties watched at most: more are its data. */
const MAX_PROPERTIES = 20;

function measure(value: unknown, kind: ModuleValueKind): number | undefined {
  if (kind === 'attribute') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (typeOf(value) !== kind) return undefined;
  switch (kind) {
    case 'global':
      return value as number;
    case 'list':
      return (value as unknown[]).length;
    case 'set':
      return (value as Set<unknown>).size;
    case 'array':
      return sumOf(value as Iterable<number>);
    case 'dict':
      return sumOf(value instanceof Map ? value.values() : Object.values(value as object));
  }
}

/** A value's getters or proxy traps are the user's code: one that throws is not measured. */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

export class ModuleValues {
  private constructor(
    private readonly read: (() => unknown)[],
    readonly names: string[],
    readonly kinds: ModuleValueKind[],
    private readonly start: number[],
  ) {}

  /** The module's values worth watching, measured now; undefined where it has none. */
  static watch(accessors: Record<string, () => unknown> | undefined): ModuleValues | undefined {
    const read: (() => unknown)[] = [];
    const names: string[] = [];
    const kinds: ModuleValueKind[] = [];
    const start: number[] = [];
    const add = (name: string, get: () => unknown, kind: ModuleValueKind | undefined) => {
      const now = kind && safely(() => measure(get(), kind));
      if (!kind || now === undefined) return;
      read.push(get);
      names.push(name);
      kinds.push(kind);
      start.push(now);
    };
    for (const [name, get] of Object.entries(accessors ?? {})) {
      const kind = safely(() => kindOf(get()));
      if (kind) add(name, get, kind);
      // An object of a class of the user's: each number property as a value of its own.
      else for (const key of safely(() => ownNumbers(get())) ?? []) add(`${name}.${key}`, () => (get() as Record<string, unknown> | undefined)?.[key], 'attribute');
    }
    return names.length > 0 ? new ModuleValues(read, names, kinds, start) : undefined;
  }

  /** How much this copy of each value changed since the module loaded (0 where it no longer holds that kind). */
  report(): ModuleValuesReport {
    const changes = this.read.map((get, i) => {
      const now = safely(() => measure(get(), this.kinds[i]));
      return now === undefined ? 0 : now - this.start[i];
    });
    return { pp: 'values', names: this.names, kinds: this.kinds, changes };
  }
}
