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
  params: string[];
  /** JS only: defined as `exports.name = …` / `module.exports.name = …` rather than a binding. */
  commonJsExport?: boolean;
}

const JS_PATTERNS: { re: RegExp; commonJsExport?: boolean }[] = [
  // function declarations, exported or not, async or generator
  { re: /^(?:export\s+(?:default\s+)?)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(([^)]*)/ },
  // const f = (…) => …, const f = async function (…) …, with an optional type annotation
  {
    re: /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\s*\*?\s*[\w$]*\s*)?(?:<[^>]*>)?\s*\(([^)]*)/,
  },
  // const f = x => …
  { re: /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/ },
  // exports.f = function (…) / module.exports.f = (…) =>
  {
    re: /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\s*\*?\s*[\w$]*\s*)?\(([^)]*)/,
    commonJsExport: true,
  },
];

const PY_PATTERN = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(([^)]*)/;

export function scanFunctions(source: string, language: Language): FoundFunction[] {
  const found: FoundFunction[] = [];
  const seen = new Set<string>();
  const lines = source.split(/\r?\n/);
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line];
    if (text.length === 0 || text[0] === ' ' || text[0] === '\t') continue;
    const hit = language === 'python' ? matchPython(text) : matchJs(text);
    if (hit && !seen.has(hit.name)) {
      seen.add(hit.name);
      found.push({ ...hit, line });
    }
  }
  return found;
}

function matchJs(text: string): Omit<FoundFunction, 'line'> | undefined {
  for (const { re, commonJsExport } of JS_PATTERNS) {
    const m = re.exec(text);
    if (m) return { name: m[1], params: splitParams(m[2], 'js'), ...(commonJsExport ? { commonJsExport } : {}) };
  }
  return undefined;
}

function matchPython(text: string): Omit<FoundFunction, 'line'> | undefined {
  const m = PY_PATTERN.exec(text);
  return m ? { name: m[1], params: splitParams(m[2], 'py') } : undefined;
}

/** Parameter names only: types, defaults and destructuring are dropped. */
function splitParams(raw: string, kind: 'js' | 'py'): string[] {
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && p !== '*' && p !== '/' && !(kind === 'py' && (p === 'self' || p === 'cls')))
    .map((p) => p.replace(/^\.\.\.|^\*\*?/, '').split(/[:=?]/)[0].trim())
    .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
}

export function languageOf(file: string): Language | undefined {
  if (/\.(ts|mts|cts|tsx)$/.test(file)) return 'typescript';
  if (/\.(js|mjs|cjs|jsx)$/.test(file)) return 'javascript';
  if (/\.py$/.test(file)) return 'python';
  return undefined;
}
