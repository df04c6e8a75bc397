/**
 * Waiting for something that should come soon, but not for ever: a worker that never answers, a
 * reader that never drains, must not hold up a run or an exit.
 */

/** Resolves when `work` settles or `ms` have passed, whichever comes first. */
export function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined), late]).finally(() => clearTimeout(timer));
}
