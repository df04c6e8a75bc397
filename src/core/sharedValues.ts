/**
 * The user's own shared values (Python: a multiprocessing Value, RawValue or Array, a global a
 * function updates, a list, set or dict it changes; pp_harness/sharedvalues.py. JS: a module-level
 * variable; runners/js/moduleValues.ts), each run's change beside the sequential run's: a smaller
 * change is updates lost to a race, none at all in a process pool (or, in JS, a copy per worker
 * that saw only its own calls) is each worker updating a copy of its own. Sets `lost` on the runs'
 * values, for the table's lost-updates column.
 */
import type { Language, Machine, Run, SharedValueChange, Warning } from './model';
import { Warnings, isContainer, memoName } from './warnings';

/** How the sequential run changed each value, where every call of it succeeded. */
function referenceChanges(runs: Run[]): Map<string, number> {
  const reference = new Map<string, number>();
  for (const run of runs) {
    if (run.strategy !== 'sequential' || !completed(run)) continue;
    for (const value of run.sharedValues ?? []) if (!reference.has(value.name)) reference.set(value.name, value.change);
  }
  return reference;
}

/** A run whose every call ended by itself: a stopped or failed call may have left its update out. */
const completed = (run: Run) => !run.aborted && run.tasks.length > 0 && run.tasks.every((t) => t.status === 'ok');

/**
 * Whether the sequential run's calls all returned nothing (Python's None, JS's undefined): then what they put in a
 * module-level list, set or dict is their output, and a process pool's workers losing it matters.
 * A function that returns its values and also keeps them (a memo cache) loses nothing that way.
 */
function returnsNothing(runs: Run[]): boolean {
  const sequential = runs.find((r) => r.strategy === 'sequential' && completed(r));
  return !!sequential && sequential.tasks.every((t) => t.digest === 'N:None' || t.digest === 'u:undefined');
}

/**
 * Where the workers told their own copies (JS pools, Python process pools): whether the calls'
 * updates were spread over them, adding up to the sequential run's change, as for a value the calls
 * build up. One each call sets afresh (`last = 0; last += x`) is scratch space, whose copies add up
 * to no such thing: a copy per worker takes nothing from it.
 */
function splitOverCopies(value: SharedValueChange, expected: number): boolean {
  if (!value.copies) return true;
  const sum = value.copies.reduce((a, b) => a + b, 0);
  return Math.abs(sum - expected) <= 1e-9 * Math.abs(expected);
}

export function sharedValueWarnings(runs: Run[], language: Language = 'python'): Warning[] {
  const reference = referenceChanges(runs);
  const outputKept = returnsNothing(runs);
  // Per strategy and value: in how many runs it differed, of how many, and the run that lost most.
  const tally = new Map<string, { expected: number; runs: number; of: number; worst?: { run: Run; value: SharedValueChange } }>();
  for (const run of runs) {
    if (run.strategy === 'sequential' || !completed(run)) continue;
    for (const value of run.sharedValues ?? []) {
      const expected = reference.get(value.name);
      if (!expected) continue;
      const key = `${run.strategy}\0${value.name}`;
      const entry = tally.get(key) ?? { expected, runs: 0, of: 0 };
      tally.set(key, entry);
      entry.of++;
      const lost = Math.sign(value.change) === -Math.sign(expected) ? Math.abs(expected) : Math.abs(expected) - Math.abs(value.change);
      // A container is the calls' output where they return nothing, or a tally where its update
      // reads it back (`counts[w] += 1`); one only stored into beside the values the calls return
      // is a memo cache or a log, which the workers' copies lose nothing of. Floating-point sums
      // may differ in their last digits by order alone.
      const differs = value.ownCopies
        ? value.change !== expected && (outputKept || !isContainer(value.kind) || !value.storesOnly) && splitOverCopies(value, expected)
        : !value.storesOnly && lost > 1e-9 * Math.abs(expected);
      if (!differs) continue;
      if (!value.ownCopies) value.lost = Number(lost.toPrecision(12));
      entry.runs++;
      if (!entry.worst || (value.lost ?? 0) > (entry.worst.value.lost ?? 0)) entry.worst = { run, value };
    }
  }
  const warnings = [...tally.values()].flatMap(({ expected, runs, of, worst }) => {
    if (!worst) return [];
    const { run, value } = worst;
    const warning = value.ownCopies ? Warnings.ownCopies(run.strategy, value, expected, language) : Warnings.lostSharedUpdates(run.strategy, value, expected);
    if (of > 1) warning.seenIn = { repeats: runs, of };
    return [warning];
  });
  return outputKept ? warnings : [...warnings, ...redoneWork(runs, reference)];
}

