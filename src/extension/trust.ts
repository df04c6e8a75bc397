/**
 * Workspace Trust: profiling runs the user's code, so nothing runs in an untrusted workspace.
 * Commands call `ensureTrusted()`, which explains why and offers to manage trust.
 */
import * as vscode from 'vscode';
import { Messages } from './messages';

/** True when the workspace is trusted; otherwise says why and offers `workbench.trust.manage`. */
export async function ensureTrusted(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(Messages.untrusted(), Messages.manageTrust());
  if (choice === Messages.manageTrust()) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
