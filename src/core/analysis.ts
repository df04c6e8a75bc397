/**
 * From finished runs to what the user should know: metrics, warnings (races, divergence, errors,
 * lock-order inversions, the GIL, overhead, imbalance, a busy machine) and the one-sentence verdict.
 */
import type { LockEvent, Machine, Run, SourceLocation, Target, TaskSpan, Varying, Warning } from './model';
import type { OwnLock } from './protocol';
import { applyMetrics, dominantTask, isCpuBound, laneBusyMs, representativeRuns } from './metrics';
import { findLockOrderInversions } from './lockOrder';
import { Warnings, chunksizeFor, loadCouldExplain, movedData, printsALot, sharedThings, slowLoadOf } from './warnings';
import { TOO_LITTLE_MS, verdictOf } from './verdict';
import { redoneCache, sharedValueWarnings, unlockedUpdates } from './sharedValues';
import { firstCallWarmUp, judgedWithoutWarmUp } from './warmUp';
import { AMDAHL_SHARE, lockContention } from './lockWaits';

/** Where code draws random numbers, unseeded: Python's random module, numpy's; JS's Math.random, crypto. */
const RANDOM_PY = /\b(random\.(random|randint|randrange|uniform|gauss|choice|choices|shuffle|sample)|np\.random\.|numpy\.random\.|secrets\.|uuid4)\b|^\s*from\s+(random|numpy\.random|secrets)\s+import\b/;
const RANDOM_JS = /\bMath\.random\b|\brandomUUID\b|\bgetRandomValues\b|\brandomInt\b|\brandomBytes\b|\b(seedrandom|mulberry32|sfc32|xorshift\w*|splitmix\w*)\b/;