/** Copies that together grew this much more than the sequential run's one copy did: work done again. */
const REDONE_SHARE = 0.1;

/**
 * A cache the calls only store into, beside the values they return (a memo, a set of what was
 * seen), whose copies in a pool's workers grew more than the sequential run's one copy: what the
 * sequential run's calls reused from it, each worker gathered again. One warning per pool and value.
 */
function redoneWork(runs: Run[], reference: Map<string, number>): Warning[] {
  const found = new Map<string, Warning>();
  for (const run of runs) {
    if (run.strategy === 'sequential' || !completed(run)) continue;
    for (const value of run.sharedValues ?? []) {
      const expected = reference.get(value.name);
      const key = `${run.strategy}\0${value.name}`;
      if (!expected || expected < 0 || !value.copies || !value.storesOnly || !isContainer(value.kind) || found.has(key)) continue;
      const together = value.copies.reduce((a, b) => a + b, 0);
      if (together > expected * (1 + REDONE_SHARE)) found.set(key, Warnings.redoneWork(run.strategy, value, expected, together));
    }
  }
  return [...found.values()];
}

/** The cache (memoName) whose work `run`'s workers did again, where a warning says so. */
export function redoneCache(run: Run, warnings: Warning[]): string | undefined {
  const redone = warnings.find((w) => w.kind === 'overhead' && w.strategy === run.strategy && w.shared !== undefined);
  const value = redone && run.sharedValues?.find((v) => v.name === redone.shared);
  return value ? memoName(value) : undefined;
}

/** What a run lost of its counter and of the user's shared values together. */
export function lostUpdates(run: Run): number {
  return run.counter.lost + (run.sharedValues ?? []).reduce((sum, value) => sum + (value.lost ?? 0), 0);
}

/** An update that reads the value and writes it back: `n += 1`, `d[k] -= x`, `n = n + 1`. */
const READ_MODIFY_WRITE = /^\s*([\w.]+)(\[[^\]]*\])?\s*(\+|-|\*|\/|\/\/|%|\*\*|<<|>>|&|\||\^)=|^\s*([\w.]+)\s*=\s*\4\b/;

/**
 * Python globals (and module-level dicts and lists) a thread run's calls updated side by side with
 * a read-modify-write and no lock (or one made afresh at each call), losing nothing. It is still a
 * race: CPython 3.10 and later switch threads only at loop turns and calls, never inside `n += 1`
 * on numbers, so it did not show there; older ones switch every 5 ms, and no switch may have
 * fallen inside an update; a free-threaded build's updates may not have met. Not where a lost
 * update was found (`found`: that warning says it already).
 */
export function unlockedUpdates(runs: Run[], machine: Machine, found: Warning[]): Warning[] {
  const reference = referenceChanges(runs);
  const warned = new Set<string>();
  for (const w of found) if (w.shared !== undefined) warned.add(`${w.strategy}\0${w.shared}`);
  const warnings: Warning[] = [];
  for (const run of runs) {
    if (run.strategy !== 'threads' || !completed(run) || !callsOverlapped(run)) continue;
    for (const value of run.sharedValues ?? []) {
      const key = `${run.strategy}\0${value.name}`;
      if (warned.has(key) || !reference.get(value.name) || value.ownCopies || value.storesOnly || value.manager) continue;
      if (value.kind !== 'global' && value.kind !== 'attribute' && value.kind !== 'dict' && value.kind !== 'list') continue;
      if (value.guard?.excludes || !value.updateCode || !READ_MODIFY_WRITE.test(value.updateCode)) continue;
      warned.add(key);
      warnings.push(Warnings.unlockedUpdate(run.strategy, value, machine));
    }
  }
  return warnings;
}

/** Whether two of the run's calls ran at the same time, on different workers. */
function callsOverlapped(run: Run): boolean {
  const spans = [...run.tasks].sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < spans.length; i++) {
    for (let j = i - 1; j >= 0 && j >= i - run.workers; j--) {
      if (spans[j].lane !== spans[i].lane && spans[j].endMs > spans[i].startMs) return true;
    }
  }
  return false;
}
