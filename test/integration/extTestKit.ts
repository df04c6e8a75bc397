/**
 * Shared bits of the extension's in-host suites: the extension's API, fixture paths, settings that
 * are restored after each test, and waiting for a condition (never for a fixed time).
 * Not a suite itself (no `.test.ts`), bundled into the suites that import it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParallelProfilerApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'parallel-profiler.parallel-profiler';

/** Activates the extension and returns its API. */
export async function extensionApi(): Promise<ParallelProfilerApi> {
  const ext = vscode.extensions.getExtension<ParallelProfilerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this window`);
  return ext.isActive ? ext.exports : await ext.activate();
}

/** Absolute path of a file in test/fixtures/ext/ of the loaded extension. */
export function fixture(name: string): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this window`);
  return path.join(ext.extensionPath, 'test', 'fixtures', 'ext', name);
}

/** Opens a fixture as a document (not necessarily shown). */
export function openFixture(name: string): Thenable<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(vscode.Uri.file(fixture(name)));
}

/** Sets `parallelProfiler.<key>` in user settings; `resetSettings` puts every one back. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('parallelProfiler').update(key, value, vscode.ConfigurationTarget.Global);
}

export async function resetSettings(): Promise<void> {
  for (const key of ['workers', 'strategies', 'taskTimeoutMs', 'hangTimeoutMs', 'nodePath', 'pythonPath', 'codeLens.enabled'])
    await setSetting(key, undefined);
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh scratch folder for files the tests write; removed by `cleanup`. */
export function scratchDir(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-ext-test-'));
  // Retried: once, VS Code was still writing in it as a test closed its editor (ENOTEMPTY).
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) };
}

/** The code lenses our provider gives for a document (resolved titles). */
export async function lensesOf(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
  const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
  return all.filter((l) => l.command?.command.startsWith('parallelProfiler.') || l.command?.command === 'workbench.trust.manage');
}
