/**
 * The one sentence a user can act on: which strategy to use, why the others lose, and whether
 * the code is safe to run in parallel.
 */
import type { Run, SourceLocation, Target, Varying, Warning } from './model';
import { dominantTask, isCpuBound } from './metrics';
import { durationText as ms, fileName, listed, loadCouldExplain, overCpus, printed, printsALot, redoneText, sharedThings, slowLoadOf } from './warnings';
import { redoneCache } from './sharedValues';
import { AMDAHL_SHARE, contentionFix, lockContention, type Contention } from './lockWaits';

/**
 * A speedup for a sentence: two decimals near 1, where one would hide which side of sequential a
 * pool is (0.97 is not "1.0"), and one significant digit under 0.1 (0.014 is not "0.0").
 */
export function speedupText(n: number): string {
  if (n < 0.1) return `${Number(n.toPrecision(1))}×`;
  return `${n.toFixed(n >= 10 ? 0 : n > 0.95 && n < 1.05 && n !== 1 ? 2 : 1)}×`;
}
const x = speedupText;
const pct = (share: number) => (share < 0.005 ? 'under 1%' : `${Math.round(100 * share)}%`);
const POOL_NAMES: Record<string, string> = { threads: 'thread pool', processes: 'process pool' };
const BUSY = 'other programs kept the machine busy during the runs, so it may not be the code — profile again when it is quiet';

/**
 * Under this much work in all (the sequential run's calls), a pool has nothing worth saving, and
 * its time is mostly its start-up and the clock's noise: runs of a few ms can come out 2× either way.
 */
export const TOO_LITTLE_MS = 10;

/**
 * How long a sequential run spent outside its calls, where that is most of it and far beyond a
 * worker's start-up: moving big inputs into its worker (and results out), which a plain loop in
 * the program does not pay.
 */
function movingCost(sequential: Run): number | undefined {
  if (sequential.aborted) return undefined;
  const outside = sequential.wallMs - sequential.metrics.busyMs;
  // Per call, a millisecond at least: a big input each, not the bookkeeping of calls of microseconds.
  const perCall = outside / Math.max(1, sequential.tasks.length);
  return outside >= MOVING_MS && outside >= 0.5 * sequential.wallMs && perCall >= 1 ? outside : undefined;
}
/** Time outside a sequential run's calls beyond a worker's start-up (tens of ms; a few hundred on a slow machine). */
const MOVING_MS = 300;

/**
 * A pool whose workers' start-up took much of its wall time while its calls, once started, ran
 * well ahead of the sequential run's: start-up, not the work, kept the gain small.
 */
function startUpDecides(pool: Run, sequential: Run | undefined): { startUpMs: number; onceStarted: number } | undefined {
  if (!sequential || sequential.aborted) return undefined;
  const callsSpan = (run: Run) => {
    if (run.tasks.length === 0) return undefined;
    const first = Math.min(...run.tasks.map((t) => t.startMs));
    return { first, span: Math.max(...run.tasks.map((t) => t.endMs)) - first };
  };
  const poolCalls = callsSpan(pool);
  const sequentialCalls = callsSpan(sequential);
  if (!poolCalls || !sequentialCalls || poolCalls.span <= 0) return undefined;
  const startUpMs = poolCalls.first - pool.startMs;
  const onceStarted = sequentialCalls.span / poolCalls.span;
  return startUpMs >= START_UP_SHARE * pool.wallMs && onceStarted >= 1.2 ? { startUpMs, onceStarted } : undefined;
}
/** A pool's share of wall time before its first call from which start-up is said to decide it. */
const START_UP_SHARE = 0.4;

/**
 * Beside threads held back by the GIL, where every pool is slower: what the process pool lost on
 * (what its workers share, where they share something; else its start-up and messaging), or that
 * none ran.
 */
function processesLost(pools: Run[]): string {
  const processes = pools.find((r) => r.strategy === 'processes');
  if (!processes) return ' (CPU-bound code under it runs one thread at a time); profile a process pool beside them';
  const things = sharedThings(processes);
  return things
    ? `, and the process pool's workers wait on each other or on what they share (${things}); see the timeline`
    : ", and the process pool's start-up and the moving of inputs and results cost more than it saves on this much work; see the timeline";
}

