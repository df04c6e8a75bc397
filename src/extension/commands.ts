/**
 * The commands of the "Parallel Profiler" category. Each takes optional arguments so code lenses,
 * the panel, scripts and tests can skip the pickers and dialogs: e.g.
 * `profileFunction(uri, name, inputs?)` and `saveReport(uri)`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report, Target } from '../core/model';
import type { FoundFunction } from '../core/functionScanner';
import { COMMANDS, CONTEXT } from './commandIds';
import { askInputs } from './inputsPrompt';
import { spreadFor, type InputsChoice } from './inputsDefaults';
import { Messages } from './messages';
import type { ProfileSession } from './profileSession';
import { openReportFile, saveReport } from './reportFiles';
import type { ReportView } from './reportView';
import type { ResultStore } from './resultStore';
import { functionAtLine, functionsOf, languageOfDocument } from './targetScan';
import { ensureTrusted } from './trust';
import { exportTrace } from './traceExport';

/** What the commands work with. */
export interface CommandDeps {
  session: ProfileSession;
  store: ResultStore;
  view: ReportView;
}

/** Registers every command; the disposables go into `context.subscriptions`. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { session, store, view } = deps;
  const reportNow = (): Report | undefined => view.current();

  /** Opens the document, finds the function and profiles it (asking for inputs unless given). */
  async function profile(uri: vscode.Uri, name: string | undefined, inputs?: InputsChoice | string) {
    if (!(await ensureTrusted())) return undefined;
    const doc = await vscode.workspace.openTextDocument(uri);
    const language = languageOfDocument(doc);
    if (!language) {
      void vscode.window.showErrorMessage(Messages.unsupportedFile(path.basename(uri.fsPath)));
      return undefined;
    }
    const functions = functionsOf(doc);
    let fn: FoundFunction | undefined;
    if (name === undefined) {
      if (functions.length === 0) {
        void vscode.window.showErrorMessage(Messages.noFunctions(path.basename(uri.fsPath)));
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        functions.map((f) => ({ label: f.name, description: `(${f.params.join(', ')}) · line ${f.line + 1}`, f })),
        { title: 'Profile Function', placeHolder: 'Which function?' },
      );
      fn = pick?.f;
      if (!fn) return undefined;
    } else {
      // The scanner may not know every form; the runner gives the authoritative error then.
      fn = functions.find((f) => f.name === name) ?? { name, line: 0, params: [], positional: [] };
    }
    const target: Target = { file: uri.fsPath, name: fn.name, language };
    let choice: InputsChoice | undefined;
    if (typeof inputs === 'string') {
      const spread = store.lastInputs(target.file, fn.name)?.spread ?? spreadFor(fn.positional);
      choice = { expression: inputs, spread };
    } else {
      choice = inputs ?? (await askInputs(target, fn, store));
    }
    if (!choice) return undefined;
    await store.setLastInputs(target.file, fn.name, choice);
    if (doc.isDirty) await doc.save();
    return session.run(target, choice);
  }

  const commands: Record<string, (...args: any[]) => unknown> = {
    [COMMANDS.profileAtCursor]: async () => {
      if (!(await ensureTrusted())) return undefined;
      const editor = vscode.window.activeTextEditor;
      if (!editor) return void vscode.window.showErrorMessage(Messages.noEditor());
      const fn = functionAtLine(editor.document, editor.selection.active.line);
      if (!languageOfDocument(editor.document))
        return void vscode.window.showErrorMessage(Messages.unsupportedFile(path.basename(editor.document.fileName)));
      if (!fn) return void vscode.window.showErrorMessage(Messages.noFunctionAtCursor());
      return profile(editor.document.uri, fn.name);
    },
    [COMMANDS.profileFunction]: async (uri?: vscode.Uri, name?: string, inputs?: InputsChoice | string) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) return void vscode.window.showErrorMessage(Messages.noEditor());
      return profile(target, typeof name === 'string' ? name : undefined, inputs);
    },
    [COMMANDS.rerun]: async () => {
      if (!(await ensureTrusted())) return undefined;
      const last = session.last;
      const shown = reportNow();
      if (last) return session.run(last.target, last.inputs);
      if (shown) return session.run(shown.target, { expression: shown.inputs.expression, spread: shown.inputs.spread });
      void vscode.window.showInformationMessage(Messages.noLastProfile());
      return undefined;
    },
    [COMMANDS.cancel]: () => {
      const cancelled = session.cancel();
      if (!cancelled) void vscode.window.showInformationMessage(Messages.notRunning());
      return cancelled;
    },
    [COMMANDS.openPanel]: (uri?: vscode.Uri, name?: string) => {
      const report = uri instanceof vscode.Uri && name ? store.report(uri.fsPath, name) : undefined;
      if (report) view.show(report);
      else view.reveal();
      return view.current();
    },
    [COMMANDS.openReport]: async (uri?: vscode.Uri) => {
      try {
        const opened = await openReportFile(uri instanceof vscode.Uri ? uri : undefined);
        if (!opened) return undefined;
        view.show(opened.report);
        await session.opened(opened.report);
        await vscode.commands.executeCommand('setContext', CONTEXT.hasReport, true);
        return opened.report;
      } catch (err) {
        const file = uri instanceof vscode.Uri ? path.basename(uri.fsPath) : 'The file';
        void vscode.window.showErrorMessage(Messages.badReport(file, (err as Error).message));
        return undefined;
      }
    },
    [COMMANDS.exportTrace]: async (uri?: vscode.Uri) => {
      const report = reportNow();
      if (!report) return void vscode.window.showInformationMessage(Messages.noReport());
      const written = await exportTrace(report, uri instanceof vscode.Uri ? uri : undefined);
      if (written) void vscode.window.showInformationMessage(Messages.savedTo(written.fsPath));
      return written;
    },
    [COMMANDS.saveReport]: async (uri?: vscode.Uri) => {
      const report = reportNow();
      if (!report) return void vscode.window.showInformationMessage(Messages.noReport());
      const written = await saveReport(report, uri instanceof vscode.Uri ? uri : undefined);
      if (written) void vscode.window.showInformationMessage(Messages.savedTo(written.fsPath));
      return written;
    },
    [COMMANDS.showOutput]: () => session.output.show(true),
  };
  return Object.entries(commands).map(([id, fn]) => vscode.commands.registerCommand(id, fn));
}
