/**
 * Which Python runs a Python target: the interpreter selected in the VS Code Python extension when
 * it is installed (its public API), else the `parallelProfiler.pythonPath` setting, else `python3`.
 */
import * as vscode from 'vscode';

/** The slice of `ms-python.python`'s public API this extension uses. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<
      { executable?: { uri?: vscode.Uri } } | undefined
    >;
  };
}

/** The interpreter for `file`; never throws (falls back to the setting, then `python3`). */
export async function resolvePython(file: vscode.Uri, setting: string | undefined): Promise<string> {
  const fromExtension = await activeInterpreter(file).catch(() => undefined);
  return fromExtension ?? setting ?? 'python3';
}

async function activeInterpreter(file: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return undefined;
  const api = ext.isActive ? ext.exports : await ext.activate();
  const envs = api?.environments;
  if (!envs) return undefined;
  const active = envs.getActiveEnvironmentPath(file);
  const resolved = await envs.resolveEnvironment(active);
  return resolved?.executable?.uri?.fsPath ?? (active.path || undefined);
}