/** Where code reads which worker runs it, or the clock: values that differ from run to run by nature. */
// Bare where imported by name (`from os import getpid`), for the names nothing else is likely to have.
const IDENTITY_PY = /\b(os\.getpid|threading\.get_ident|threading\.get_native_id|current_thread|current_process|time\.time|time\.time_ns|time\.perf_counter(_ns)?|time\.monotonic(_ns)?|datetime\.now|datetime\.utcnow|uuid\.uuid1)\s*\(|(?<![\w.])(getpid|get_ident|get_native_id|perf_counter(_ns)?|monotonic(_ns)?|time_ns|uuid1)\s*\(/;
const IDENTITY_JS = /^(?!\s*import\b).*?(\bprocess\.pid\b|\bthreadId\b|\bDate\.now\s*\(|\bperformance\.now\s*\(|\bnew Date\s*\(\s*\)|\bprocess\.hrtime\b)/;

/** A JS module's main code guarded by being the main thread, at its top level (column 0). */
const MAIN_THREAD_GUARD = /^if\s*\(\s*([\w$]+\.)?isMainThread\s*\)/;

/** A seed set as the module loads (a line at column 0), which every worker then sets alike. */
const SEED_PY = /^(np\.random\.seed|numpy\.random\.seed|random\.seed)\s*\(/;
const SEED_JS = /^(export\s+)?(const|let|var)\s+\w+\s*=\s*(new\s+)?(seedrandom|mulberry32|sfc32|xorshift\w*|splitmix\w*)\s*\(/;

/** The first line of the source matching `pattern` (among `only`, 0-based, where given), as a location in the target's file. */
function lineOf(target: Target, source: string | undefined, pattern: RegExp, only?: Set<number>): SourceLocation | undefined {
  if (!source) return undefined;
  const index = source.split(/\r?\n/).findIndex((line, i) => (!only || only.has(i)) && pattern.test(line));
  return index >= 0 ? { file: target.file, line: index + 1 } : undefined;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The lines (0-based) of the block that starts at `first`: to the next line as little indented (a JS `}` included). */
function blockLines(lines: string[], first: number): number[] {
  const depth = indentOf(lines[first]);
  const block = [first];
  for (let i = first + 1; i < lines.length; i++) {
    const text = lines[i];
    if (text.trim() === '') continue;
    if (indentOf(text) <= depth) {
      if (/^\s*[}\])]/.test(text)) block.push(i);
      break;
    }
    block.push(i);
  }
  return block;
}

/** A top-level function's name, where the line defines one. */
const TOP_FUNCTION = /^(?:export\s+)?(?:async\s+)?(?:def|function)\s*\*?\s*([A-Za-z_$][\w$]*)|^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/;

/**
 * The lines (0-based) the profiled function can run: its own, those of the file's top-level
 * functions it calls by name (and those they call), and the module's own (column 0). A random draw
 * elsewhere in the file (another function's) does not make this one's results random.
 */
function reachableLines(source: string, definition: SourceLocation): Set<number> {
  const lines = source.split(/\r?\n/);
  const functions = new Map<string, number>();
  lines.forEach((line, i) => {
    const match = TOP_FUNCTION.exec(line);
    if (match) functions.set(match[1] ?? match[2], i);
  });
  const reached = new Set<number>(lines.flatMap((line, i) => (line.trim() !== '' && indentOf(line) === 0 ? [i] : [])));
  const visited = new Set<number>();
  const visit = (first: number): void => {
    if (visited.has(first)) return;
    visited.add(first);
    for (const i of blockLines(lines, first)) {
      reached.add(i);
      for (const [, name] of lines[i].matchAll(/\b([A-Za-z_$][\w$]*)\s*\(/g)) {
        const at = functions.get(name);
        if (at !== undefined) visit(at);
      }
    }
  };
  visit(definition.line - 1);
  return reached;
}

export function analyze(
  runs: Run[],
  target: Target,
  machine: Machine,
  given: Warning[],
  source?: string,
  ownLocks: OwnLock[] = [],
): { warnings: Warning[]; verdict: string } {
  applyMetrics(runs);
  const warnings: Warning[] = [];
  // A dotted name (Shape.area) is a method: its own line, indented, maybe `static` or `async`.
  const member = target.name.split('.').pop()!;
  const definition = lineOf(
    target,
    source,
    member === target.name
      ? new RegExp(`^(export\\s+)?(async\\s+)?(def|function|const|let|var)\\s*\\*?\\s*${escape(target.name)}\\b`)
      : new RegExp(`^\\s*(static\\s+)?(async\\s+)?(def\\s+)?\\*?\\s*${escape(member)}\\s*[(<]`),
  );
  const unsafeSite = lineOf(target, source, /unsafeAdd|unsafe_add/);
  const definitionText = definition && source?.split(/\r?\n/)[definition.line - 1];
  // `async function f`, `const f = async (…) =>`, `async def f`: calls that could overlap in one event loop.
  const isAsync = !!definitionText && /\basync\b/.test(definitionText);
  const byStrategy = groupBy(runs, (r) => r.strategy);

  for (const [strategy, group] of byStrategy) {
    // Races: lost counter updates, with how often they appeared when repeated.
    const lossy = group.filter((r) => r.counter.lost > 0);
    if (lossy.length > 0) {
      const worst = lossy.reduce((a, b) => (b.counter.lost > a.counter.lost ? b : a));
      const warning = Warnings.lostUpdates(strategy, worst.counter.lost, worst.counter.expected, target.language, unsafeSite);
      if (group.length > 1) warning.seenIn = { repeats: lossy.length, of: group.length };
      warnings.push(warning);
    }
    // Task errors, grouped per strategy.
    const failed = group.flatMap((r) => r.tasks.filter((t) => t.status === 'error'));
    if (failed.length > 0) {
      const first = failed[0];
      // A JS stack overflow in processes where a thread ran the same input: their stacks differ.
      const overflowed = target.language !== 'python' && strategy === 'processes' && /Maximum call stack size exceeded/.test(first.error ?? '');
      const ranElsewhere = overflowed ? runs.find((r) => r.strategy !== strategy && r.tasks.some((t) => t.index === first.index && t.status === 'ok'))?.strategy : undefined;
      warnings.push(Warnings.taskErrors(strategy, failed.length, first.error ?? 'unknown error', first.errorLocation ?? definition, ranElsewhere));
    }
  }

  // The lines the function can run: where a draw, a read of the clock or an item update counts.
  const reachable = source && definition ? reachableLines(source, definition) : undefined;
  if (source && reachable) placeBufferUpdates(runs, target, source, reachable);
  const mainGuard = target.language !== 'python' ? lineOf(target, source, MAIN_THREAD_GUARD) : undefined;
  if (mainGuard) warnings.push(Warnings.mainThreadGuard(mainGuard, source!.split(/\r?\n/)[mainGuard.line - 1].trim()));
  warnings.push(...sharedValueWarnings(runs, target.language));
  if (target.language === 'python') warnings.push(...unlockedUpdates(runs, machine, warnings));
  warnings.push(...locksCopiedByProcesses(runs, ownLocks));
  // Random numbers differ from run to run by design: divergence then says so, at the draw.
  const randomSite = lineOf(target, source, target.language === 'python' ? RANDOM_PY : RANDOM_JS, reachable);
  // Unless a pool's workers drew the same numbers as one another: that is no run drawing others.
  const seedSite = lineOf(target, source, target.language === 'python' ? SEED_PY : SEED_JS);
  const repeated = randomSite ? sameDraws(runs, randomSite, seedSite, target.language, source) : [];
  warnings.push(...repeated);
  // Or because it returns which worker ran it, or the time: no race either.
  const identitySite = randomSite ? undefined : lineOf(target, source, target.language === 'python' ? IDENTITY_PY : IDENTITY_JS, reachable);
  const varying = randomSite ? 'random' : identitySite ? 'identity' : undefined;
  const seeded = randomSite && seededFromInput(target.language, source?.split(/\r?\n/)[randomSite.line - 1] ?? '');
  warnings.push(...divergences(runs, randomSite ?? identitySite ?? definition, varying, new Set(repeated.map((w) => w.strategy!)), seeded));
  // An inversion that did deadlock is already reported as the deadlock itself.
  const deadlocked = given.filter((w) => w.kind === 'deadlock').map((w) => w.message);
  for (const inversion of findLockOrderInversions(runs)) {
    const both = (m: string) => m.includes(`"${inversion.first}"`) && m.includes(`"${inversion.second}"`);
    if (deadlocked.some(both)) continue;
    warnings.push(Warnings.lockOrder(inversion, target.language));
  }

  const timed = representativeRuns(runs);
  const sequential = timed.find((r) => r.strategy === 'sequential');
  // Pools that did not pay the sequential run's first-call start-up again are judged without it.
  const warm = firstCallWarmUp(sequential, timed.filter((r) => r.strategy !== 'sequential'));
  if (warm) warnings.push(Warnings.warmUp(warm, target.language, definition));
  const shown = judgedWithoutWarmUp(timed, warm);
  const libraryCpus = libraryThreadsOf(sequential, target);
  if (libraryCpus !== undefined) warnings.push(Warnings.libraryThreads(libraryCpus, machine.cpus));
  const childCpus = childProcessesOf(sequential);
  if (childCpus !== undefined) warnings.push(Warnings.childProcesses(childCpus, machine.cpus));
  for (const run of shown) {
    const { speedup, loadImbalance, stragglers, callMs } = run.metrics;
    // Timing of a run whose tasks were stopped says nothing about parallel speed.
    const disturbed = run.tasks.some((t) => t.status !== 'ok' && t.status !== 'error');
    // Nor that of a run whose every call failed: its errors are what to look at.
    const noneOk = run.tasks.every((t) => t.status !== 'ok');
    if (run.strategy === 'sequential' || speedup === null || run.aborted || disturbed || noneOk) continue;
    const cpuBound = isCpuBound(sequential, run);
    // Calls of microseconds, or too little work in all to time, make a thread pool slow by its own
    // overhead: the GIL is not what the user should look at (and a process pool does worse).
    const judged = (sequential?.metrics.busyMs ?? 0) >= TOO_LITTLE_MS && (sequential?.metrics.callMs ?? 0) >= TINY_CALL_MS;
    const slowLoad = slowLoadOf(run, target);
    const contention = lockContention(run);
    if (target.language === 'python' && run.strategy === 'threads' && run.workers > 1 && speedup < 1.2 && cpuBound && judged && machine.gil !== false && libraryCpus === undefined && childCpus === undefined) {
      warnings.push(Warnings.gil(speedup, run.workers, definition, contention && contention.heldShare >= AMDAHL_SHARE ? contention.lock : undefined));
    } else if (speedup < 0.9) {
      const busy = Math.max(run.otherLoad ?? 0, sequential?.otherLoad ?? 0);
      warnings.push(
        Warnings.overhead(run.strategy, speedup, {
          callMs,
          utilization: run.metrics.utilization,
          busyShare: busy >= BUSY_SHARE && loadCouldExplain(speedup, busy, callMs) ? busy : undefined,
          shared: sharedThings(run),
          outputLines: printsALot(run) ? run.outputLines : undefined,
          workers: run.workers,
          inputs: run.tasks.length,
          cpusForCpuBound: cpuBound ? machine.cpus : undefined,
          slowLoad,
          redone: redoneCache(run, warnings),
          moved: movedData(run),
          chunksize: target.language === 'python' && run.strategy === 'processes' && callMs !== null ? chunksizeFor(callMs, run.tasks.length, run.workers) : undefined,
        }),
      );
    } else if (slowLoad) {
      warnings.push(Warnings.slowLoad(slowLoad));
    }
    if (contention) warnings.push(Warnings.contention(run.strategy, contention));
    if (loadImbalance !== null && loadImbalance > 1.5 && run.tasks.length >= 2 * run.workers && imbalanceCosts(run)) {
      warnings.push(Warnings.imbalance(run.strategy, loadImbalance, stragglers, dominantTask(run)));
    }
  }

  const busy = busyMachine(runs, shown);
  if (busy) warnings.push(busy);

  const all = dedupe([...mergeRepeated(given), ...warnings]);
  return { warnings: all, verdict: verdictOf(shown, all, target, { isAsync, cpus: machine.cpus, libraryCpus, childCpus, varying, warmUpMs: warm?.excessMs, gil: machine.gil }) };
}

/** A JS update of an item that reads it back, `view[0]++`, `counts[i] += n`, on a line that is not a comment. */
const ITEM_UPDATE_JS = /^(?!\s*(?:\/\/|\/\*|\*)).*?(?:[\w$.]+\s*\[[^\]]*\]\s*(?:\+\+|--|(?:[-+*/%&|^]|\*\*|<<|>>>?)=(?!=))|(?:\+\+|--)\s*[\w$.]+\s*\[)/;

/**
 * Where the calls update the shared memory the inputs hold (a `buffer` value, whose update the
 * runner cannot find by a variable's name, as the calls reach it through a parameter): the first
 * item update the function can reach. Where it reaches none (only stores, `out[i] = x`, or
 * Atomics), a different change is no lost update: the value is marked `storesOnly`.
 */
function placeBufferUpdates(runs: Run[], target: Target, source: string, reachable: Set<number>): void {
  const values = runs.flatMap((r) => r.sharedValues ?? []).filter((v) => v.kind === 'buffer' && !v.updateSite);
  if (values.length === 0) return;
  const site = lineOf(target, source, ITEM_UPDATE_JS, reachable);
  if (!site) {
    for (const value of values) value.storesOnly = true;
    return;
  }
  const code = source.split(/\r?\n/)[site.line - 1].trim().replace(/;$/, '');
  for (const value of values) {
    value.updateSite = site;
    if (code.length <= 80) value.updateCode = code;
  }
}

/**
 * The user's threading locks (Python) that kept the thread run's calls apart, where a process pool
 * ran beside: each of its workers has a copy of its own, so what the lock guards was not guarded
 * between processes. One warning per lock, at the first place a thread waited for it.
 */
function locksCopiedByProcesses(runs: Run[], ownLocks: OwnLock[]): Warning[] {
  const pool = runs.find((r) => r.strategy === 'processes' && r.workers > 1 && !r.aborted && r.tasks.some((t) => t.status === 'ok'));
  if (!pool) return [];
  return ownLocks.flatMap((lock) => {
    if (lock.shared) return [];
    const waits = runs.filter((r) => r.strategy === 'threads').flatMap((r) => waitsFor(r.locks, lock.name));
    return waits.length > 0 ? [Warnings.lockCopiedByProcesses(lock, waits.length, waits[0].site)] : [];
  });
}

/** The requests for `name` that waited (a millisecond or more until the same task acquired it). */
function waitsFor(events: LockEvent[], name: string): LockEvent[] {
  const asked = new Map<string, LockEvent>();
  const waited: LockEvent[] = [];
  for (const event of events) {
    if (event.lock !== name) continue;
    const key = `${event.lane}:${event.task}`;
    if (event.kind === 'request') asked.set(key, event);
    else if (event.kind === 'acquire') {
      const request = asked.get(key);
      if (request && event.atMs - request.atMs >= 1) waited.push(request);
      asked.delete(key);
    }
  }
  return waited;
}

/**
 * Whether the busiest worker's work beyond the average is a noticeable share (a tenth) of the run's
 * wall time: with calls of microseconds, one worker doing twice the others' still costs nothing.
 */
function imbalanceCosts(run: Run): boolean {
  const busy = laneBusyMs(run);
  const meanBusyMs = busy.reduce((a, b) => a + b, 0) / busy.length;
  return Math.max(...busy) - meanBusyMs >= 0.1 * run.wallMs;
}

/** Calls shorter than this (ms) cost a pool more to hand out than to run. */
const TINY_CALL_MS = 0.1;

/** Other load at or above this share of the machine's CPU time during a run skews the comparison. */
const BUSY_SHARE = 0.1;

/** A warning when other programs took CPU time during a run: the busiest run of each strategy. */
function busyMachine(runs: Run[], shown: Run[]): Warning | undefined {
  const shares: { strategy: Run['strategy']; share: number }[] = [];
  for (const [strategy, group] of groupBy(runs, (r) => r.strategy)) {
    const share = Math.max(...group.map((r) => r.otherLoad ?? 0));
    if (share >= BUSY_SHARE / 2) shares.push({ strategy, share });
  }
  if (!shares.some((s) => s.share >= BUSY_SHARE)) return undefined;
  const superLinear = shown
    .filter((r) => (r.metrics.efficiency ?? 0) > 1.05)
    .map((r) => ({ strategy: r.strategy, efficiency: r.metrics.efficiency! }))
    .sort((a, b) => b.efficiency - a.efficiency)[0];
  return Warnings.busyMachine(shares, superLinear);
}

/**
 * A pool whose workers drew the same random numbers: each worker's k-th call returned what another
 * worker's k-th call returned, where the sequential run's calls for those inputs returned different
 * results. Each worker started from the same random state: a seed set as the module loads (`seed`)
 * is set alike in every worker, and a forked process copies its parent's generator (NumPy's global
 * one is not reseeded). Calls side by side are compared, not any two: results of few values (a
 * die's roll) meet by chance, but not call after call.
 */
function sameDraws(runs: Run[], draw: SourceLocation, seed: SourceLocation | undefined, language: Target['language'], source?: string): Warning[] {
  const reference = sequentialResults(runs);
  // How often two of the sequential run's results meet by chance: past a tenth, nothing can be told.
  const seen = [...reference.values()].map((t) => t.digest!);
  const pairs = (seen.length * (seen.length - 1)) / 2;
  const counts = new Map<string, number>();
  for (const digest of seen) counts.set(digest, (counts.get(digest) ?? 0) + 1);
  const meeting = [...counts.values()].reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
  if (seen.length < 4 || meeting > 0.1 * pairs) return [];
  const warnings: Warning[] = [];
  for (const [strategy, group] of groupBy(runs, (r) => r.strategy)) {
    if (strategy === 'sequential') continue;
    // The run of the strategy with the most such calls stands for it.
    let worst: { count: number; of: number; example: string } | undefined;
    for (const run of group) {
      // Each worker's own copy of a module value the calls changed (a count of calls) makes
      // side-by-side results alike as well: that is the copies' story, told on them.
      if (run.sharedValues?.some((v) => v.ownCopies && (v.copies ?? [v.change]).some((c) => c !== 0))) continue;
      const ok = run.tasks.filter((t) => t.status === 'ok' && t.digest && reference.has(t.index));
      const lanes = [...groupBy(ok, (t) => t.lane).values()].map((tasks) => tasks.sort((a, b) => a.startMs - b.startMs));
      const repeats = new Set<number>();
      let sideBySide = 0;
      let alike = 0;
      let example = '';
      for (let a = 0; a < lanes.length; a++) {
        for (let b = a + 1; b < lanes.length; b++) {
          for (let k = 0; k < Math.min(lanes[a].length, lanes[b].length); k++) {
            const [x, y] = [lanes[a][k], lanes[b][k]];
            sideBySide++;
            if (x.digest !== y.digest || reference.get(x.index)!.digest === reference.get(y.index)!.digest) continue;
            alike++;
            repeats.add(x.index).add(y.index);
            example ||= `input #${x.index} on worker ${x.lane} and input #${y.index} on worker ${y.lane} both returned ${x.resultPreview ?? 'the same'}`;
          }
        }
      }
      if (alike >= 3 && alike >= sideBySide / 2 && repeats.size > (worst?.count ?? 0)) worst = { count: repeats.size, of: ok.length, example };
    }
    if (worst) warnings.push(Warnings.sameDraws(strategy, worst, draw, seed, drawFix(language, source?.split(/\r?\n/)[draw.line - 1] ?? '')));
  }
  return warnings;
}

/** A draw through NumPy's generator (`np.random.rand()`, `from numpy.random import rand`). */
const NUMPY_DRAW = /\b(np|numpy)\.random\b/;

/** A generator seeded from the input, in the words of the library the draw uses. */
function seededFromInput(language: Target['language'], drawLine: string): string {
  if (language !== 'python') return 'Math.random cannot be seeded: a small generator of your own, such as mulberry32(x)';
  return NUMPY_DRAW.test(drawLine) ? 'np.random.default_rng(x)' : 'random.Random(x)';
}

/** How to give each call numbers of its own, in the words of the library the draw uses. */
function drawFix(language: Target['language'], drawLine: string): string {
  if (language !== 'python') return 'make the generator in the call, seeded from the input (or from crypto.getRandomValues for fresh numbers)';
  if (NUMPY_DRAW.test(drawLine)) return 'draw from a generator made in the call: np.random.default_rng() for fresh numbers, or np.random.default_rng(x) seeded from the input';
  return 'draw from a generator made in the call: random.Random() for fresh numbers, or random.Random(x) seeded from the input';
}

/** Each input's call in the sequential run that returned (the first run's, with repeats), by input index. */
function sequentialResults(runs: Run[]): Map<number, TaskSpan> {
  const reference = new Map<number, TaskSpan>();
  for (const run of runs) {
    if (run.strategy !== 'sequential') continue;
    for (const task of run.tasks) if (task.status === 'ok' && task.digest && !reference.has(task.index)) reference.set(task.index, task);
  }
  return reference;
}

/** Results that differ from the sequential run for the same input (or between repeats); not for `skip`'s strategies. */
function divergences(runs: Run[], location?: SourceLocation, varying?: Varying, skip = new Set<string>(), seeded?: string): Warning[] {
  const reference = sequentialResults(runs);
  if (reference.size === 0) {
    // Without a sequential run, the first strategy's first run is the reference.
    for (const task of runs[0]?.tasks ?? []) if (task.status === 'ok' && task.digest) reference.set(task.index, task);
  }
  const warnings: Warning[] = [];
  for (const [strategy, group] of groupBy(runs, (r) => r.strategy)) {
    if (skip.has(strategy)) continue;
    const differing = new Map<number, string>();
    let repeatsWith = 0;
    for (const run of group) {
      let any = false;
      for (const task of run.tasks) {
        const expected = reference.get(task.index);
        if (task.status !== 'ok' || !task.digest || !expected || expected.digest === task.digest) continue;
        any = true;
        if (!differing.has(task.index)) differing.set(task.index, `input #${task.index}: ${expected.resultPreview ?? '?'} vs ${task.resultPreview ?? '?'}`);
      }
      if (any) repeatsWith++;
    }
    if (differing.size > 0) {
      const warning = Warnings.divergence(strategy, [...differing.values()].slice(0, 3), differing.size, location, varying, seeded);
      if (group.length > 1) warning.seenIn = { repeats: repeatsWith, of: group.length };
      warnings.push(warning);
    }
  }
  return warnings;
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The same deadlock (same strategy, same locks and sites) found again is counted, not repeated. */
function mergeRepeated(warnings: Warning[]): Warning[] {
  const merged = new Map<string, { warning: Warning; times: number }>();
  const out: Warning[] = [];
  for (const warning of warnings) {
    if (warning.kind !== 'deadlock') {
      out.push(warning);
      continue;
    }
    // Which worker, and which worker process's copy of a Python threading lock, do not matter.
    const parts = (warning.details ?? [warning.message]).map((d) => d.replace(/worker \d+ \(input #\d+\) /, '').replace(/ in process \d+"/g, '"'));
    const shape = `${warning.strategy}|${parts.sort().join('|')}`;
    const seen = merged.get(shape);
    if (seen) seen.times++;
    else {
      const entry = { warning: { ...warning }, times: 1 };
      merged.set(shape, entry);
      out.push(entry.warning);
    }
  }
  for (const { warning, times } of merged.values()) {
    if (times > 1) warning.message = warning.message.replace(': deadlock —', `: deadlock (${times} times) —`);
  }
  return out;
}

function dedupe(warnings: Warning[]): Warning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.kind}|${w.strategy ?? ''}|${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A one-worker run keeping this many CPUs busy has threads of its own: a library's. */
const LIBRARY_THREADS_CPUS = 1.4;

/**
 * How many CPUs the Python sequential run kept busy, where it was clearly more than one: its calls
 * use a library that runs threads of its own (numpy's BLAS). Not for JS, whose garbage collector
 * alone can keep a second CPU busy part of the time.
 */
function libraryThreadsOf(sequential: Run | undefined, target: Target): number | undefined {
  return target.language === 'python' ? cpusKeptBusy(sequential, sequential?.cpuMs) : undefined;
}

/**
 * How many CPUs the sequential run's calls kept busy in child processes of their own (a process
 * pool inside the function, programs it runs), where that is LIBRARY_THREADS_CPUS or more: a
 * pool of such calls only adds processes competing for the same CPUs.
 */
function childProcessesOf(sequential: Run | undefined): number | undefined {
  return cpusKeptBusy(sequential, sequential?.childCpuMs);
}

/** `cpuMs` of the sequential run over its wall time, where that is LIBRARY_THREADS_CPUS or more. */
function cpusKeptBusy(sequential: Run | undefined, cpuMs: number | null | undefined): number | undefined {
  if (!sequential || sequential.aborted || !cpuMs || sequential.wallMs <= 0) return undefined;
  if (sequential.metrics.busyMs < TOO_LITTLE_MS) return undefined;
  const cpus = cpuMs / sequential.wallMs;
  return cpus >= LIBRARY_THREADS_CPUS ? cpus : undefined;
}
