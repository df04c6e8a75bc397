/**
 * The JS runner process: started by the controller for one profile, never inside the editor.
 * Bundles and loads the target, evaluates the inputs once, runs each strategy in turn and streams
 * events on fd 3; obeys commands (cancel, kill-tasks, dump-stacks) on stdin.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as readline from 'node:readline';
import { serialize } from 'node:v8';
import type { ControllerCommand, RunnerOptions } from '../../core/protocol';
import { EXIT_BAD_INPUT } from '../../core/protocol';
import { scanFunctions, whereNested } from '../../core/functionScanner';
import type { StrategyName } from '../../core/model';
import { epochMs } from './clock';
import { emit, flushEvents, writeOkColumnsTo } from './eventWriter';
import { BadInput, bundleTarget, stopBundler } from './bundleTarget';
import type { ModuleBinding } from './moduleBindings';
import { VALUES_KEY, loadBundle } from './loadBundle';
import { mapStacksToSources, type SourcePlaces } from './lazySourceMap';
import { STACKS_ANSWER_MS, threadStacks } from './threadStacks';
import { processStack } from './processStacks';
import { sleepsInEventLoop } from './eventLoopIdle';
import { ownOutputWritten } from './outputFlush';
import { describeError, isPlain, uncloneablePart } from './taskExecution';
import { threadsLeftStuck, type ActiveRun, type RunSettings } from './runRecorder';
import { startSequential } from './runSequential';
import { findSharedInputs } from './sharedInputs';
import { startThreads } from './runThreads';
import { startProcesses } from './runProcesses';

const STARTERS: Record<StrategyName, (s: RunSettings) => ActiveRun & { done: Promise<void> }> = {
  sequential: startSequential,
  threads: startThreads,
  processes: startProcesses,
};

let active: ActiveRun | undefined;
let cancelled = false;
/** Places in the user's bundle turned into places in the user's sources, once it is bundled. */
let placeInSources: SourcePlaces = () => undefined;

function fatal(message: string): never {
  emit({ type: 'fatal', message });
  process.exit(EXIT_BAD_INPUT);
}

async function prepare(options: RunnerOptions) {
  const { bundle, bindings } = await bundleTarget(options.file, options.name, options.inputs, options.scratchDir);
  emit({ type: 'loading' });
  // Errors in the module's top-level code or in the inputs name the user's lines, as in the workers.
  placeInSources = mapStacksToSources(bundle);
  let hooks;
  try {
    hooks = await loadBundle(bundle);
  } catch (error) {
    throw new BadInput(`${options.file}: the module's top-level code threw while loading: ${describeError(error).error}`);
  }
  if (typeof hooks.target() !== 'function') {
    const source = fs.readFileSync(options.file, 'utf8');
    const names = scanFunctions(source, options.language).map((f) => f.name);
    const nested = whereNested(source, options.name);
    const where = nested
      ? nested.dotted
        ? `; "${options.name}" is defined inside ${nested.inside} (line ${nested.line + 1}): name it ${nested.dotted}`
        : nested.instanceMethod
          ? `; "${options.name}" is an instance method of ${nested.inside} (line ${nested.line + 1}), which needs its object, and an object cannot be sent to a worker: profile a top-level function that makes the object and calls the method`
          : `; "${options.name}" is defined inside ${nested.inside ?? 'another definition'} (line ${nested.line + 1}): profile a top-level function that calls it`
      : options.name.includes('.')
        ? ': a dotted name reaches a static method or a function of a top-level object (Shape.double); an instance method needs its object, which cannot be sent to a worker — profile a top-level function that makes the object and calls the method'
        : '';
    throw new BadInput(`no top-level function "${options.name}" in ${options.file}${where}; functions found: ${names.length ? names.join(', ') : 'none'}`);
  }
  let value: unknown;
  try {
    // A promise the expression gives (an async loader's) is awaited too.
    value = await hooks.inputs();
  } catch (error) {
    throw new BadInput(`the inputs expression threw: ${inputsError(error, options.file)}; fix the expression`);
  }
  if (isAsyncIterableOnly(value)) value = await collect(value, options.file);
  if (value == null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function' || typeof value === 'string') {
    throw new BadInput(`the inputs expression gave ${describeKind(value)}, not a list; give an array or another iterable, one element per task`);
  }
  const inputs = [...(value as Iterable<unknown>)];
  if (inputs.length === 0) throw new BadInput('the inputs expression gave an empty list; give at least one input');
  const tasks = inputs.map((input, index) => {
    if (options.spread && !Array.isArray(input)) {
      throw new BadInput(`with --spread every input must be an array of arguments, but input #${index} is ${describeKind(input)}`);
    }
    return { index, args: options.spread ? (input as unknown[]) : [input] };
  });
  const unsendable = new Map<number, string>();
  // Numbers, strings and the like always cross: only the other arguments are looked into (50 000
  // numeric inputs took 40–100 ms to check one by one, 1–8 ms this way).
  const toCheck = tasks.filter((task) => task.args.some(mayNotCross));
  for (const task of toCheck) {
    const part = argumentsProblem(task.args);
    if (part) unsendable.set(task.index, `input #${task.index}: its arguments cannot be sent to a worker: they hold ${part}; ${PLAIN_DATA}`);
  }
  const unsendableToProcesses = new Map(unsendable);
  const shared = findSharedInputs(toCheck.filter((task) => !unsendable.has(task.index)), (memory) => holderOf(memory, bindings));
  if (options.strategies.includes('processes')) {
    // Shared memory first: V8's serializer refuses a SharedArrayBuffer, and copies a view over one.
    for (const [index, what] of shared.byInput) {
      unsendableToProcesses.set(
        index,
        `input #${index}: its arguments hold shared memory (${what}), which worker processes cannot share: each call would get a copy, and what it writes there neither the caller nor the other workers would see; share memory between worker threads (the thread pool), or pass plain data and return each call's part`,
      );
    }
    for (const [index, reason] of processRefusals(toCheck.filter((task) => !unsendableToProcesses.has(task.index)))) {
      unsendableToProcesses.set(index, `input #${index}: its arguments cannot be sent to a worker process (${reason}); ${PLAIN_DATA}`);
    }
  }
  return { bundle, bindings, tasks, unsendable, unsendableToProcesses, shared };
}

