/**
 * Reports on disk: save a report as JSON, read a saved one back (checked enough to render), and
 * write the Chrome trace of a report. File dialogs are skipped when a URI is given (tests, scripts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../core/model';
import { parseReport } from './reportJson';

/** A default file name next to the target: `<file>.<name>.<suffix>.json`. */
function defaultUri(report: Report, suffix: string): vscode.Uri {
  const dir = path.dirname(report.target.file);
  return vscode.Uri.file(path.join(dir, `${report.target.name}.${suffix}.json`));
}

/** Asks where to save (unless `target` is given) and writes `content`; returns the URI written. */
async function writeJson(
  content: unknown,
  target: vscode.Uri | undefined,
  suggested: vscode.Uri,
  title: string,
): Promise<vscode.Uri | undefined> {
  const uri =
    target ?? (await vscode.window.showSaveDialog({ defaultUri: suggested, title, filters: { JSON: ['json'] } }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(content, null, 2) + '\n', 'utf8'));
  return uri;
}

/** Saves `report` as JSON. */
export function saveReport(report: Report, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  return writeJson(report, target, defaultUri(report, 'profile'), 'Save Profile Report');
}

/** Writes the Chrome trace (`trace`, from the core export) of `report`. */
export function saveTrace(report: Report, trace: unknown, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  return writeJson(trace, target, defaultUri(report, 'trace'), 'Export Chrome Trace');
}

/** Asks for a saved report (unless `source` is given) and reads it; throws one line if unusable. */
export async function openReportFile(source?: vscode.Uri): Promise<{ uri: vscode.Uri; report: Report } | undefined> {
  const uri =
    source ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Profile report': ['json'] }, title: 'Open Profile Report' }))?.[0];
  if (!uri) return undefined;
  const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  return { uri, report: parseReport(text) };
}
