/**
 * Shared memory among the inputs: a SharedArrayBuffer, or a typed array or DataView over one, that
 * the inputs expression made and the tasks' arguments hold. Worker threads get that very memory
 * (the JS way to share it, with Atomics); worker processes cannot: V8's serializer refuses a
 * SharedArrayBuffer and copies a view over one, so a call would write into a copy nobody sees.
 * Whatever a run's calls wrote there would also still be there for the next run: each run starts
 * from the contents the inputs expression gave instead.
 */
import { isPlainObject } from './taskExecution';

export interface SharedInputs {
  /** Input index → what shared memory its arguments hold ("an Int32Array over a SharedArrayBuffer"). */
  byInput: Map<number, string>;
  /** Puts every shared buffer back to its contents at `findSharedInputs`. */
  restore(): void;
}

/** Looked at per input, as for the arguments' other checks: big inputs are not walked whole. */
const NODES_PER_INPUT = 10_000;

export function findSharedInputs(tasks: { index: number; args: unknown[] }[]): SharedInputs {
  const byInput = new Map<number, string>();
  const saved = new Map<SharedArrayBuffer, Uint8Array>();
  for (const task of tasks) {
    const budget = { nodes: NODES_PER_INPUT };
    const found: { buffer: SharedArrayBuffer; what: string }[] = [];
    walk(task.args, budget, new Set(), found);
    if (found.length === 0) continue;
    byInput.set(task.index, found[0].what);
    for (const { buffer } of found) if (!saved.has(buffer)) saved.set(buffer, new Uint8Array(buffer).slice());
  }
  return {
    byInput,
    restore() {
      for (const [buffer, bytes] of saved) new Uint8Array(buffer).set(bytes);
    },
  };
}

function walk(value: unknown, budget: { nodes: number }, seen: Set<object>, found: { buffer: SharedArrayBuffer; what: string }[]): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || --budget.nodes < 0) return;
  seen.add(value);
  if (value instanceof SharedArrayBuffer) return void found.push({ buffer: value, what: 'a SharedArrayBuffer' });
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer) found.push({ buffer: value.buffer, what: `a${/^[AEIOU]/.test(value.constructor.name) ? 'n' : ''} ${value.constructor.name} over a SharedArrayBuffer` });
    return;
  }
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : isPlainObject(value) ? Object.values(value) : [];
  for (const item of items) {
    walk(item, budget, seen, found);
    if (budget.nodes < 0) return;
  }
}
