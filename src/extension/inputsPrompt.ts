/**
 * The input box for a profile's inputs: prefilled with the inputs last used for that function in
 * this workspace, or a default from its parameters; a bad expression is reported in the box.
 */
import * as vscode from 'vscode';
import type { Target } from '../core/model';
import { checkInputs, defaultInputs, spreadFor, type InputsChoice } from './inputsDefaults';
import type { FoundFunction } from '../core/functionScanner';
import { Messages } from './messages';
import type { ResultStore } from './resultStore';

/** Asks for the inputs of `target`; undefined when the user dismissed the box. */
export async function askInputs(
  target: Target,
  fn: Pick<FoundFunction, 'params' | 'positional'>,
  store: ResultStore,
): Promise<InputsChoice | undefined> {
  const last = store.lastInputs(target.file, target.name);
  const initial = last ?? defaultInputs(fn.positional, target.language);
  const spread = last?.spread ?? spreadFor(fn.positional);
  const expression = await vscode.window.showInputBox({
    title: `Profile ${target.name}(${fn.params.join(', ')})`,
    prompt: Messages.inputsPrompt(target.name, spread),
    value: initial.expression,
    ignoreFocusOut: true,
    validateInput: (value) => checkInputs(value, target.language),
  });
  if (expression === undefined) return undefined;
  return { expression: expression.trim(), spread };
}
