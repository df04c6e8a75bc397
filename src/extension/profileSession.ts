/**
 * Runs one profile at a time through the core controller (`startProfile`, a separate runner
 * process — user code never runs in the extension host): a progress notification with live task
 * counts per strategy and a working Cancel, the runner's output in the "Parallel Profiler" output
 * channel, and the result handed to the panel and the code lenses.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report, Target } from '../core/model';
import { startProfile, type ProfileHandle, type ProfileOutcome, type ProfileRequest } from '../core/profile';
import { CONTEXT } from './commandIds';
import type { InputsChoice } from './inputsDefaults';
import { Messages } from './messages';
import { resolvePython } from './pythonInterpreter';
import type { ReportView } from './reportView';
import { ProgressCounts } from './reportSummary';
import type { ResultStore } from './resultStore';
import type { WarningDiagnostics } from './warningDiagnostics';
import { readSettings } from './settings';

/** Name of the output channel with the runner's log. */
export const OUTPUT_CHANNEL = 'Parallel Profiler';

export class ProfileSession implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
  private active: { handle: ProfileHandle; label: string; finished: Promise<unknown> } | undefined;
  private lastRequest: { target: Target; inputs: InputsChoice } | undefined;
  /** The one-line error of the last profile that produced no report (shown to the user as-is). */
  lastError: string | undefined;

  constructor(
    private readonly store: ResultStore,
    private readonly view: ReportView,
    private readonly problems: WarningDiagnostics,
  ) {}

  /** Whether a profile is running now. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /** Target and inputs of the last profile started, for Re-run. */
  get last(): { target: Target; inputs: InputsChoice } | undefined {
    return this.lastRequest;
  }

  /**
   * A report opened from a file: re-run profiles its target and inputs again, and its warnings go
   * to the Problems view where their files have not changed since it was made.
   */
  async opened(report: Report): Promise<void> {
    await this.remember(report.target, { expression: report.inputs.expression, spread: report.inputs.spread });
    const madeAt = Date.parse(report.createdAt);
    if (!Number.isNaN(madeAt)) this.problems.show(report, madeAt);
  }

  /** Makes `target` with `inputs` what Re-run runs next. */
  private async remember(target: Target, inputs: InputsChoice): Promise<void> {
    this.lastRequest = { target, inputs };
    await vscode.commands.executeCommand('setContext', CONTEXT.hasLastProfile, true);
  }

  /**
   * Profiles `target` over `inputs`. When another profile runs, asks whether to cancel it first
   * (`confirmCancel` false: cancel without asking). Resolves with the report, or undefined when
   * nothing was profiled (declined, or the runner reported bad input, shown as an error).
   */
  async run(target: Target, inputs: InputsChoice, confirmCancel = true): Promise<Report | undefined> {
    if (this.active) {
      if (confirmCancel) {
        const choice = await vscode.window.showWarningMessage(
          Messages.alreadyRunning(this.active.label),
          Messages.cancelAndStart(),
        );
        if (choice !== Messages.cancelAndStart()) return undefined;
      }
      const previous = this.active;
      previous?.handle.cancel();
      await previous?.finished;
    }
    this.lastRequest = { target, inputs };
    await vscode.commands.executeCommand('setContext', CONTEXT.hasLastProfile, true);
    const request = await this.requestFor(target, inputs);
    const label = `${target.name} (${path.basename(target.file)})`;
    this.output.appendLine(`▶ ${label} — inputs: ${inputs.expression}${inputs.spread ? ' (spread)' : ''}`);

    const counts = new ProgressCounts();
    let handle: ProfileHandle;
    try {
      handle = startProfile(request, {
        onEvent: (e) => {
          if (e.type === 'log') this.output.appendLine(e.message);
          else if (e.type === 'fatal') this.output.appendLine(`✖ ${e.message}`);
          if (counts.add(e)) this.onProgress?.();
        },
        onOutput: (_stream, text) => this.output.append(text),
      });
    } catch (err) {
      const message = Messages.crashedController(err instanceof Error ? err.message : String(err));
      this.lastError = message;
      this.output.appendLine(`✖ ${message}`);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    const finished = this.track(handle, label, request, counts);
    this.active = { handle, label, finished };
    this.store.setRunning(target.file, target.name);
    await vscode.commands.executeCommand('setContext', CONTEXT.running, true);
    try {
      return await finished;
    } finally {
      if (this.active?.handle === handle) {
        this.active = undefined;
        this.store.setRunning(undefined);
        await vscode.commands.executeCommand('setContext', CONTEXT.running, false);
      }
    }
  }

  /** Cancels the running profile; false when none runs. */
  cancel(): boolean {
    if (!this.active) return false;
    this.output.appendLine(`■ cancelling ${this.active.label}`);
    this.active.handle.cancel();
    return true;
  }

  private onProgress: (() => void) | undefined;

  private async track(handle: ProfileHandle, label: string, request: ProfileRequest, counts: ProgressCounts) {
    const planned = request.strategies?.length ?? 3;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Profiling ${label}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.cancel());
        let reported = 0;
        this.onProgress = () => {
          const lines = counts.lines();
          const fraction = counts.fraction(planned) * 100;
          progress.report({ message: lines.join(' · '), increment: Math.max(0, fraction - reported) });
          reported = Math.max(reported, fraction);
          this.view.progress(label, lines);
        };
        try {
          return await handle.done;
        } catch (err) {
          return { ok: false, error: Messages.crashedController(err instanceof Error ? err.message : String(err)) } as ProfileOutcome;
        } finally {
          this.onProgress = undefined;
        }
      },
    );
    return this.finish(outcome, label);
  }

  private async finish(outcome: ProfileOutcome, label: string): Promise<Report | undefined> {
    this.lastError = outcome.ok ? undefined : outcome.error;
    if (!outcome.ok) {
      this.output.appendLine(`✖ ${outcome.error}`);
      void vscode.window.showErrorMessage(outcome.error);
      return undefined;
    }
    const report = outcome.report;
    this.output.appendLine(`✔ ${label}: ${report.verdict}`);
    await this.store.setReport(report);
    await vscode.commands.executeCommand('setContext', CONTEXT.hasReport, true);
    this.view.show(report);
    this.problems.show(report);
    if (report.cancelled) void vscode.window.showInformationMessage(Messages.cancelled(label));
    return report;
  }

  private async requestFor(target: Target, inputs: InputsChoice): Promise<ProfileRequest> {
    const uri = vscode.Uri.file(target.file);
    const s = readSettings(uri);
    return {
      target,
      inputs: inputs.expression,
      spread: inputs.spread,
      strategies: s.strategies,
      workers: s.workers,
      taskTimeoutMs: s.taskTimeoutMs,
      hangTimeoutMs: s.hangTimeoutMs,
      node: target.language === 'python' ? undefined : s.nodePath,
      python: target.language === 'python' ? await resolvePython(uri, s.pythonPath) : undefined,
      // Relative paths in the code start at the workspace folder, as when the editor runs the file.
      cwd: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath,
    };
  }

  dispose(): void {
    this.active?.handle.cancel();
    this.output.dispose();
  }
}
