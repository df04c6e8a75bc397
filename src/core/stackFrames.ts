/**
 * Reading places out of stack text: a JS frame ("at name (file:line:column)" or "at
 * file:line:column") and a Python traceback line (`File "…", line N`). Used by the runner for the
 * user's frame in an error and by the controller for a hang's place.
 */

/** The file and line of one JS stack frame line; a file may hold spaces. */
export function jsFramePlace(text: string): { file: string; line: number } | undefined {
  const m = /^at (?:.*? \()?(.+?):(\d+):\d+\)?$/.exec(text.trim());
  return m ? { file: m[1], line: Number(m[2]) } : undefined;
}

/**
 * The innermost frame of a stack that lies in the profiled file: the last of a Python traceback,
 * the first of a JS stack.
 */
export function stackLocation(stack: string | undefined, file: string): { file: string; line: number } | undefined {
  if (!stack) return undefined;
  const frames = stack.split('\n').flatMap((text) => {
    const python = /File "([^"]+)", line (\d+)/.exec(text);
    const place = python ? { file: python[1], line: Number(python[2]) } : jsFramePlace(text);
    return place && place.file === file ? [{ ...place, python: !!python }] : [];
  });
  const frame = frames[0]?.python ? frames[frames.length - 1] : frames[0];
  return frame && { file: frame.file, line: frame.line };
}
