/**
 * Finds the top-level functions of a source file, cheaply enough to run on every keystroke
 * (code lenses) and to list candidates when a name is not found. A line scan, not a parser:
 * "top level" means the definition starts in column 0.
 */
import type { Language } from './model';

export interface FoundFunction {
  name: string;
  /** 0-based line of the definition. */
  line: number;
  /** Parameter names as the signature shows them (a destructured one as its pattern). */
  params: string[];
  /**
   * The parameters an input can fill by position (Python's keyword-only and **kwargs are not), a
   * destructured one as its whole pattern.
   */
  positional: string[];
  /** JS only: defined as `exports.name = …` / `module.exports.name = …` rather than a binding. */
  commonJsExport?: boolean;
  /** JS only: `export default function (…)` or `export default (…) =>`, named `default` here. */
  anonymousDefault?: boolean;
  /**
   * JS only: a CommonJS module that exports one function, `module.exports = function (…)`; named by
   * the function's own name, or `default` (what an ES module importing it gets).
   */
  moduleExports?: boolean;
}

/** How a JS definition is exported, when the bundle must reach it other than by its name. */
type ExportForm = Pick<FoundFunction, 'commonJsExport' | 'anonymousDefault' | 'moduleExports'>;

const JS_PATTERNS: { re: RegExp; form?: ExportForm }[] = [
  // function declarations, exported or not, async or generator
  { re: /^(?:export\s+(?:default\s+)?)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^(]*>)?\s*\(/ },
  // const f = (…) => …, const f = async function (…) …, with an optional type annotation
  {
    re: /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\s*\*?\s*[\w$]*\s*)?(?:<[^>]*>)?\s*\(/,
  },
  // const f = x => …
  { re: /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/ },
  // export default function (…) / export default async (…) =>: profiled as `default`
  { re: /^export\s+default\s+(?:async\s+)?(?:function\s*\*?\s*)?(?:<[^(]*>)?\s*\(/, form: { anonymousDefault: true } },
  // exports.f = function (…) / module.exports.f = (…) =>
  {
    re: /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\s*\*?\s*[\w$]*\s*)?\(/,
    form: { commonJsExport: true },
  },
  // module.exports = function name(…) / module.exports = async (…) => / module.exports = x =>
  { re: /^module\.exports\s*=\s*(?:async\s+)?(?:function\s*\*?\s*([A-Za-z_$][\w$]*)?\s*)?\(/, form: { moduleExports: true } },
  { re: /^module\.exports\s*=\s*(?:async\s+)?()([A-Za-z_$][\w$]*)\s*=>/, form: { moduleExports: true } },
];

const PY_PATTERN = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;

export function scanFunctions(source: string, language: Language): FoundFunction[] {
  const found: FoundFunction[] = [];
  const seen = new Set<string>();
  // Split at '\n' alone, so that each line's offset in the source holds for '\r\n' files too.
  const lines = source.split('\n');
  let offset = 0;
  for (let line = 0; line < lines.length; offset += lines[line].length + 1, line++) {
    const text = lines[line].endsWith('\r') ? lines[line].slice(0, -1) : lines[line];
    if (text.length === 0 || text[0] === ' ' || text[0] === '\t') continue;
    const hit = language === 'python' ? matchPython(text) : matchJs(text);
    if (!hit || seen.has(hit.name)) continue;
    seen.add(hit.name);
    // The parameter list may run over several lines (a formatter's long signatures).
    const raw = hit.open === undefined ? hit.single ?? '' : balanced(source, offset + hit.open) ?? '';
    const kind = language === 'python' ? 'py' : 'js';
    found.push({
      name: hit.name,
      line,
      ...describeParams(raw, kind),
      ...hit.form,
    });
  }
  return found;
}

/** A definition on a line: where its '(' is, or its single parameter (`x => …`). */
interface Hit {
  name: string;
  open?: number;
  single?: string;
  form?: ExportForm;
}

function matchJs(text: string): Hit | undefined {
  for (const { re, form } of JS_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const name = form?.anonymousDefault || (form?.moduleExports && !m[1]) ? 'default' : m[1];
    const hit: Hit = m[0].endsWith('(') ? { name, open: m[0].length - 1 } : { name, single: m[2] };
    return { ...hit, form };
  }
  return undefined;
}

function matchPython(text: string): Hit | undefined {
  const m = PY_PATTERN.exec(text);
  return m ? { name: m[1], open: m[0].length - 1 } : undefined;
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/** Whether a bracket opens at `i`: ( [ {, or < as a generic's (after a name, before a name). */
function opensAt(text: string, i: number): boolean {
  const c = text[i];
  return c === '(' || c === '[' || c === '{' || (c === '<' && /[\w$]/.test(text[i - 1] ?? '') && /[\s\w${[]/.test(text[i + 1] ?? ''));
}

/**
 * The text inside the brackets that open at `at`, up to the matching close, skipping strings; a
 * few thousand characters at most.
 */
function balanced(source: string, at: number): string | undefined {
  const stack: string[] = [];
  const end = Math.min(source.length, at + 4000);
  for (let i = at; i < end; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      const close = source.indexOf(c, i + 1);
      if (close === -1) return undefined;
      i = close;
    } else if (opensAt(source, i)) {
      stack.push(CLOSING[c]);
    } else if (c === stack[stack.length - 1] && !(c === '>' && source[i - 1] === '=')) {
      stack.pop();
      if (stack.length === 0) return source.slice(at + 1, i);
    }
  }
  return undefined;
}

/** Splits at the commas outside any brackets (each bracket skipped to its match by `balanced`). */
export function topLevelParts(raw: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"' || c === "'" || c === '`') {
      const close = raw.indexOf(c, i + 1);
      i = close === -1 ? raw.length : close;
    } else if (opensAt(raw, i)) {
      const inner = balanced(raw, i);
      i = inner === undefined ? raw.length : i + inner.length + 1;
    } else if (c === ',') {
      parts.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(raw.slice(start));
  return parts.map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/**
 * Parameter names: types and defaults dropped, a destructured parameter shown as its pattern.
 * Python's `self`/`cls`, `/` and `*` are not parameters; what follows `*` or `*args` is keyword-only.
 */
function describeParams(raw: string, kind: 'js' | 'py'): { params: string[]; positional: string[] } {
  const params: string[] = [];
  const positional: string[] = [];
  let keywordOnly = false;
  for (const part of topLevelParts(raw)) {
    if (kind === 'py' && (part === 'self' || part === 'cls' || part === '/')) continue;
    if (kind === 'py' && part === '*') {
      keywordOnly = true;
      continue;
    }
    const pattern = /^(?:\.\.\.)?([{[])/.exec(part);
    let name: string;
    let whole: string;
    if (kind === 'js' && pattern) {
      const inner = balanced(part, part.indexOf(pattern[1])) ?? '';
      whole = `${pattern[1]} ${inner.replace(/\s+/g, ' ').trim()} ${CLOSING[pattern[1]]}`;
      name = whole.length <= 24 ? whole : `${pattern[1]}…${CLOSING[pattern[1]]}`;
    } else {
      name = whole = part.replace(/^\.\.\.|^\*\*?/, '').split(/[:=?]/)[0].trim();
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) continue;
    }
    params.push(name);
    if (kind === 'py' && part.startsWith('**')) continue;
    if (!keywordOnly) positional.push(whole);
    if (kind === 'py' && part.startsWith('*')) keywordOnly = true;
  }
  return { params, positional };
}

/** A JS class declared at the top level (column 0), and its name. */
export const CLASS_DECLARATION = /^(?:export\s+(?:default\s+)?)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/;

/**
 * Where a JS function `name` is defined below the top level — a class's method or a nested
 * function — and the top-level class or function around it, if any. For the error when a name is
 * not a top-level function; a line scan like `scanFunctions`.
 */
export function whereNested(source: string, name: string): { line: number; inside?: string; dotted?: string; instanceMethod?: boolean } | undefined {
  const id = name.replace(/\$/g, '\\$');
  // A method or function declaration: its body opens on the line, or its parameters go on to the
  // next; not a call such as `run(x);`.
  const declared = new RegExp(`^\\s+(?:(?:static|async|get|public|private|protected|override)\\s+)*(?:function\\s*\\*?\\s*|\\*\\s*)?${id}\\s*(?:<[^(]*>)?\\((?:.*\\)[^;]*\\{.*|.*[(,]\\s*)$`);
  const assigned = new RegExp(`^\\s+(?:(?:const|let|var)\\s+|(?:(?:static|public|private|protected|readonly|override)\\s+)*)${id}\\s*(?::[^=]+)?=\\s*(?:async\\s+)?(?:function\\b|\\(|[A-Za-z_$][\\w$]*\\s*=>)`);
  let inside: string | undefined;
  // The name of the top-level class or object a member of which the profiler reaches by a dotted
  // name (a static method, an object's function), as `Owner.name`.
  let owner: { name: string; isClass: boolean } | undefined;
  const lines = source.split('\n');
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line].replace(/\r$/, '');
    if (/^[^\s/}*)\]]/.test(text)) {
      // A new top-level statement: a class, a function, or something else (an object, a call).
      const cls = CLASS_DECLARATION.exec(text);
      const fn = cls ? undefined : matchJs(text);
      const binding = cls || fn ? undefined : /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)/.exec(text);
      inside = cls ? `class ${cls[1]}` : fn ? `function ${fn.name}` : binding ? binding[1] : undefined;
      owner = cls ? { name: cls[1], isClass: true } : binding && /=\s*\{\s*$/.test(text) ? { name: binding[1], isClass: false } : undefined;
    } else if (declared.test(text) || assigned.test(text)) {
      // A class's static method, or a function of a top-level object literal, one level in.
      const oneIn = owner !== undefined && /^(\s+)/.exec(text)![1].length <= 4;
      const isStatic = /^\s+(?:(?:public|private|protected|override|async)\s+)*static\s/.test(text);
      if (oneIn && owner!.isClass && !isStatic) return { line, inside, instanceMethod: true };
      return { line, inside, ...(oneIn && { dotted: `${owner!.name}.${name}` }) };
    }
  }
  return undefined;
}

export function languageOf(file: string): Language | undefined {
  if (/\.(ts|mts|cts|tsx)$/.test(file)) return 'typescript';
  if (/\.(js|mjs|cjs|jsx)$/.test(file)) return 'javascript';
  if (/\.py$/.test(file)) return 'python';
  return undefined;
}
