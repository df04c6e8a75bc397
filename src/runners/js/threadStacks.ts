/**
 * What stuck worker threads are running, for the hang warning: the runner, the parent of every
 * worker thread, asks each one's inspector to pause, reads the paused call frames, and lets it go
 * on. V8 takes the pause at its next interrupt check, which a spinning loop and an Atomics.wait
 * both reach; a thread blocked inside a system call does not answer and gets no stack. Worker
 * processes are reached over their inspector's WebSocket instead (processStacks.ts).
 */
import type { SourcePlaces } from './lazySourceMap';

export interface CallFrame {
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
  url?: string;
}

/**
 * How long the workers get to answer, within the controller's 3 s wait for the stacks (profile.ts):
 * a worker process's inspector has to start first, which a busy machine can make slow.
 */
export const STACKS_ANSWER_MS = 2000;

/** Each answering thread's stack, by thread id, innermost call first, in the user's sources. */
export function threadStacks(threadIds: number[], placeInSources: SourcePlaces): Promise<Map<number, string>> {
  const stacks = new Map<number, string>();
  let inspector: typeof import('node:inspector');
  try {
    inspector = require('node:inspector') as typeof import('node:inspector');
  } catch {
    return Promise.resolve(stacks); // a Node built without the inspector
  }
  const wanted = new Set(threadIds);
  if (wanted.size === 0) return Promise.resolve(stacks);
  const session = new inspector.Session();
  session.connect();
  // Every worker thread is paused and then asked its thread id: the inspector numbers workers in
  // an order of its own. Per attached thread: the URL of each script it parsed (frames name only
  // ids), its frames once paused, and the id of the request for its thread id.
  const threads = new Map<string, { urls: Map<string, string>; frames?: CallFrame[]; asked?: number; answered?: boolean }>();
  let nextId = 0;
  const tell = (sessionId: string, method: string, params?: object): number => {
    session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: ++nextId, method, params }) });
    return nextId;
  };

  return new Promise((resolve) => {
    let finished = false;
    let allAttached = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // A thread left paused would never end, not even when terminated.
      for (const sessionId of threads.keys()) tell(sessionId, 'Debugger.disable');
      session.disconnect();
      resolve(stacks);
    };
    const timer = setTimeout(finish, STACKS_ANSWER_MS);
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      threads.set(params.sessionId, { urls: new Map() });
      tell(params.sessionId, 'Debugger.enable');
      tell(params.sessionId, 'Debugger.pause');
    });
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      const thread = threads.get(params.sessionId);
      if (!thread || finished) return;
      const message = JSON.parse(params.message) as { id?: number; method?: string; params?: Record<string, unknown>; result?: { result?: { value?: unknown } } };
      if (message.method === 'Debugger.scriptParsed') {
        thread.urls.set(String(message.params!.scriptId), String(message.params!.url));
      } else if (message.method === 'Debugger.paused' && !thread.frames) {
        thread.frames = message.params!.callFrames as CallFrame[];
        thread.asked = tell(params.sessionId, 'Runtime.evaluate', { expression: "require('node:worker_threads').threadId", includeCommandLineAPI: true });
      } else if (message.id !== undefined && message.id === thread.asked) {
        thread.answered = true;
        const threadId = message.result?.result?.value;
        if (typeof threadId === 'number' && wanted.has(threadId)) stacks.set(threadId, describeFrames(thread.frames!, thread.urls, placeInSources));
        tell(params.sessionId, 'Debugger.resume');
        if (stacks.size === wanted.size || (allAttached && [...threads.values()].every((t) => t.answered))) finish();
      }
    });
    // Workers that exist attach before this answers.
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, () => {
      allAttached = true;
      if (threads.size === 0) finish();
    });
  });
}

/**
 * The frames as V8 writes a stack ("    at name (file:line:column)"), places in the bundle turned
 * into the user's; the frames below the user's outermost one (the worker's own code) are left out.
 */
export function describeFrames(frames: CallFrame[], urls: Map<string, string>, placeInSources: SourcePlaces): string {
  const described = frames.map((frame) => {
    const url = urls.get(frame.location.scriptId) ?? frame.url ?? '';
    const line = frame.location.lineNumber + 1;
    const column = frame.location.columnNumber + 1;
    const original = placeInSources(url, line, column);
    const place = original ?? `${url.startsWith('file:') ? fileUrlToPath(url) : url}:${line}:${column}`;
    return { text: `    at ${frame.functionName || '<anonymous>'} (${place})`, user: original !== undefined };
  });
  const lastOfUser = described.map((frame) => frame.user).lastIndexOf(true);
  return (lastOfUser < 0 ? described : described.slice(0, lastOfUser + 1)).map((frame) => frame.text).join('\n');
}

function fileUrlToPath(url: string): string {
  try {
    return (require('node:url') as typeof import('node:url')).fileURLToPath(url);
  } catch {
    return url;
  }
}