/** CPUs a Python thread run keeps busy from which its calls release the GIL (under it, one at most). */
const RELEASED_GIL_CPUS = 1.3;
/** CPUs a Python thread run keeps busy below which it ran one thread at a time. */
const ONE_CPU = 1.1;

/** Below this share of CPU time per wall time, the calls mostly wait (I/O, sleeps, other processes). */
const WAITING = 0.3;

export function verdictOf(shown: Run[], warnings: Warning[], target: Target, traits: { isAsync?: boolean; cpus?: number; libraryCpus?: number; childCpus?: number; varying?: Varying; warmUpMs?: number; gil?: boolean | null } = {}): string {
  // Pools that never ran (e.g. Python's process pool for a lambda): their reason is a warning of
  // kind error, but no call of the function failed.
  const skipped = shown.filter(wasSkipped).map((r) => r.strategy);
  // Results that differ because the code draws random numbers, or returns which worker ran it or
  // the time, are no safety matter: they are said apart.
  const byNature = (w: Warning) => traits.varying !== undefined && w.kind === 'divergence' && !w.sameDraws && w.shared === undefined;
  const safety = safetyClause(warnings.filter((w) => !(w.kind === 'error' && w.strategy && skipped.includes(w.strategy)) && !byNature(w)));
  const random = !warnings.some(byNature)
    ? ''
    : traits.varying === 'random'
      ? 'its results differ from run to run, as it draws random numbers'
      : 'its results differ from run to run, as they hold which worker ran it or the time';
  const notRun = skipped.length ? `the ${listed(skipped.map((s) => POOL_NAMES[s] ?? s))} could not run it (see the warnings)` : '';
  // What the sentence adds after its reasons: pools that never ran, results that are random.
  const aside = [notRun, random].filter(Boolean).join('; ');
  const stuck = warnings.filter((w) => w.kind === 'deadlock' || w.kind === 'hang' || w.kind === 'crash');
  if (stuck.length > 0) {
    // Each kind of trouble with the first place it was seen at: the line to look at first.
    const what = [...new Set(stuck.map((w) => w.kind))].map((kind) => {
      const word = kind === 'deadlock' ? 'deadlocks' : kind === 'hang' ? 'hangs' : 'crashes workers';
      const at = stuck.find((w) => w.kind === kind && w.location)?.location;
      return at ? `${word} at ${placeText(at)}` : word;
    });
    const where = listed([...new Set(stuck.map((w) => w.strategy).filter((s): s is NonNullable<typeof s> => !!s))]);
    return `${target.name} ${listed(what)}${where ? ` in ${where}` : ''} — fix that first (see the warnings); its timings are not meaningful until then.`;
  }
  // Calls that all fail time nothing worth comparing, however the pools' walls come out.
  const ran = shown.filter((r) => !wasSkipped(r));
  if (ran.length > 0 && ran.every((r) => r.tasks.length > 0 && r.tasks.every((t) => t.status !== 'ok'))) {
    const at = warnings.find((w) => w.kind === 'error' && w.location)?.location;
    return `Every call of ${target.name} failed${at ? ` (the first at ${placeText(at)})` : ''} — fix the errors below first; its timings are not meaningful until then.`;
  }
  const pools = shown.filter((r) => r.strategy !== 'sequential' && r.metrics.speedup !== null && !r.aborted);
  if (pools.length === 0) {
    const alone = shown.find((r) => r.strategy === 'sequential' && !r.aborted);
    if (alone) {
      const each = alone.metrics.medianTaskMs === null ? '' : ` (${ms(alone.metrics.medianTaskMs)} a call, median)`;
      const pool = notRun ? notRun : 'profile a thread or process pool beside it to see whether parallelism pays';
      return `Only sequential ran: ${alone.tasks.length} call${alone.tasks.length === 1 ? '' : 's'} in ${ms(alone.wallMs)}${each} — ${pool}${safety ? `; ${safety}` : ''}.`;
    }
    return `${target.name} ran without a sequential baseline to compare with${safety ? `; ${safety}` : ''}.`;
  }
  const best = pools.reduce((a, b) => ((b.metrics.speedup ?? 0) > (a.metrics.speedup ?? 0) ? b : a));
  const others = pools.filter((r) => r !== best);
  const gil = warnings.some((w) => w.kind === 'gil');
  // The sequential run already kept several CPUs busy: a library's own threads, or the calls' own processes.
  const library =
    traits.libraryCpus !== undefined
      ? `the sequential run already kept ${traits.libraryCpus.toFixed(1)} CPUs busy with a library's own threads (numpy's BLAS, for one) — limit them (OMP_NUM_THREADS=1) to compare the pools`
      : traits.childCpus !== undefined && `the sequential run's calls already kept ${traits.childCpus.toFixed(1)} CPUs busy in processes of their own — parallelize in one place, not both`;
  // A call's work: tiny calls are what a pool's per-task costs swamp.
  const call = best.metrics.callMs;
  // A pool that printed enough to be slowed by it, if any.
  const chatty = pools.find(printsALot);
  // The best pool's workers spending much of the run loading the module.
  const load = slowLoadOf(best, target);
  const loading = load && `its workers spend ${pct(load.share)} of the run loading ${fileName(load.file)} (its top-level code runs in each) — keep work out of module level`;
  // A cache the best pool's workers each filled again.
  const redone = redoneCache(best, warnings);
  // More workers than CPUs for CPU-bound calls (not for calls that mostly wait).
  const sequential = shown.find((r) => r.strategy === 'sequential');
  const crowded = isCpuBound(sequential) && traits.cpus !== undefined && best.workers > traits.cpus && best.workers <= best.tasks.length ? traits.cpus : undefined;
  // What the pools' calls shared, if anything: their workers may wait on it.
  const shared = pools.map(sharedThings).find((things) => things !== undefined);
  // A lock the best pool's calls spent much of their time waiting for.
  const contended = lockContention(best);
  const waitingForLock = contended && contentionText(contended);
  // The best pool's workers' loads told apart by an imbalance warning: one call that holds back the
  // whole pool, or stragglers in the queue's tail.
  const imbalanced = warnings.some((w) => w.kind === 'imbalance' && w.strategy === best.strategy);
  const dominant = imbalanced ? dominantTask(best) : undefined;
  const uneven = dominant
    ? `input #${dominant.index} alone takes ${pct(dominant.share)} of the calls' time, so no pool beats ${x(dominant.cap)} — split its work into smaller inputs`
    : imbalanced && best.metrics.loadImbalance !== null
      ? `its busiest worker did ${best.metrics.loadImbalance.toFixed(1)}× the average — order the inputs largest first, or split big ones`
      : undefined;
  const startUp = startUpDecides(best, sequential);
  let sentence: string;
  const bestSpeedup = best.metrics.speedup ?? 0;
  // Slow pools on a busy machine are put down to the machine, as their overhead warnings are, where
  // the load measured could explain the loss.
  const busyMachine = warnings.some((w) => w.kind === 'busy-machine');
  const busy = busyMachine && loadCouldExplain(bestSpeedup, Math.max(best.otherLoad ?? 0, sequential?.otherLoad ?? 0), call);
  const work = sequential && !sequential.aborted ? sequential.metrics.busyMs : undefined;
  if (sequential && work !== undefined && work < TOO_LITTLE_MS && bestSpeedup >= 0.9) {
    const calls = sequential.tasks.length;
    const each = sequential.metrics.medianTaskMs === null || calls === 1 ? '' : ` (${ms(sequential.metrics.medianTaskMs)} a call, median)`;
    sentence = `Not worth parallelizing yet: the ${calls} call${calls === 1 ? ' takes' : 's take'} ${ms(work)} in all${each}, so the pools' times (${pools.map((r) => `${r.strategy} ${x(r.metrics.speedup ?? 0)}`).join(', ')}) are mostly start-up and timing noise — profile more inputs, or bigger ones, to see whether a pool pays`;
    return `${sentence}${aside ? `; ${aside}` : ''}${safety ? `; but ${safety}` : ''}.`;
  }
  // Pools of one worker run the calls one at a time: whatever their times, no parallelism is in them.
  if (pools.every((r) => r.workers === 1)) {
    sentence = `With one worker a pool runs the calls one at a time, as the sequential run does: the pools' times (${pools.map((r) => `${r.strategy} ${x(r.metrics.speedup ?? 0)}`).join(', ')}) show only their own start-up and overhead, and timing noise — profile with more workers (--workers 2 or more) to see whether parallelism pays`;
    return `${sentence}${aside ? `; ${aside}` : ''}${safety ? `; but ${safety}` : ''}.`;
  }
  // A JS sequential run that spent most of its time getting its inputs into its worker: no pool
  // that pays the same beats the calls alone, as a plain loop in the program runs them.
  const outside = sequential && target.language !== 'python' ? movingCost(sequential) : undefined;
  if (outside !== undefined && work !== undefined && pools.every((r) => r.wallMs > work)) {
    sentence = `Stay with a plain loop: the ${sequential!.tasks.length} calls take ${ms(work)} in all, but the sequential run spent ${ms(outside)} of its ${ms(sequential!.wallMs)} outside them, starting its worker and moving the inputs into it and the results out, and every pool pays that too (${pools.map((r) => `${r.strategy} ${ms(r.wallMs)}`).join(', ')}) — pass less to each call (an index, a seed or a file name to make its data from, or the data in a SharedArrayBuffer the threads share)`;
    return `${sentence}${aside ? `; ${aside}` : ''}${safety ? `; but ${safety}` : ''}.`;
  }
  if (bestSpeedup >= 1.2) {
    sentence = `${capitalize(POOL_NAMES[best.strategy])} is ${x(bestSpeedup)} faster than sequential with ${best.workers} workers`;
    for (const other of others) {
      const s = other.metrics.speedup ?? 0;
      if (other.strategy === 'threads' && gil) sentence += `; threads gain nothing (${x(s)}): CPU-bound code under the GIL`;
      else if (s < 1) {
        sentence += `; the ${POOL_NAMES[other.strategy]} is slower than sequential (${x(s)})`;
        // Its start-up, where that is what it lost on: its calls once started ran ahead.
        const otherStart = startUpDecides(other, sequential);
        if (otherStart) sentence += `, its workers taking ${ms(otherStart.startUpMs)} to start, ${pct(otherStart.startUpMs / other.wallMs)} of its ${ms(other.wallMs)}`;
      }
      else sentence += `; the ${POOL_NAMES[other.strategy]} reaches ${x(s)}`;
      const held = lockContention(other);
      if (held && !(other.strategy === 'threads' && gil)) sentence += `, as ${contentionText(held)}`;
    }
    if (waitingForLock) sentence += `; ${waitingForLock}`;
    if (dominant) sentence += `; ${uneven}`;
    // Why not nearer the number of workers: the run was short enough for start-up to weigh.
    else if (startUp && startUp.onceStarted >= bestSpeedup * 1.2) {
      sentence += `; the ${POOL_NAMES[best.strategy]}'s workers took ${ms(startUp.startUpMs)} to start, ${pct(startUp.startUpMs / best.wallMs)} of its ${ms(best.wallMs)}, and once started its calls ran ${x(startUp.onceStarted)} faster, which more work per run approaches`;
    }
    // Python threads that scale on CPU-bound calls, with the GIL: the exception to its lesson. Told
    // by their CPU time, which only calls that release the GIL can make exceed the wall time (a
    // speedup alone can come from the sequential run's warm-up, or from noise on a short run).
    const threads = pools.find((r) => r.strategy === 'threads');
    const cpusKeptBusy = threads?.cpuMs != null && threads.wallMs > 0 ? threads.cpuMs / threads.wallMs : 0;
    const gainedUnderGil = target.language === 'python' && traits.gil !== false && threads && (threads.metrics.speedup ?? 0) >= 1.2 && !gil && !library && isCpuBound(sequential, threads);
    if (gainedUnderGil && cpusKeptBusy >= RELEASED_GIL_CPUS) {
      sentence += '; the calls keep a CPU busy, yet threads run them side by side: their work is in C code that releases the GIL (hashlib, zlib, NumPy), which threads share without a process\'s start-up and pickling';
    } else if (gainedUnderGil && threads.cpuMs != null && cpusKeptBusy < ONE_CPU) {
      // One CPU's time at most: the GIL ran one thread at a time, so the gain is not parallelism.
      sentence += `; the thread pool kept one CPU busy at most, so under the GIL its ${x(threads.metrics.speedup ?? 0)} is not parallelism but timing noise or the sequential run's slower first calls (CPython speeds code up as it runs it) — profile more inputs, or bigger ones`;
    }
  } else if (bestSpeedup >= 0.9) {
    const why = waitingForLock
      ? waitingForLock
      : library
      ? library
      : redone
      ? redoneText(redone)
      : gil
      ? 'threads are held back by the GIL'
      : busy
        ? BUSY
        : chatty
        ? `${printed(chatty.outputLines!)} — print less in the function`
        : loading
        ? loading
        : crowded !== undefined
        ? overCpus(best.workers, crowded)
        : uneven
        ? uneven
        : startUp
        ? `start-up decides a run this short: its workers took ${ms(startUp.startUpMs)} to start, ${pct(startUp.startUpMs / best.wallMs)} of its ${ms(best.wallMs)}, and once started its calls ran ${x(startUp.onceStarted)} faster than the sequential run's — a pool pays where the work is well beyond its start-up (more inputs, or bigger ones)`
        : call !== null && call < 1
        ? `each call takes only ${ms(call)}, so pool overhead eats the gain — batch several inputs per task`
        : 'the work does not spread across workers — look at the timeline for serialization or waiting';
    sentence = `Parallelism barely pays: the best, the ${POOL_NAMES[best.strategy]}, reaches ${x(bestSpeedup)}; ${why}`;
  } else {
    const why = contended
      ? `: ${contentionText(contended, `the ${POOL_NAMES[best.strategy]}'s calls`)}`
      : library
      ? ` — ${library}`
      : busy
      ? ` — ${BUSY}`
      : chatty
      ? ` — ${printed(chatty.outputLines!)}; print less in the function`
      : loading
      ? ` — ${loading}`
      : redone
      ? ` — ${redoneText(redone)}`
      : crowded !== undefined
      ? ` — ${overCpus(best.workers, crowded)}`
      : uneven
      ? ` — ${uneven}`
      : gil
      ? ` — threads are held back by the GIL${processesLost(pools)}`
      : call !== null && call < 1
        ? ` because each call takes only ${ms(call)} — batch several inputs per task before parallelizing`
        : shared
          ? ` — the workers wait on each other or on what they share (${shared}); see the timeline`
          : ' — starting the workers and moving inputs and results to and from them cost more than the pool saves; see the timeline';
    sentence = `Stay sequential: every pool is slower (${pools.map((r) => `${r.strategy} ${x(r.metrics.speedup ?? 0)}`).join(', ')})${why}`;
  }
  if (traits.warmUpMs !== undefined) sentence += ` (speedups less the sequential run's first-call start-up of ${ms(traits.warmUpMs)}, which the pools after it did not pay again)`;
  // A pool that scaled past a lock its workers each copied scaled only for that: no advice on its workers.
  const pastCopiedLock = warnings.some((w) => w.lock !== undefined && w.strategy === best.strategy);
  // Nor where the calls take turns at a lock for most of their work: more at once would only wait longer.
  const serialized = contended !== undefined && contended.heldShare >= AMDAHL_SHARE;
  const waiting = pastCopiedLock || serialized ? undefined : waitingClause(sequential, best, target, traits.isAsync === true);
  if (waiting) sentence += `; ${waiting}`;
  if (aside) sentence += `; ${aside}`;
  const hedge = busyMachine && !sentence.includes(BUSY) ? ' (measured while other programs kept the machine busy: profile again to confirm)' : '';
  return `${sentence}${safety ? `; but ${safety}` : ''}${hedge}.`;
}

