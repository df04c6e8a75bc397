/**
 * The report's warnings in the editor: each one with a place becomes a problem at that line (the
 * Problems view, a squiggle), so a race, deadlock, hang, crash or error shows where it happens
 * without opening the panel. One problem per line and kind, naming every strategy it happened in.
 * A function's problems are replaced by its next profile, and a file's go when it is edited, since
 * their lines would no longer be right; for the same reason a report opened from disk shows only
 * those of files unchanged since it was made.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Report, Warning } from '../core/model';
import { functionKey } from './resultStore';

/** Kinds that say something is wrong; the others (overhead, imbalance, the GIL…) are advice. */
const WRONG = new Set<Warning['kind']>(['race', 'divergence', 'deadlock', 'hang', 'error', 'crash']);

export class WarningDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('Parallel Profiler');
  /** Per profiled function: its problems by file. */
  private readonly byFunction = new Map<string, Map<string, vscode.Diagnostic[]>>();
  private readonly edits = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length > 0 && this.collection.has(e.document.uri)) this.forgetFile(e.document.uri.fsPath);
  });

  /**
   * Shows the warnings of `report`, in place of those of the function's last profile. With
   * `unchangedSince` (ms since 1970), only in files not modified after it, on disk or in an editor.
   */
  show(report: Report, unchangedSince?: number): void {
    const key = functionKey(report.target.file, report.target.name);
    const touched = new Set(this.byFunction.get(key)?.keys());
    const files = problemsOf(report.warnings);
    if (unchangedSince !== undefined) {
      for (const file of files.keys()) if (!unchangedAfter(file, unchangedSince)) files.delete(file);
    }
    this.byFunction.set(key, files);
    for (const file of files.keys()) touched.add(file);
    for (const file of touched) this.refresh(file);
  }

  dispose(): void {
    this.edits.dispose();
    this.collection.dispose();
  }

  private forgetFile(file: string): void {
    for (const files of this.byFunction.values()) files.delete(file);
    this.refresh(file);
  }

  private refresh(file: string): void {
    const all = [...this.byFunction.values()].flatMap((files) => files.get(file) ?? []);
    this.collection.set(vscode.Uri.file(file), all);
  }
}

/** Whether `file` exists, unmodified on disk since `sinceMs` and without unsaved edits. */
function unchangedAfter(file: string, sinceMs: number): boolean {
  if (vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file && d.isDirty)) return false;
  try {
    return fs.statSync(file).mtimeMs <= sinceMs;
  } catch {
    return false;
  }
}

/** One problem per file, line and kind: the first warning's words, and the other strategies. */
function problemsOf(warnings: Warning[]): Map<string, vscode.Diagnostic[]> {
  const groups = new Map<string, Warning[]>();
  for (const warning of warnings) {
    if (!warning.location) continue;
    const at = `${warning.location.file}\n${warning.location.line}\n${warning.kind}`;
    groups.set(at, [...(groups.get(at) ?? []), warning]);
  }
  const files = new Map<string, vscode.Diagnostic[]>();
  for (const [first, ...others] of groups.values()) {
    const { file, line } = first.location!;
    const also = [...new Set(others.map((w) => w.strategy).filter((s) => s && s !== first.strategy))];
    const message = also.length ? `${first.message} (also in ${also.join(' and ')})` : first.message;
    const row = Math.max(0, line - 1);
    const problem = new vscode.Diagnostic(
      new vscode.Range(row, 0, row, Number.MAX_SAFE_INTEGER),
      message,
      WRONG.has(first.kind) ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
    );
    problem.source = 'Parallel Profiler';
    problem.code = first.kind;
    files.set(file, [...(files.get(file) ?? []), problem]);
  }
  return files;
}
