/**
 * Where reports and live progress are shown: the profiling panel (profilePanel.ts, the panel's
 * own code). Kept behind this small seam so the session and commands need only four verbs.
 */
import * as vscode from 'vscode';
import type { Report } from '../core/model';
import { ProfilePanel } from './profilePanel';

/** What the session and commands need from the panel. */
export interface ReportView {
  /** Opens (or reveals) the panel and shows this report. */
  show(report: Report): void;
  /** Shows live progress, only when the panel is already open (never steals focus). */
  progress(target: string, lines: string[]): void;
  /** The report the panel shows now, else the last report shown this session. */
  current(): Report | undefined;
  /** Opens (or reveals) the panel; shows the last report when the panel has none. */
  reveal(): void;
}

/** The panel-backed view; `extensionUri` locates the webview bundle and media. */
export function createReportView(extensionUri: vscode.Uri): ReportView {
  let last: Report | undefined;
  return {
    show(report) {
      last = report;
      ProfilePanel.createOrShow(extensionUri).showReport(report);
    },
    progress(target, lines) {
      ProfilePanel.current?.showProgress(target, lines);
    },
    current: () => ProfilePanel.current?.report ?? last,
    reveal() {
      const panel = ProfilePanel.createOrShow(extensionUri);
      if (!panel.report && last) panel.showReport(last);
    },
  };
}
