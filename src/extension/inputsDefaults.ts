/**
 * Inputs for the input box: a sensible default from a function's parameters, and a syntax check
 * that never evaluates anything (user code only ever runs in the runner process).
 * Plain functions, no `vscode` import, so unit tests can use them directly.
 */
import { transformSync } from 'esbuild';
import type { Language } from '../core/model';
import { topLevelParts } from '../core/functionScanner';

/** An inputs expression and whether each element is spread as the arguments (starmap). */
export interface InputsChoice {
  expression: string;
  spread: boolean;
}

/** Tasks a default expression produces: enough to fill a few workers, quick to run. */
const DEFAULT_TASKS = 16;

/**
 * One argument per task when the function takes exactly one parameter (map), else one argument
 * list per task (starmap).
 */
export function spreadFor(params: readonly string[]): boolean {
  return params.length !== 1;
}

/** A default inputs expression for a function with these parameters. */
export function defaultInputs(params: readonly string[], language: Language): InputsChoice {
  const n = DEFAULT_TASKS;
  const spread = spreadFor(params);
  if (language === 'python') {
    if (params.length === 0) return { expression: `[() for _ in range(${n})]`, spread };
    if (params.length === 1) return { expression: `list(range(${n}))`, spread };
    return { expression: `[(${params.map(() => 'i').join(', ')}) for i in range(${n})]`, spread };
  }
  if (params.length === 0) return { expression: `Array.from({ length: ${n} }, () => [])`, spread };
  const args = params.map(sampleArgument);
  if (params.length === 1) return { expression: `Array.from({ length: ${n} }, (_, i) => ${args[0].startsWith('{') ? `(${args[0]})` : args[0]})`, spread };
  return { expression: `Array.from({ length: ${n} }, (_, i) => [${args.join(', ')}])`, spread };
}

/**
 * What each task passes for a JS parameter: i, or for a destructured one an object or array with i
 * in each place that has no default (`{ n, mode = 'fast' }` → `{ n: i }`).
 */
function sampleArgument(param: string): string {
  const open = param[0];
  if (open !== '{' && open !== '[') return 'i';
  const names = topLevelParts(param.slice(1, -1))
    .filter((part) => !part.startsWith('...') && !part.includes('='))
    .map((part) => part.split(':')[0].trim())
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  return open === '{' ? `{ ${names.map((name) => `${name}: i`).join(', ')} }` : `[${names.map(() => 'i').join(', ')}]`;
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as FunctionConstructor;

/**
 * Checks an inputs expression without running it. Returns one line naming the problem, or
 * undefined when it looks fine. JS: compiled (never called) as an async function's body, as the
 * runner evaluates it; TS: parsed by esbuild; Python: balanced brackets and quotes, since no Python
 * parser runs in the extension host.
 */
export function checkInputs(expression: string, language: Language): string | undefined {
  const text = expression.trim();
  if (text === '') return 'Enter an inputs expression, e.g. [1, 2, 3].';
  if (language === 'python') return checkPythonShape(text);
  if (language === 'typescript') return checkTypeScript(text);
  try {
    // Compiles the body only; the function is never called. Async, as the runner evaluates it, so
    // the expression may `await`.
    new AsyncFunction(`return (\n${text}\n);`);
    return undefined;
  } catch (err) {
    return `Not a valid JavaScript expression: ${(err as Error).message}`;
  }
}

/** Parses (never runs) a TypeScript expression with esbuild, which the runner uses as well. */
function checkTypeScript(text: string): string | undefined {
  try {
    transformSync(`(async () => (\n${text}\n));`, { loader: 'ts', logLevel: 'silent' });
    return undefined;
  } catch (err) {
    const first = (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? (err as Error).message;
    return `Not a valid TypeScript expression: ${first}`;
  }
}

function checkPythonShape(text: string): string | undefined {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < text.length && !text.startsWith(quote, j)) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return `Unterminated string starting at column ${i + 1}.`;
      i = j + quote.length - 1;
    } else if (ch === '#') {
      return 'Comments are not allowed in an inputs expression.';
    } else if ('([{'.includes(ch)) {
      stack.push(ch);
    } else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) return `Unbalanced "${ch}" at column ${i + 1}.`;
    }
  }
  if (stack.length > 0) return `Unclosed "${stack[stack.length - 1]}".`;
  if (/^(def|class|import|from|for|while|if|with|return)\b/.test(text))
    return 'Enter an expression (e.g. [x for x in range(8)]), not a statement.';
  return undefined;
}
