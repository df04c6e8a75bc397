/**
 * The extension's settings: every key in one constant, read in one place, so package.json,
 * the code and the tests agree on names.
 */
import * as vscode from 'vscode';
import { STRATEGIES, type StrategyName } from '../core/model';

/** Section and keys under `parallelProfiler.*`, as contributed in package.json. */
export const SETTINGS = {
  section: 'parallelProfiler',
  workers: 'workers',
  strategies: 'strategies',
  taskTimeoutMs: 'taskTimeoutMs',
  hangTimeoutMs: 'hangTimeoutMs',
  nodePath: 'nodePath',
  pythonPath: 'pythonPath',
  codeLensEnabled: 'codeLens.enabled',
} as const;

/** The settings a profiling run uses, already validated. */
export interface ProfilerSettings {
  /** Workers per parallel strategy; undefined = the machine's available parallelism. */
  workers: number | undefined;
  strategies: StrategyName[];
  taskTimeoutMs: number | undefined;
  hangTimeoutMs: number | undefined;
  nodePath: string | undefined;
  pythonPath: string | undefined;
  codeLensEnabled: boolean;
}

/** Reads the settings for `scope` (a file's URI, so folder settings apply). */
export function readSettings(scope?: vscode.Uri): ProfilerSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS.section, scope);
  const positive = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const chosen = c.get<unknown>(SETTINGS.strategies);
  const strategies = Array.isArray(chosen)
    ? STRATEGIES.filter((s) => chosen.includes(s))
    : [...STRATEGIES];
  return {
    workers: positive(c.get(SETTINGS.workers)),
    strategies: strategies.length > 0 ? strategies : [...STRATEGIES],
    taskTimeoutMs: positive(c.get(SETTINGS.taskTimeoutMs)),
    hangTimeoutMs: positive(c.get(SETTINGS.hangTimeoutMs)),
    nodePath: text(c.get(SETTINGS.nodePath)),
    pythonPath: text(c.get(SETTINGS.pythonPath)),
    codeLensEnabled: c.get<boolean>(SETTINGS.codeLensEnabled) !== false,
  };
}

/** Whether a configuration change touches the given key (e.g. to refresh lenses). */
export function affects(e: vscode.ConfigurationChangeEvent, key: string): boolean {
  return e.affectsConfiguration(`${SETTINGS.section}.${key}`);
}