/**
 * Calls that mostly wait gain from overlapping more of them than there are CPUs: a pool of N runs
 * N at a time, so its worker count, not the machine, limits the speedup. About N ÷ (CPU share)
 * workers keep the CPUs as busy as N fully busy ones would.
 */
function waitingClause(baseline: Run | undefined, best: Run, target: Target, isAsync: boolean): string | undefined {
  const cpuShare = baseline?.metrics.cpuPerWall;
  const inputs = baseline?.tasks.length ?? 0;
  // Under a millisecond per call, pool overhead is the story (the clauses above say so).
  if (!baseline || cpuShare === null || cpuShare === undefined || cpuShare >= WAITING || (baseline.metrics.callMs ?? 0) < 1 || inputs <= 1) return undefined;
  const waits = `the calls mostly wait (CPU ${pct(cpuShare)} of their time)`;
  const gather = target.language === 'python' ? 'asyncio.gather' : 'Promise.all';
  if (isAsync) return `${waits}: an async function gains more from running them all at once in one event loop (${gather} over the inputs) than from a pool, whose workers run one call each at a time`;
  const enough = Math.min(inputs, Math.ceil(best.workers / Math.max(cpuShare, 0.01)));
  // Only where the pool does scale: otherwise something else (start-up, locks) holds it back.
  if (enough <= best.workers || (best.metrics.efficiency ?? 0) < 0.5) return undefined;
  const threads = target.language === 'python' ? 'threads overlap the waits despite the GIL, and ' : '';
  return `${waits}, so ${threads}more workers than CPUs overlap more of them — try ${enough} workers`;
}

