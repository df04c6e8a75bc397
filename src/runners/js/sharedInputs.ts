/**
 * Shared memory among the inputs: a SharedArrayBuffer, or a typed array or DataView over one, that
 * the inputs expression made and the tasks' arguments hold. Worker threads get that very memory
 * (the JS way to share it, with Atomics); worker processes cannot: V8's serializer refuses a
 * SharedArrayBuffer and copies a view over one, so a call would write into a copy nobody sees.
 * Whatever a run's calls wrote there would also still be there for the next run: each run starts
 * from the contents the inputs expression gave instead.
 */
import type { SharedValueChange } from '../../core/model';
import { isPlainObject } from './taskExecution';

export interface SharedInputs {
  /** Input index → what shared memory its arguments hold ("an Int32Array over a SharedArrayBuffer"). */
  byInput: Map<number, string>;
  /** Puts every shared buffer back to its contents at `findSharedInputs`. */
  restore(): void;
  /**
   * How much each shared buffer seen through a typed array changed since then (the sum of its
   * items, as that array reads them), where it did: what a run's calls did to the memory they share.
   */
  changes(): SharedValueChange[];
}

/** A typed array over shared memory, as the inputs hold it, and the sum of its items as they gave it. */
interface Watched {
  view: ArrayLike<number | bigint>;
  name: string;
  sum: number;
}

const sumOf = (view: ArrayLike<number | bigint>): number => {
  let sum = 0;
  for (let i = 0; i < view.length; i++) sum += Number(view[i]);
  return sum;
};

/** Looked at per input, as for the arguments' other checks: big inputs are not walked whole. */
const NODES_PER_INPUT = 10_000;

/**
 * `nameOf`: the module variable that holds the buffer or a view over it, if any (`shared`), to
 * name it by in the report; else it is named by its type ("the Int32Array in the inputs").
 */
export function findSharedInputs(tasks: { index: number; args: unknown[] }[], nameOf: (memory: SharedArrayBuffer) => string | undefined = () => undefined): SharedInputs {
  const byInput = new Map<number, string>();
  const saved = new Map<SharedArrayBuffer, Uint8Array>();
  const watched = new Map<SharedArrayBuffer, Watched>();
  for (const task of tasks) {
    const budget = { nodes: NODES_PER_INPUT };
    const found: { buffer: SharedArrayBuffer; what: string; view?: ArrayLike<number | bigint> }[] = [];
    walk(task.args, budget, new Set(), found);
    if (found.length === 0) continue;
    byInput.set(task.index, found[0].what);
    for (const { buffer, view } of found) {
      if (!saved.has(buffer)) saved.set(buffer, new Uint8Array(buffer).slice());
      if (view && !watched.has(buffer)) watched.set(buffer, { view, sum: sumOf(view), name: nameOf(buffer) ?? `the ${view.constructor.name} in the inputs` });
    }
  }
  return {
    byInput,
    restore() {
      for (const [buffer, bytes] of saved) new Uint8Array(buffer).set(bytes);
    },
    changes() {
      return [...watched.values()].flatMap(({ view, name, sum }) => {
        const change = sumOf(view) - sum;
        return change === 0 ? [] : [{ name, kind: 'buffer' as const, change }];
      });
    },
  };
}

function walk(value: unknown, budget: { nodes: number }, seen: Set<object>, found: { buffer: SharedArrayBuffer; what: string; view?: ArrayLike<number | bigint> }[]): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || --budget.nodes < 0) return;
  seen.add(value);
  if (value instanceof SharedArrayBuffer) return void found.push({ buffer: value, what: 'a SharedArrayBuffer' });
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer) {
      const what = `a${/^[AEIOU]/.test(value.constructor.name) ? 'n' : ''} ${value.constructor.name} over a SharedArrayBuffer`;
      found.push({ buffer: value.buffer, what, view: value instanceof DataView ? undefined : (value as unknown as ArrayLike<number | bigint>) });
    }
    return;
  }
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : isPlainObject(value) ? Object.values(value) : [];
  for (const item of items) {
    walk(item, budget, seen, found);
    if (budget.nodes < 0) return;
  }
}
