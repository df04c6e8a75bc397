/**
 * The one worker thread of the `sequential` strategy: the baseline a user would get by calling the
 * function in a loop, in the same kind of environment as the pools' workers. It receives every
 * input at once, writes each call's timing into the run's task table, and reports the calls a tenth
 * of a second's worth at a time: a message per call would cost more than a tiny call itself, and
 * would make the baseline slower than a plain loop.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { epochMs, sinceOrigin } from './clock';
import { installRuntimeHost } from './runtimeHost';
import { ThreadSharedMemory } from './sharedMemory';
import { loadTarget } from './loadBundle';
import { mapStacksToSources } from './lazySourceMap';
import { recordExitSite } from './exitSite';
import { executeTask, isPlain, type Executed, type TaskOutcome } from './taskExecution';
import { TaskTable } from './taskTable';
import type { ThreadReady } from './threadWorker';
import { linuxThreadId } from './threadMemoryWatch';
import { ownThreadCpuMs } from './threadCpu';

export interface SequentialWorkerData {
  bundle: string;
  originEpochMs: number;
  buffer: SharedArrayBuffer;
  /** The run's task table (taskTable.ts), shared by every worker the run starts. */
  table: SharedArrayBuffer;
  /**
   * The inputs as columns, which cost a fraction of a list of task objects to copy into the
   * thread (100 000 numbers: ~5 ms against ~300 ms): each task's input index, and its one
   * argument — or, with `argLists`, its argument list.
   */
  indexes: number[];
  args: unknown[];
  argLists: boolean;
}

/**
 * Calls that ended since the last report: those that returned a plain value, as index and value
 * pairs (their timing is in the task table, and the runner describes the value), and the outcomes
 * of the rest.
 */
export interface SequentialEnded {
  pp: 'ended';
  plain: unknown[];
  outcomes: TaskOutcome[];
}

/**
 * The CPU time the worker spent from ready to its last call, where it can be measured: the calls'
 * CPU without the worker's start-up, which per-task CPU (when Node can measure it) also leaves out.
 */
export interface SequentialCallsCpu {
  pp: 'calls-cpu';
  cpuMs: number;
}

/**
 * How long ended calls may wait to be reported, and how many; as often as the runner passes events
 * on (eventWriter.ts). Each report wakes the runner's thread, which on 2 busy cores took the loop
 * 0.1-0.3 ms: reporting every 5 ms cost 1 ms tasks ~2% of their wall time. They are reported too
 * when the user's code exits the thread; calls not yet reported when the runner stops the thread
 * (a timeout, a hang) are still known from the task table, without their results.
 */
const REPORT_EVERY_MS = 100;
const REPORT_AT_MOST = 4096;

// A worker thread's start is when its own code first runs.
const startedEpochMs = epochMs();

async function main(): Promise<void> {
  const { bundle, originEpochMs, buffer, table: tableBuffer, indexes, args, argLists } = workerData as SequentialWorkerData;
  mapStacksToSources(bundle);
  recordExitSite(bundle, threadId);
  const memory = new ThreadSharedMemory(buffer);
  const table = new TaskTable(tableBuffer);
  const slot = memory.claimSlot();
  const port = parentPort!;
  installRuntimeHost(memory, { owner: threadId, tallySlot: slot, originEpochMs }, (m) => port.postMessage(m));
  const { fn, readyMs, loadMs, values } = await loadTarget(bundle, originEpochMs);
  const ready: ThreadReady = { pp: 'ready', threadId, pid: process.pid, slot, tid: linuxThreadId(), spawnMs: startedEpochMs - originEpochMs, readyMs, loadMs };
  const cpuAtReady = ownThreadCpuMs();
  port.postMessage(ready);
  let ended: SequentialEnded = { pp: 'ended', plain: [], outcomes: [] };
  let count = 0;
  let reportedMs = ready.readyMs;
  const report = (): void => {
    port.postMessage(ended);
    ended = { pp: 'ended', plain: [], outcomes: [] };
    count = 0;
  };
  process.on('exit', () => count > 0 && report());
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i];
    memory.runningTask[slot] = index;
    memory.runningSince[slot] = sinceOrigin(originEpochMs);
    const call = executeTask(fn, index, argLists ? (args[i] as unknown[]) : [args[i]], originEpochMs, 'thread', 'plain');
    const { outcome, result }: Executed = call instanceof Promise ? await call : call;
    table.startMs[index] = outcome.startMs;
    table.cpuMs[index] = outcome.cpuMs ?? NaN;
    // The end last: it marks the call as ended for the runner (runSequential.ts).
    table.endMs[index] = outcome.endMs;
    memory.runningTask[slot] = -1;
    if (outcome.status === 'ok' && isPlain(result)) ended.plain.push(index, result);
    else ended.outcomes.push(outcome);
    // An error goes out at once: the table cannot tell it if the worker dies.
    if (++count >= REPORT_AT_MOST || outcome.status !== 'ok' || outcome.endMs - reportedMs >= REPORT_EVERY_MS) {
      report();
      reportedMs = outcome.endMs;
    }
  }
  if (count > 0) report();
  if (values) port.postMessage(values.report());
  const cpuAtEnd = ownThreadCpuMs();
  if (cpuAtReady !== undefined && cpuAtEnd !== undefined) {
    const calls: SequentialCallsCpu = { pp: 'calls-cpu', cpuMs: cpuAtEnd - cpuAtReady };
    port.postMessage(calls);
  }
  // Ended, whatever the user's code still holds open: a module written to be a worker thread of
  // its own listens on parentPort, which would keep this thread (and the run) going for ever.
  process.exit(0);
}

void main();