const PLAIN_DATA = 'pass plain data: numbers, strings, arrays, plain objects';

/** The module variable (as the report names it) that holds `memory` or a view over it, in the runner's load of the module. */
function holderOf(memory: SharedArrayBuffer, bindings: ModuleBinding[]): string | undefined {
  const readers = (globalThis as Record<string, unknown>)[VALUES_KEY] as Record<string, () => unknown> | undefined;
  return bindings.find(({ key }) => {
    const value = readers?.[key]?.();
    return value === memory || (ArrayBuffer.isView(value) && value.buffer === memory);
  })?.name;
}

/** An async generator's object or another iterable that only `for await` can walk. */
function isAsyncIterableOnly(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' && typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function';
}

/** The elements of an async iterable, as the inputs: one per task. */
async function collect(values: AsyncIterable<unknown>, file: string): Promise<unknown[]> {
  const all: unknown[] = [];
  try {
    for await (const value of values) all.push(value);
  } catch (error) {
    throw new BadInput(`the inputs expression threw while its values were read: ${inputsError(error, file)}; fix the expression`);
  }
  return all;
}

/**
 * An error from the inputs expression, with the place in the module it came from (a helper the
 * expression called), but none when it came from the expression itself: the expression is bundled
 * on a line after the module's last (bundleTarget.ts), a line the user's file does not have.
 */
function inputsError(error: unknown, file: string): string {
  const { error: text, errorLocation } = describeError(error);
  if (errorLocation?.file !== file || errorLocation.line <= fs.readFileSync(file, 'utf8').split('\n').length) return text;
  return text.slice(0, -` (${errorLocation.file}:${errorLocation.line})`.length);
}

/**
 * What in a task's arguments cannot be sent to a worker. Arguments too big to walk whole are given
 * to structured clone itself: one that slipped through would fail its send, and the sequential and
 * process strategies would then wait for it for ever.
 */
function argumentsProblem(args: unknown[]): string | undefined {
  const budget = { nodes: 10_000 };
  const part = uncloneablePart(args, 'the arguments', budget);
  if (part || budget.nodes >= 0) return part;
  try {
    structuredClone(args);
    return undefined;
  } catch (error) {
    return `something structured clone refuses (${(error as Error).message})`;
  }
}

/**
 * Why worker processes cannot be sent arguments that threads can, by input index. Processes get
 * their tasks through V8's serializer, which has no SharedArrayBuffer (sending one throws, and the
 * task would wait for ever) and no host objects such as a Blob or a KeyObject (Node sends those as
 * empty objects: the function would quietly get `{}`). Tasks are tried in batches, since one
 * serializer per task costs ~7 µs; only a batch that fails is tried task by task.
 */
