/**
 * What a hung call waits on, read from its stack: in Python, the library call below the user's
 * innermost frame (a queue's get(), an Event's wait(), a thread's join()…); in JS, the user's
 * innermost line (an Atomics.wait, a program run synchronously); in either, a line that calls
 * nothing (a loop that never ends). The hang warning then says why the wait never ends and what to
 * do, where it would otherwise only say "look for an endless loop or a wait that never ends".
 */
import { jsFramePlace } from './stackFrames';

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
    return own.code && callsNothing(own.code, /^while\b/) ? `runs ${place} ${LOOP}` : undefined;
  }
  const calls = frames.slice(user + 1).map((f) => f.fn).join('>');
  const wait = WAITS.find((w) => w.file.test(below.file) && w.calls.test(calls));
  return wait && `waits in ${place} ${wait.why}`;
}

/** Why a line that runs on and on does not end, where it calls nothing (JS and Python alike). */
const LOOP = 'without waiting on anything: a loop that never ends? — check that its condition changes, or that it has a way out';

/** JS lines that wait, by what they call. */
const JS_WAITS: { code: RegExp; why: string; only?: (code: string) => boolean }[] = [
  {
    code: /\bAtomics\.wait\s*\(/,
    why: 'for an Atomics.notify no call makes, or a value no call changes — notify where the value changes, or pass a timeout',
    // One with a timeout (a fourth argument) is a sleep, told as any long call is.
    only: (code) => argumentsOf(code, /\bAtomics\.wait\s*\(/) < 4,
  },
  { code: /\b(execSync|execFileSync|spawnSync)\s*\(/, why: 'for a program it started, which does not end (does it wait for input?) — pass a timeout option, or give it its input' },
];

/** How many arguments the call `at` finds in a line passes (counted to its closing parenthesis). */
function argumentsOf(code: string, at: RegExp): number {
  const start = at.exec(code);
  if (!start) return 0;
  let depth = 1;
  let commas = 0;
  let any = false;
  for (const ch of code.slice(start.index + start[0].length)) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (--depth === 0) break;
    } else if (ch === ',' && depth === 1) commas++;
    else if (!/\s/.test(ch)) any = true;
  }
  return any ? commas + 1 : 0;
}

/**
 * Why a hung JS call does not end, from its stack's innermost frame where that is in the profiled
 * file (`lines`: its source): a wait its line makes, or a loop.
 */
export function jsWait(stack: string | undefined, targetFile: string, lines: string[]): string | undefined {
  const innermost = stack?.split('\n').map(jsFramePlace).find((place) => place);
  if (!innermost || innermost.file !== targetFile) return undefined;
  const code = lines[innermost.line - 1]?.trim();
  if (!code) return undefined;
  const place = `\`${code.length <= 80 ? code : `${code.slice(0, 77)}…`}\` at ${innermost.file}:${innermost.line}`;
  const wait = JS_WAITS.find((w) => w.code.test(code) && (w.only?.(code) ?? true));
  if (wait) return `waits in ${place} ${wait.why}`;
  return callsNothing(code, /^(while|for|do)\b|^\}\s*while\b/) ? `runs ${place} ${LOOP}` : undefined;
}

/**
 * Whether a line calls nothing, or is a loop's head (`loopHead`): running on, it is the loop
 * itself. A line that calls something may be in that call (a C function: a sleep, a read, a
 * regular expression backtracking).
 */
function callsNothing(code: string, loopHead: RegExp): boolean {
  return !/[\w\])]\s*\(/.test(code) || loopHead.test(code);
}
