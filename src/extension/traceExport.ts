/** Export Chrome Trace…: the core's Chrome trace of a report, written where the user picks. */
import * as vscode from 'vscode';
import { toChromeTrace } from '../core/chromeTrace';
import type { Report } from '../core/model';
import { saveTrace } from './reportFiles';

/** Writes the Chrome trace of `report` (to `target`, or where the user picks); opens in Perfetto. */
export function exportTrace(report: Report, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  return saveTrace(report, toChromeTrace(report), target);
}
