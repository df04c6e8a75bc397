/**
 * How busy the rest of the machine was while a run ran. Speedups compare runs made one after the
 * other, so a compiler, a browser tab or a VM neighbour that takes CPU time during one of them skews
 * every ratio (a sequential run slowed that way shows the pools as super-linear). Where Linux tells
 * (/proc), the controller reads the machine's busy CPU time and the profile's own (the runner, every
 * process under it, and the controller itself) as the runner starts and at each run's end, the sample
 * before a run standing for its start; the rest is other load.
 * The VM host's "steal" time counts as other load: it is CPU time the profile could not have.
 */
import * as fs from 'node:fs';

/** CPU time in clock ticks (USER_HZ, the unit of both /proc/stat and /proc/<pid>/stat). */
interface MachineTicks {
  busy: number;
  total: number;
  /** Of `busy`, the time the VM's host gave to other guests. */
  steal: number;
}

/** The machine-wide line of /proc/stat: busy (everything but idle and iowait) and total ticks. */
export function parseProcStat(text: string): MachineTicks | undefined {
  const line = text.split('\n', 1)[0];
  if (!line.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if ([user, nice, system, idle].some(Number.isNaN)) return undefined;
  const busy = user + nice + system + (irq || 0) + (softirq || 0) + (steal || 0);
  return { busy, total: busy + idle + (iowait || 0), steal: steal || 0 };
}

/**
 * A process's CPU time from its /proc/<pid>/stat line: its own (every thread), and that of the
 * children it has waited for (so a worker process that exits during a run still counts).
 */
export function parsePidStat(text: string): { own: number; children: number } | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of the line: utime, stime, cutime, cstime; here 11–14 (two fewer, 0-based).
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if ([utime, stime, cutime, cstime].some((n) => n === undefined || Number.isNaN(n))) return undefined;
  return { own: utime + stime, children: cutime + cstime };
}

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
};

/** The machine's CPU ticks now; undefined where Linux's /proc/stat is not there. */
export const machineTicks = (): MachineTicks | undefined => parseProcStat(read('/proc/stat') ?? '');

/** A process's CPU ticks now; undefined where Linux does not tell or it is gone. */
const pidTicks = (pid: number) => parsePidStat(read(`/proc/${pid}/stat`) ?? '');

/** The CPU ticks of `pid` and every process below it, or undefined where Linux does not list children. */
function treeTicks(pid: number, depth = 0): number | undefined {
  const own = read(`/proc/${pid}/stat`);
  if (own === undefined) return 0; // gone since it was listed: its time went to its parent
  const stat = parsePidStat(own);
  let ticks = stat ? stat.own + stat.children : 0;
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return ticks;
  }
  for (const tid of threads) {
    const children = read(`/proc/${pid}/task/${tid}/children`);
    if (children === undefined) {
      if (depth === 0 && tid === String(pid)) return undefined; // Linux does not list children here
      continue; // a thread that ended meanwhile
    }
    for (const child of children.split(' ').filter(Boolean)) {
      if (depth < 8) ticks += treeTicks(Number(child), depth + 1) ?? 0;
    }
  }
  return ticks;
}

/** Linux's USER_HZ: 100 ticks a second on every architecture it runs on. */
const TICK_MS = 10;

/** The CPU time a process has used so far (every thread), in ms; undefined where Linux does not tell or it is gone. */
export function processCpuMs(pid: number): number | undefined {
  const stat = pidTicks(pid);
  return stat && stat.own * TICK_MS;
}

/**
 * The CPU time of the processes `pid` has started and waited for, in ms (Linux's cutime and
 * cstime); undefined where Linux does not tell.
 */
export function childrenCpuMs(pid: number): number | undefined {
  const stat = pidTicks(pid);
  return stat && stat.children * TICK_MS;
}

/** How much `childrenCpuMs` of this process grew since `before`; undefined where not told. */
export function childrenSince(before: number | undefined): number | undefined {
  const now = childrenCpuMs(process.pid);
  return before === undefined || now === undefined ? undefined : now - before;
}

export interface LoadSample {
  machine: MachineTicks;
  profile: number;
}

/** Now, for the run going on in `runnerPid`'s process tree; undefined where Linux does not tell. */
export function sampleLoad(runnerPid: number): LoadSample | undefined {
  const machine = machineTicks();
  const runner = machine && treeTicks(runnerPid);
  // The controller's own time only: a runner of an earlier profile reaped now is not this run's.
  const controller = runner !== undefined ? pidTicks(process.pid)?.own : undefined;
  if (!machine || runner === undefined || controller === undefined) return undefined;
  return { machine, profile: runner + controller };
}

/** Below this many ticks of machine time (0.1 s on 2 CPUs at USER_HZ 100) nothing can be told. */
const MIN_TOTAL_TICKS = 20;

/**
 * The share of the machine's CPU time (0–1) that others used at least, between two samples.
 * /proc/stat finds a CPU busy or idle by looking once a tick, so over `total` ticks its busy count
 * may be off by up to about √total / 2 ticks (a coin flip's spread): the share less one and a half
 * times that is a lower bound, which keeps short quiet runs from looking busy.
 */
export function otherLoad(before: LoadSample, after: LoadSample): number | undefined {
  const total = after.machine.total - before.machine.total;
  if (total < MIN_TOTAL_TICKS) return undefined;
  const others = after.machine.busy - before.machine.busy - (after.profile - before.profile);
  const noise = (1.5 * Math.sqrt(total)) / 2;
  return Math.min(1, Math.max(0, (others - noise) / total));
}