/** Calls waiting for a lock, for a clause: "its calls spend 49% of their time waiting for lock "total" (primes.ts:12) — …". */
function contentionText(contention: Contention, calls = 'its calls'): string {
  const { lock, site, waitShare } = contention;
  return `${calls} spend ${pct(waitShare)} of their time waiting for lock "${lock}"${site ? ` (${placeText(site)})` : ''} — ${contentionFix(contention)}`;
}

/** A pool that ran none of its tasks because it could not start (not one the user cancelled). */
function wasSkipped(run: Run): boolean {
  return run.strategy !== 'sequential' && !!run.aborted && run.aborted !== 'cancelled' && run.tasks.length === 0;
}

function safetyClause(warnings: Warning[]): string {
  const has = (kind: Warning['kind']) => warnings.filter((w) => w.kind === kind);
  const parts: string[] = [];
  if (has('deadlock').length) parts.push('it deadlocks');
  else if (has('lock-order').length) parts.push('its locks can deadlock (opposite lock orders)');
  const strategies = (found: Warning[]) => listed(found.map((w) => w.strategy ?? ''));
  // The runtime's counter, and the user's own shared numbers by name (sharedValues.ts).
  const subjects = (found: Warning[]) => [...new Set(found.map((w) => w.shared))];
  // Lost updates (of the counter, or of a value by name), and locks a process pool's workers copied.
  const lost = has('race').filter((w) => w.lock === undefined && !w.unseen);
  for (const subject of subjects(lost)) {
    const what = subject === undefined ? 'counter updates' : `updates to ${subject}`;
    parts.push(`it loses ${what} in ${strategies(lost.filter((w) => w.shared === subject))}`);
  }
  // Races that lost nothing this time (the GIL's switching hid them), by value.
  const unseen = has('race').filter((w) => w.unseen);
  for (const subject of subjects(unseen)) parts.push(`it can lose updates to ${subject} in ${strategies(unseen.filter((w) => w.shared === subject))} (none were lost in this run)`);
  const copiedLocks = [...new Set(has('race').flatMap((w) => (w.lock === undefined ? [] : [w.lock])))];
  if (copiedLocks.length) parts.push(`${listed(copiedLocks)} ${copiedLocks.length === 1 ? 'keeps' : 'keep'} no worker process out of another's way`);
  const differ = has('divergence').filter((w) => w.shared === undefined && !w.sameDraws);
  if (differ.length) parts.push(`results differ in ${strategies(differ)}`);
  const repeated = has('divergence').filter((w) => w.sameDraws);
  if (repeated.length) parts.push(`in ${strategies(repeated)} the workers drew the same random numbers`);
  // The user's own values that a pool's workers each had a copy of: the pools with the same
  // values named together.
  const copied = has('divergence').filter((w) => w.shared !== undefined);
  const namesBy = new Map<string, { count: number; pools: string[] }>();
  for (const strategy of new Set(copied.map((w) => w.strategy))) {
    const names = copied.filter((w) => w.strategy === strategy).map((w) => w.shared!);
    const entry = namesBy.get(listed(names)) ?? { count: names.length, pools: [] };
    entry.pools.push(strategy ?? '');
    namesBy.set(listed(names), entry);
  }
  for (const [names, { count, pools }] of namesBy) {
    parts.push(`${names} ${count === 1 ? 'is' : 'are'} not shared between the workers of ${pools.join(' or ')}`);
  }
  if (has('crash').length) parts.push('workers crashed');
  if (has('hang').length) parts.push('it hangs');
  if (has('error').length && parts.length === 0) parts.push('some calls fail');
  return parts.length ? `it is not safe as is: ${parts.join(', ')}` : '';
}

/** A place as the verdict names it: "primes.ts:12". */
function placeText(at: SourceLocation): string {
  return `${fileName(at.file)}:${at.line}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
