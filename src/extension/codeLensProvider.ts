/**
 * Code lenses above every top-level function: `Profile parallelism` and, once profiled, the last
 * result (`threads 1.9× · processes 1.7× · 2 warnings`). Cheap: the scan is cached per document
 * version; `onDidChangeCodeLenses` fires when results, trust or settings change.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { Messages } from './messages';
import type { ResultStore } from './resultStore';
import { readSettings } from './settings';
import { functionsOf } from './targetScan';

export class ProfileCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: ResultStore) {
    this.subscriptions = [
      store.onDidChange(() => this.refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    ];
  }

  /** Asks VS Code to ask for lenses again. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings(doc.uri).codeLensEnabled) return [];
    const lenses: vscode.CodeLens[] = [];
    const file = doc.uri.fsPath;
    for (const f of functionsOf(doc)) {
      if (f.line >= doc.lineCount) continue;
      const range = new vscode.Range(f.line, 0, f.line, 0);
      const args = [doc.uri, f.name];
      if (!vscode.workspace.isTrusted) {
        lenses.push(new vscode.CodeLens(range, {
          title: Messages.lensUntrusted(),
          tooltip: Messages.untrusted(),
          command: 'workbench.trust.manage',
        }));
        continue;
      }
      if (this.store.isRunning(file, f.name)) {
        lenses.push(new vscode.CodeLens(range, {
          title: Messages.lensRunning(),
          tooltip: 'Cancel this profile',
          command: COMMANDS.cancel,
        }));
      } else {
        lenses.push(new vscode.CodeLens(range, {
          title: Messages.lensProfile(),
          tooltip: `Time ${f.name} sequentially, in a thread pool and in a process pool`,
          command: COMMANDS.profileFunction,
          arguments: args,
        }));
      }
      const summary = this.store.summary(file, f.name);
      if (summary) {
        lenses.push(new vscode.CodeLens(range, {
          title: summary,
          tooltip: `Open the last profile of ${f.name}`,
          command: COMMANDS.openPanel,
          arguments: args,
        }));
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
