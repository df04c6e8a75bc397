/**
 * Loads a target bundle (made by bundleTarget.ts) in this thread or process. Kept apart from the
 * bundler so that workers start without loading esbuild, and loads no module of Node's that a
 * CommonJS bundle does not need: each costs every worker start-up time.
 */

/** The global the bundle's appended hook sets. */
export const HOOKS_KEY = '__parallelProfilerHooks';

export interface TargetHooks {
  target(): unknown;
  inputs(): unknown;
}

export async function loadBundle(bundle: string): Promise<TargetHooks> {
  if (bundle.endsWith('.cjs')) require(bundle);
  else await import((require('node:url') as typeof import('node:url')).pathToFileURL(bundle).href);
  return (globalThis as Record<string, unknown>)[HOOKS_KEY] as TargetHooks;
}
