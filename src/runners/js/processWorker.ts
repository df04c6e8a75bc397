/**
 * A worker process of the `processes` strategy (forked by the runner): loads the user's bundle,
 * then runs the tasks the runner sends over IPC one at a time, in the order sent. Exits when the
 * runner goes away.
 */
import { sinceOrigin } from './clock';
import { installRuntimeHost } from './runtimeHost';
import { ProcessSharedMemory } from './sharedMemory';
import { loadTarget } from './loadBundle';
import { mapStacksToSources } from './lazySourceMap';
import { recordExitSite } from './exitSite';
import { executeTask, describeError, isPlain, newPlainCall, type Executed, type TaskOutcome } from './taskExecution';
import { ownOutputWritten } from './outputFlush';
import type { ModuleValuesReport } from './moduleValues';

export interface ProcessWorkerConfig {
  bundle: string;
  originEpochMs: number;
  region: string;
  lane: number;
}

/**
 * A task that returned a plain value, as a bare pool would send it plus its timing: the runner
 * makes the span. The worker's CPU time so far travels with every result, so a worker that dies
 * later still counts.
 */
export type PlainResult = [startMs: number, endMs: number, cpuMs: number | null, cpuTotalMs: number, result: unknown];

export type FromProcessWorker =
  | PlainResult
  | { pp: 'ready'; pid: number; readyMs: number; loadMs: number; values?: boolean }
  | ModuleValuesReport
  | { pp: 'result'; outcome: TaskOutcome; result?: unknown; cpuTotalMs: number }
  /** An error thrown outside any task (a timer, a callback): said before the process exits. */
  | { pp: 'uncaught'; error: string }
  /** What the user's code sent with process.send: not for the runner. */
  | { pp: 'user'; message: unknown };

export interface ProcessTask {
  index: number;
  args: unknown[];
}

/** Sent once the run's calls are done, to a worker whose module has values of its own: it answers with a ModuleValuesReport. */
export interface ValuesRequest {
  pp: 'values';
}

async function main(): Promise<void> {
  const ownSend = process.send!.bind(process);
  // Node emits a message only while something listens for one (else it holds it back); the
  // runner's first comes once this worker said it is ready.
  process.on('message', () => undefined);
  sendsComplete();
  // Exiting at once would drop what the user's code printed and the pipe has not taken yet.
  process.on('disconnect', () => void ownOutputWritten().then(() => process.exit(0)));
  process.on('uncaughtException', (error) => {
    ownSend({ pp: 'uncaught', error: describeError(error).error } satisfies FromProcessWorker, () => process.exit(1));
    setTimeout(() => process.exit(1), 500);
  });
  const { bundle, originEpochMs, region, lane } = JSON.parse(process.env.PP_WORKER ?? '{}') as ProcessWorkerConfig;
  mapStacksToSources(bundle);
  recordExitSite(bundle, 0);
  const memory = new ProcessSharedMemory(region);
  const send = (message: unknown) => ownSend(message);
  // The user's code may call process.send for a parent of its own: its messages go out marked, for
  // the runner to leave alone, rather than pass for one of ours (a result is an array).
  process.send = ((message: unknown, ...rest: never[]) => ownSend({ pp: 'user', message } satisfies FromProcessWorker, ...rest)) as typeof process.send;
  // Nor do the runner's tasks reach the user's own listeners for a parent's messages (a module
  // written to be a forked worker answers them): they are taken here, before Node emits them.
  let takeTask: (task: ProcessTask | ValuesRequest) => void = () => undefined;
  const emit = process.emit.bind(process) as (event: string | symbol, ...args: unknown[]) => boolean;
  process.emit = ((event: string | symbol, ...args: unknown[]) => (event === 'message' ? (takeTask(args[0] as ProcessTask | ValuesRequest), true) : emit(event, ...args))) as typeof process.emit;
  installRuntimeHost(memory, { owner: process.pid, tallySlot: lane, originEpochMs }, send);
  const { fn, readyMs, loadMs, values } = await loadTarget(bundle, originEpochMs);
  send({ pp: 'ready', pid: process.pid, readyMs, loadMs, ...(values && { values: true }) } satisfies FromProcessWorker);
  const replyPlain = (startMs: number, endMs: number, cpuMs: number | undefined, cpuTotalMs: number, result: unknown): void => {
    memory.flushTally(lane);
    send([startMs, endMs, cpuMs ?? null, cpuTotalMs, result] satisfies PlainResult);
  };
  const reply = ({ outcome, result, cpuAfterMs }: Executed): void => {
    const cpuTotalMs = cpuAfterMs ?? 0;
    if (outcome.status === 'ok' && isPlain(result)) return replyPlain(outcome.startMs, outcome.endMs, outcome.cpuMs, cpuTotalMs, result);
    memory.flushTally(lane);
    const { index } = outcome;
    try {
      send({ pp: 'result', outcome, result, cpuTotalMs } satisfies FromProcessWorker);
    } catch (error) {
      const why = describeError(error).error;
      const failed: TaskOutcome = {
        ...outcome,
        status: 'error',
        error: `input #${index}: the result cannot be sent back from a worker process (${why}); return plain data: numbers, strings, arrays, plain objects`,
      };
      send({ pp: 'result', outcome: failed, cpuTotalMs } satisfies FromProcessWorker);
    }
  };
  // The runner sends the next task before this one ends (runProcesses.ts): they wait here, so an
  // async function still runs one task at a time.
  const waiting: ProcessTask[] = [];
  let awaiting = false;
  const plain = newPlainCall();
  const runWaiting = (): void => {
    for (let task = waiting.shift(); task; task = waiting.shift()) {
      const executed = executeTask(fn, task.index, task.args, originEpochMs, 'process', 'all', plain);
      if (executed === plain) {
        replyPlain(plain.startMs, plain.endMs, plain.cpuMs, plain.cpuAfterMs ?? 0, plain.result);
        continue;
      }
      if (executed instanceof Promise) {
        awaiting = true;
        void executed.then((done) => {
          awaiting = false;
          reply(done);
          runWaiting();
        });
        return;
      }
      reply(executed as Executed);
    }
  };
  takeTask = (task) => {
    if ('pp' in task) return void (values && send(values.report()));
    waiting.push(task);
    if (!awaiting) runWaiting();
  };
}

/**
 * Makes every message this worker sends leave before `send` returns. A worker then blocked (a lock's
 * wait, which is synchronous, or a hang) kept what the pipe had not taken yet: after a flood of lock
 * events, the runner never heard of the wait a deadlock is made of, and the deadlock was a hang.
 * The channel's handle has no public way to this: where it cannot be found, sends stay as they are.
 */
function sendsComplete(): void {
  try {
    const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
    const fd = (process.channel as { fd?: number } | undefined)?.fd;
    const pipe = handles.find((h) => fd !== undefined && (h as { fd?: number }).fd === fd) as { setBlocking?: (on: boolean) => number } | undefined;
    pipe?.setBlocking?.(true);
  } catch {
    // sends stay asynchronous
  }
}

void main();
