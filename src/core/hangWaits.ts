/**
 * What a hung Python call waits on, read from its stack: the library call below the user's
 * innermost frame (a queue's get(), an Event's wait(), a thread's join()…), or none (a loop that
 * never ends). The hang warning then says why the wait never ends and what to do, where it would
 * otherwise only say "look for an endless loop or a wait that never ends".
 */

interface Frame {
  file: string;
  line: number;
  fn: string;
  code?: string;
}

/** A Python traceback's frames, outermost first, each with its line of code where shown. */
function pythonFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split('\n')) {
    const place = /File "([^"]+)", line (\d+), in (\S+)/.exec(text);
    if (place) frames.push({ file: place[1], line: Number(place[2]), fn: place[3] });
    else if (frames.length > 0 && frames[frames.length - 1].code === undefined && text.trim()) frames[frames.length - 1].code = text.trim();
  }
  return frames;
}

/**
 * Library calls that wait: the file of the first frame below the user's, and the functions from
 * there on, innermost last, joined by ">" ("wait>wait" is an Event's wait() on its Condition).
 */
const WAITS: { file: RegExp; calls: RegExp; why: string }[] = [
  {
    file: /[\\/](queue|multiprocessing[\\/]queues)\.py$/,
    calls: /^get\b/,
    why: "for an item no call puts: a queue's get() waits for ever while it is empty — put the items in before the calls (a worker process has its own copy of a queue.Queue), or use get(timeout=…) or get_nowait() and handle queue.Empty",
  },
  { file: /[\\/](queue|multiprocessing[\\/]queues)\.py$/, calls: /^put\b/, why: 'for room in a full queue (its maxsize) that no call takes from — take items out as they are put, or make it unbounded' },
  { file: /[\\/](queue|multiprocessing[\\/]queues)\.py$/, calls: /^join\b/, why: 'until every item put was marked done — call task_done() once for each get()' },
  {
    file: /[\\/](threading|multiprocessing[\\/]synchronize)\.py$/,
    calls: /^wait>(_enter|_wait)\b/,
    why: "for a Barrier's other parties, which never come: a pool runs as many calls at once as it has workers, fewer than the parties the Barrier waits for — make its parties the number of calls that meet there at once, or pass a timeout",
  },
  {
    file: /[\\/](threading|multiprocessing[\\/]synchronize)\.py$/,
    calls: /^wait>wait\b/,
    why: "for an Event no call sets — set it where the calls can see it (a worker process has its own copy of a threading.Event), or pass a timeout",
  },
  { file: /[\\/](threading|multiprocessing[\\/]synchronize)\.py$/, calls: /^wait(_for)?\b/, why: 'for a notify() no call makes on its Condition — notify where the condition changes, or pass a timeout' },
  { file: /[\\/](threading|multiprocessing[\\/]synchronize)\.py$/, calls: /^acquire\b/, why: 'for a Semaphore no call releases — release() once for each acquire() (with sem: does it), or pass a timeout' },
  { file: /[\\/]threading\.py$/, calls: /^join\b/, why: 'for a thread that never ends — look at what that thread waits on, or pass a timeout' },
  { file: /[\\/]concurrent[\\/]futures[\\/]_base\.py$/, calls: /^(result|exception|wait|as_completed)\b/, why: 'for a future that never finishes — look at what its task waits on, or pass a timeout' },
  { file: /[\\/]subprocess\.py$/, calls: /^(wait|communicate|run|call|check_call|check_output)\b/, why: 'for a program it started, which does not end (does it wait for input?) — pass timeout=, or give it its input' },
];

/**
 * Why a hung Python call does not end, from its stack, where that can be told: "waits in
 * `jobs.get()` at f.py:9 for an item no call puts: …", or "runs `while n != 1:` at f.py:4 without
 * waiting for anything: a loop that never ends?".
 */
export function pythonWait(stack: string | undefined, targetFile: string): string | undefined {
  if (!stack) return undefined;
  const frames = pythonFrames(stack);
  let user = -1;
  frames.forEach((frame, i) => {
    if (frame.file === targetFile) user = i;
  });
  if (user < 0) return undefined;
  const own = frames[user];
  const code = own.code ? `\`${own.code}\` ` : '';
  const place = `${code}at ${own.file}:${own.line}`;
  const below = frames[user + 1];
  if (!below) {
    // A line that calls something may be in a C function (a sleep, a read, a regular expression
    // backtracking): only a line that calls nothing is surely the loop itself.
    if (!own.code || (/[\w\])]\s*\(/.test(own.code) && !/^while\b/.test(own.code))) return undefined;
    return `runs ${place} without waiting on anything: a loop that never ends? — check that its condition changes, or that it has a way out`;
  }
  const calls = frames.slice(user + 1).map((f) => f.fn).join('>');
  const wait = WAITS.find((w) => w.file.test(below.file) && w.calls.test(calls));
  return wait && `waits in ${place} ${wait.why}`;
}
