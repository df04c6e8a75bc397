/**
 * The last profile of each function: its report (this session) and its one-line summary
 * (remembered per workspace, so lenses show it after a reload), plus the last inputs used for
 * each function. Fires `onDidChange` so code lenses refresh.
 */
import * as vscode from 'vscode';
import type { Report } from '../core/model';
import type { InputsChoice } from './inputsDefaults';
import { summarizeReport } from './reportSummary';

const SUMMARIES_KEY = 'parallelProfiler.summaries';
const INPUTS_KEY = 'parallelProfiler.inputs';

/** Key of one function: its file path and name. */
export function functionKey(file: string, name: string): string {
  return `${file}#${name}`;
}

export class ResultStore implements vscode.Disposable {
  private readonly reports = new Map<string, Report>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a summary is added or the running target changes. */
  readonly onDidChange = this.changed.event;
  /** The function being profiled now, if any. */
  private runningKey: string | undefined;

  constructor(private readonly state: vscode.Memento) {}

  /** Records a finished profile of `report.target`. */
  async setReport(report: Report): Promise<void> {
    const key = functionKey(report.target.file, report.target.name);
    this.reports.set(key, report);
    const summaries = { ...this.state.get<Record<string, string>>(SUMMARIES_KEY, {}) };
    summaries[key] = summarizeReport(report);
    await this.state.update(SUMMARIES_KEY, summaries);
    this.changed.fire();
  }

  /** The last report of this function in this session, if any. */
  report(file: string, name: string): Report | undefined {
    return this.reports.get(functionKey(file, name));
  }

  /** The last summary line of this function, remembered per workspace. */
  summary(file: string, name: string): string | undefined {
    return this.state.get<Record<string, string>>(SUMMARIES_KEY, {})[functionKey(file, name)];
  }

  /** The inputs last used for this function in this workspace. */
  lastInputs(file: string, name: string): InputsChoice | undefined {
    return this.state.get<Record<string, InputsChoice>>(INPUTS_KEY, {})[functionKey(file, name)];
  }

  async setLastInputs(file: string, name: string, inputs: InputsChoice): Promise<void> {
    const all = { ...this.state.get<Record<string, InputsChoice>>(INPUTS_KEY, {}) };
    all[functionKey(file, name)] = inputs;
    await this.state.update(INPUTS_KEY, all);
  }

  /** Marks which function is being profiled (undefined when none), for the lens. */
  setRunning(file: string | undefined, name?: string): void {
    this.runningKey = file && name ? functionKey(file, name) : undefined;
    this.changed.fire();
  }

  isRunning(file: string, name: string): boolean {
    return this.runningKey === functionKey(file, name);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
