/**
 * Loads a target bundle (made by bundleTarget.ts) in this thread or process. Kept apart from the
 * bundler so that workers start without loading esbuild, and loads no module of Node's that a
 * CommonJS bundle does not need: each costs every worker start-up time.
 */
import { sinceOrigin } from './clock';
import { ModuleValues } from './moduleValues';

/** The global the bundle's appended hook sets. */
export const HOOKS_KEY = '__parallelProfilerHooks';
/** The global where the user's modules put a reader for each of their variables (moduleBindings.ts). */
export const VALUES_KEY = '__parallelProfilerValues';

export interface TargetHooks {
  target(): unknown;
  inputs(): unknown;
}

export async function loadBundle(bundle: string): Promise<TargetHooks> {
  if (bundle.endsWith('.cjs')) require(bundle);
  else await import((require('node:url') as typeof import('node:url')).pathToFileURL(bundle).href);
  return (globalThis as Record<string, unknown>)[HOOKS_KEY] as TargetHooks;
}

/**
 * A worker's load of the target: the function, when it was ready on the shared clock, how long
 * loading the user's module took (its imports and top-level code run in every worker), and the
 * module's own values as they stand once loaded (moduleValues.ts).
 */
export async function loadTarget(
  bundle: string,
  originEpochMs: number,
): Promise<{ fn: (...args: unknown[]) => unknown; readyMs: number; loadMs: number; values: ModuleValues | undefined }> {
  const loadStartMs = sinceOrigin(originEpochMs);
  const hooks = await loadBundle(bundle);
  const fn = hooks.target() as (...args: unknown[]) => unknown;
  const readyMs = sinceOrigin(originEpochMs);
  const values = (globalThis as Record<string, unknown>)[VALUES_KEY] as Record<string, () => unknown> | undefined;
  return { fn, readyMs, loadMs: readyMs - loadStartMs, values: ModuleValues.watch(values) };
}
