/**
 * Entry point of the extension host side: registers commands, code lenses, the panel serializer
 * and context keys. Thin by design: profiling happens in a runner process (see profileSession.ts).
 */
import * as vscode from 'vscode';
import { ProfileCodeLensProvider } from './codeLensProvider';
import { CONTEXT } from './commandIds';
import { registerCommands } from './commands';
import { ProfilePanel } from './profilePanel';
import { ProfileSession } from './profileSession';
import { createReportView } from './reportView';
import { ResultStore } from './resultStore';
import { WarningDiagnostics } from './warningDiagnostics';
import { SETTINGS, affects } from './settings';
import { PROFILABLE_SELECTOR } from './targetScan';

/** What `activate` returns: handles for tests in the extension host. */
export interface ParallelProfilerApi {
  readonly session: ProfileSession;
  readonly store: ResultStore;
}

export function activate(context: vscode.ExtensionContext): ParallelProfilerApi {
  const store = new ResultStore(context.workspaceState);
  const view = createReportView(context.extensionUri);
  const problems = new WarningDiagnostics();
  const session = new ProfileSession(store, view, problems);
  const lenses = new ProfileCodeLensProvider(store);
  context.subscriptions.push(
    store,
    problems,
    session,
    lenses,
    ProfilePanel.registerSerializer(context),
    vscode.languages.registerCodeLensProvider(PROFILABLE_SELECTOR, lenses),
    ...registerCommands({ session, store, view }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, SETTINGS.codeLensEnabled)) lenses.refresh();
    }),
  );
  void vscode.commands.executeCommand('setContext', CONTEXT.running, false);
  return { session, store };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the session's dispose cancels a running profile.
}
