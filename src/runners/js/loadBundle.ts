/**
 * Loads a target bundle (made by bundleTarget.ts) in this thread or process. Kept apart from the
 * bundler so that workers start without loading esbuild.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The global the bundle's appended hook sets. */
export const HOOKS_KEY = '__parallelProfilerHooks';

export interface TargetHooks {
  target(): unknown;
  inputs(): unknown;
}

export async function loadBundle(bundle: string): Promise<TargetHooks> {
  if (bundle.endsWith('.cjs')) createRequire(__filename)(bundle);
  else await import(pathToFileURL(bundle).href);
  return (globalThis as Record<string, unknown>)[HOOKS_KEY] as TargetHooks;
}
