/**
 * Top-level functions of an open document, via the core scanner, cached per document version so
 * code lenses stay cheap on every keystroke.
 */
import * as vscode from 'vscode';
import type { Language } from '../core/model';
import { scanFunctions, type FoundFunction } from '../core/functionScanner';

/** The editor language ids this extension profiles, mapped to the target language. */
const LANGUAGES: Record<string, Language> = {
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'typescript',
  python: 'python',
};

/** Document selector for the code-lens provider. */
export const PROFILABLE_SELECTOR: vscode.DocumentSelector = Object.keys(LANGUAGES).map((language) => ({
  language,
  scheme: 'file',
}));

/** The target language of a document, or undefined when it cannot be profiled. */
export function languageOfDocument(doc: vscode.TextDocument): Language | undefined {
  return doc.uri.scheme === 'file' ? LANGUAGES[doc.languageId] : undefined;
}

const cache = new WeakMap<vscode.TextDocument, { version: number; functions: FoundFunction[] }>();

/** The document's top-level functions (empty when the scanner cannot read it). */
export function functionsOf(doc: vscode.TextDocument): FoundFunction[] {
  const language = languageOfDocument(doc);
  if (!language) return [];
  const hit = cache.get(doc);
  if (hit && hit.version === doc.version) return hit.functions;
  let functions: FoundFunction[];
  try {
    functions = scanFunctions(doc.getText(), language);
  } catch {
    functions = []; // a half-typed file is normal while editing
  }
  cache.set(doc, { version: doc.version, functions });
  return functions;
}

/** The top-level function whose definition is at or above `line` and is the closest one. */
export function functionAtLine(doc: vscode.TextDocument, line: number): FoundFunction | undefined {
  let best: FoundFunction | undefined;
  for (const f of functionsOf(doc)) if (f.line <= line && (!best || f.line > best.line)) best = f;
  return best;
}