function processRefusals(tasks: { index: number; args: unknown[] }[]): Map<number, string> {
  const refused = new Map<number, string>();
  const reasonFor = (value: unknown) => {
    try {
      serialize(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  for (let from = 0; from < tasks.length; from += 256) {
    const batch = tasks.slice(from, from + 256);
    if (reasonFor(batch.map((task) => task.args)) === undefined) continue;
    for (const task of batch) {
      const reason = reasonFor(task.args);
      if (reason) refused.set(task.index, reason);
    }
  }
  return refused;
}

/** Whether an argument may hold something structured clone refuses: all but a plain value, and a symbol. */
function mayNotCross(arg: unknown): boolean {
  return !isPlain(arg) || typeof arg === 'symbol';
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const kind = (value as object).constructor?.name;
  return kind ? `an object (${kind})` : 'an object';
}

/** What each busy worker runs, with its stack where its thread or process answers (threadStacks.ts, processStacks.ts). */
async function reportStacks(run: ActiveRun, index: number): Promise<void> {
  const busy = run.busyLanes();
  // Where each sleeps, read before the inspector is asked for stacks: that wakes it.
  const asleep = busy.map(({ pid, tid }) => (pid !== undefined ? sleepsInEventLoop(pid) : tid !== undefined && sleepsInEventLoop(process.pid, tid)));
  const deadline = Date.now() + STACKS_ANSWER_MS;
  const [threads, processes] = await Promise.all([
    threadStacks(busy.flatMap((b) => (b.threadId === undefined ? [] : [b.threadId])), placeInSources),
    Promise.all(busy.map((b) => (b.pid === undefined ? undefined : processStack(b.pid, placeInSources, deadline)))),
  ]);
  emit({
    type: 'stacks',
    run: index,
    workers: busy.map(({ lane, task, threadId }, i) => {
      const stack = threadId === undefined ? processes[i] : threads.get(threadId);
      // No stack: blocked in a system call, or asleep in its event loop, awaiting what never settles.
      return { lane, task, stack, ...(stack === undefined && asleep[i] && { idle: true }) };
    }),
  });
}

function listenForCommands(): void {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let command: ControllerCommand;
    try {
      command = JSON.parse(line) as ControllerCommand;
    } catch {
      return;
    }
    switch (command.type) {
      case 'cancel':
        cancelled = true;
        active?.cancel();
        break;
      case 'kill-tasks':
        if (active && active.settings.run === command.run) active.killTasks(command.tasks, command.status, command.reason);
        break;
      case 'dump-stacks':
        if (active && active.settings.run === command.run) void reportStacks(active, command.run);
        break;
    }
  });
  // The controller went away: stop everything rather than run on unattended.
  lines.on('close', () => {
    cancelled = true;
    active?.cancel();
    setTimeout(() => process.exit(1), 1000).unref();
  });
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.PP_RUNNER_OPTIONS ?? 'null') as RunnerOptions | null;
  if (!options) {
    process.stderr.write('parallel-profiler runner: start it through the CLI or the extension\n');
    process.exit(EXIT_BAD_INPUT);
  }
  const originEpochMs = epochMs();
  writeOkColumnsTo(options.scratchDir);
  emit({ type: 'hello', originEpochMs, pid: process.pid, runtime: `Node.js ${process.version}`, platform: `${process.platform}-${process.arch}`, cpus: os.availableParallelism() });
  listenForCommands();
  let prepared;
  try {
    prepared = await prepare(options);
  } catch (error) {
    if (error instanceof BadInput) fatal(error.message);
    fatal(`could not prepare ${options.file}: ${(error as Error).message}`);
  }
  await stopBundler();
  emit({ type: 'inputs', count: prepared.tasks.length });
  let run = 0;
  for (let repeat = 0; repeat < options.repeat && !cancelled; repeat++) {
    for (const strategy of options.strategies) {
      if (cancelled) break;
      const workers = strategy === 'sequential' ? 1 : options.workers;
      // Every run starts from the shared memory the inputs gave, not from what the last one wrote.
      prepared.shared.restore();
      const started = STARTERS[strategy]({
        run: run++,
        strategy,
        workers,
        repeat,
        originEpochMs,
        bundle: prepared.bundle,
        bindings: prepared.bindings,
        tasks: prepared.tasks,
        unsendable: strategy === 'processes' ? prepared.unsendableToProcesses : prepared.unsendable,
        sharedInputs: prepared.shared,
        taskTimeoutMs: options.taskTimeoutMs,
        scratchDir: options.scratchDir,
      });
      active = started;
      if (cancelled) started.cancel();
      await started.done;
      active = undefined;
    }
  }
  emit({ type: 'done' });
  // Exiting drops what is still buffered for stdout and stderr: the user's output, behind a slow reader.
  await ownOutputWritten();
  // Node's exit waits for every thread, and one stuck in a system call would hold it for ever.
  if (threadsLeftStuck.count > 0) process.kill(process.pid, 'SIGKILL');
  process.exit(0);
}

process.on('uncaughtException', (error) => {
  emit({ type: 'log', message: `runner error: ${error.stack ?? error.message}` });
  flushEvents();
});

void main();
