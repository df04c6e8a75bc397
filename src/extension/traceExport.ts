/** Export Chrome Trace…: the core's Chrome trace of a report, written where the user picks. */
import * as vscode from 'vscode';
import type { Report } from '../core/model';

/** Writes the Chrome trace of `report` (to `target`, or where the user picks). */
export async function exportTrace(_report: Report, _target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  // TEMPORARY until src/core/chromeTrace.ts lands.
  throw new Error('Chrome trace export is not available yet.');
}
