/**
 * Maps a point in the user's code to file:line. Workers map their stacks through the bundle's
 * source map (lazySourceMap.ts), so stack frames already name the user's original
 * TypeScript/JavaScript file and line.
 */
import { dirname, isAbsolute, join, sep } from 'node:path';
import type { SourceLocation } from '../../core/model';
import { jsFramePlace } from '../../core/stackFrames';

// Bundles live in <package>/dist; their sources in <package>/src/runners; piscina (whose worker
// calls a thread's tasks) in <package>/node_modules.
const packageRoot = dirname(__dirname);
const OURS = [join(packageRoot, 'dist') + sep, join(packageRoot, 'src', 'runners') + sep, join(packageRoot, 'node_modules') + sep];

export function firstUserFrame(stack: string | undefined): SourceLocation | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const place = jsFramePlace(line);
    if (!place) continue;
    const file = place.file.replace(/^file:\/\//, '');
    if (OURS.some((ours) => file.startsWith(ours)) || file.startsWith('node:') || !isAbsolute(file)) continue;
    return { file: decodeURIComponent(file), line: place.line };
  }
  return undefined;
}

/**
 * The one stack frame below `entry`, the runtime's function the user's code called: taken, not yet
 * read (a stack of ten frames, each mapped to its source when read, cost a lock use ~50 µs).
 */
export function frameBelow(entry: Function): { stack?: string } {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  const trace: { stack?: string } = {};
  Error.captureStackTrace(trace, entry);
  Error.stackTraceLimit = limit;
  return trace;
}

/**
 * Where the user's code called into the runtime: the frame below `entry`, the runtime's function
 * it called; where that is not the user's (a package called it), the first of the whole stack.
 */
export function callerSite(entry: Function): SourceLocation | undefined {
  return firstUserFrame(frameBelow(entry).stack) ?? firstUserFrame(new Error().stack);
}
