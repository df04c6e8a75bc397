/**
 * The module-level variables of the user's modules (the target file and the local modules it
 * imports, not packages) that the calls might update (`let total = 0`, `const seen = []`), found
 * by a line scan as the function scanner finds functions: a declaration that starts in column 0.
 * Every worker thread and process loads its own copy of the module, so what a call adds to one is
 * not seen by the others (moduleValues.ts measures it). Each comes with where it is declared and
 * the first line that updates it, for the warnings to point at.
 */
import * as path from 'node:path';
import type { SourceLocation } from '../../core/model';
import { CLASS_DECLARATION } from '../../core/functionScanner';
import { VALUES_KEY } from './loadBundle';

export interface ModuleBinding {
  /** The variable as the module names it. */
  variable: string;
  /** How the report names it: the variable, or with its file's name where two modules use one name. */
  name: string;
  /** What workers tell it by: its file and variable. */
  key: string;
  /** Where it is declared. */
  location: SourceLocation;
  /** The first line that updates it inside a function, and that line's code. */
  updateSite?: SourceLocation;
  updateCode?: string;
  /**
   * That update only stores into it (`seen.push(x)`, `cache.set(n, v)`), never reading it back as
   * a tally does (`counts[k] = (counts[k] ?? 0) + 1`, `hits[k]++`): a memo cache or a log.
   */
  storesOnly?: boolean;
  /**
   * For an object of a class (`const bank = new Account()`): the first update of each number
   * property that reads it back, in the class's methods (`this.balance += amount`) or on the
   * variable (`bank.balance += 1`), by property. Workers tell such a property as `key.property`.
   */
  memberUpdates?: Record<string, { site: SourceLocation; code: string }>;
  /** The class the object is made of, where another module declares it (`withImportedClasses`). */
  classElsewhere?: string;
}

type MemberUpdates = Record<string, { site: SourceLocation; code: string }>;

/** More than this many in one module are not one lesson's counters but the module's data. */
export const MAX_BINDINGS = 20;

const DECLARATION = /^(?:export\s+)?(?:let|var|const)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?(?:=|;|$)/;
const RESERVED = new Set(['await', 'yield', 'let', 'static', 'enum', 'implements', 'interface', 'package', 'private', 'protected', 'public']);

export function moduleBindings(source: string, file: string): ModuleBinding[] {
  const lines = source.split('\n');
  const found: ModuleBinding[] = [];
  for (let i = 0; i < lines.length && found.length < MAX_BINDINGS; i++) {
    const name = DECLARATION.exec(lines[i])?.[1];
    // A function held in a variable is a function to call, not a value the calls share.
    if (!name || RESERVED.has(name) || found.some((b) => b.variable === name) || /=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[\w$]+\s*=>)/.test(lines[i])) continue;
    const update = updateOf(lines, name, i + 1);
    const made = /=\s*new\s+([A-Za-z_$][\w$]*)\s*\(/.exec(lines[i])?.[1];
    const inClass = made ? classUpdates(lines, made, file) : undefined;
    const members = made && { ...propertyUpdates(lines, name, file), ...inClass };
    found.push({
      variable: name,
      name,
      key: `${file}#${name}`,
      location: { file, line: i + 1 },
      ...(update && { updateSite: { file, line: update.line + 1 }, updateCode: update.code }),
      ...(update && !readsBack(update.statement, name) && { storesOnly: true }),
      ...(members && Object.keys(members).length > 0 && { memberUpdates: members }),
      ...(made && !inClass && { classElsewhere: made }),
    });
  }
  return found;
}

/** An identifier as it stands in a regular expression (`$` is one of its characters). */
const asPattern = (name: string) => name.replace(/\$/g, '\\$');

/** Whether a trimmed line is a comment, or a comment's inner line (` * …`). */
const isComment = (code: string) => code.startsWith('//') || code.startsWith('*') || code.startsWith('/*');

/** A trimmed line as a warning quotes it: without its `;`, cut to 80 characters. */
const quoted = (code: string) => (code.length <= 80 ? code.replace(/;$/, '') : `${code.slice(0, 77)}…`);

/**
 * The first line from `from` on that updates `name` inside a function: an assignment to it or to
 * one of its items (`total += n`, `counts[k] = …`, `hits++`), or a call that adds to it
 * (`seen.push(x)`, `cache.set(k, v)`, `Atomics.add(counts, i, 1)`). An indented line, or else one
 * that defines a function on one line (a top-level `total = 0` is the module setting it up). Lines
 * that are comments are passed over; a string that happens to hold the same text is not told apart.
 */
function updateOf(lines: string[], name: string, from: number): { line: number; code: string; statement: string } | undefined {
  const n = asPattern(name);
  const updates = new RegExp(
    `(?<![\\w$.])(?:${n}(?:\\s*\\[[^\\]]*\\]|\\.[A-Za-z_$][\\w$]*)*\\s*(?:[-+*/%&|^]|\\*\\*|<<|>>>?|&&|\\|\\||\\?\\?)?=(?!=)|${n}(?:\\s*\\[[^\\]]*\\]|\\.[A-Za-z_$][\\w$]*)*\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*${n}\\b|${n}\\.(?:push|unshift|splice|add|set|delete|clear|pop|shift|fill)\\s*\\(|Atomics\\.(?:add|sub|and|or|xor|store|exchange|compareExchange)\\s*\\(\\s*${n}\\b)`,
  );
  const inFunction = [(line: string) => /^\s/.test(line), (line: string) => /\bfunction\b|=>/.test(line)];
  for (const where of inFunction) {
    for (let i = from; i < lines.length; i++) {
      const line = lines[i];
      const code = line.trim();
      if (!where(line) || isComment(code)) continue;
      const found = updates.exec(line);
      // The update's own statement, from the update on: `cache.set(n, v)` of `if (!cache.has(n)) cache.set(n, v)`.
      const statement = found && line.slice(found.index).split(';')[0];
      if (statement) return { line: i, code: quoted(code), statement };
    }
  }
  return undefined;
}

/** A line's update of a property of `holder` that reads it back: `holder.x += …`, `holder.x++`, `holder.x = holder.x + …`. */
const propertyStep = (holder: string) =>
  new RegExp(`(?:\\+\\+|--)\\s*${holder}\\.([A-Za-z_$][\\w$]*)|(?<![\\w$.])${holder}\\.([A-Za-z_$][\\w$]*)\\s*(?:\\+\\+|--|(?:[-+*/%&|^]|\\*\\*|<<|>>>?)=(?!=)|=(?!=).*(?<![\\w$.])${holder}\\.\\2(?![\\w$]))`);

/** The first such update of each property on lines[from, to) (comments passed over). */
function recordSteps(lines: string[], re: RegExp, file: string, from = 0, to = lines.length, only?: (line: string) => boolean): MemberUpdates {
  const found: MemberUpdates = {};
  for (let i = from; i < to; i++) {
    const code = lines[i].trim();
    if ((only && !only(lines[i])) || isComment(code)) continue;
    const hit = re.exec(lines[i]);
    const property = hit?.[1] ?? hit?.[2];
    if (property && !found[property]) found[property] = { site: { file, line: i + 1 }, code: quoted(code) };
  }
  return found;
}

/** Updates of `name`'s properties in functions (indented lines): `bank.balance++`. */
function propertyUpdates(lines: string[], name: string, file: string): MemberUpdates {
  return recordSteps(lines, propertyStep(asPattern(name)), file, 0, lines.length, (line) => /^\s/.test(line));
}

/**
 * Updates of its own properties in the body of class `className` (`this.balance += amount`), or
 * undefined where these lines do not declare it.
 */
function classUpdates(lines: string[], className: string, file: string): MemberUpdates | undefined {
  const declared = lines.findIndex((line) => CLASS_DECLARATION.exec(line)?.[1] === className);
  if (declared < 0) return undefined;
  let end = declared + 1;
  while (end < lines.length && !/^}/.test(lines[end])) end++;
  return recordSteps(lines, propertyStep('this'), file, declared + 1, end);
}

/**
 * An object made of a class another of the user's modules declares (`import { Account } from
 * './account'`): that module's `this.balance += amount` too. `sources`: each module's text, by path.
 */
export function withImportedClasses(bindings: ModuleBinding[], sources: Map<string, string>): ModuleBinding[] {
  return bindings.map((binding) => {
    if (!binding.classElsewhere) return binding;
    for (const [file, text] of sources) {
      const inClass = classUpdates(text.split('\n'), binding.classElsewhere, file);
      if (inClass) return { ...binding, memberUpdates: { ...binding.memberUpdates, ...inClass } };
    }
    return binding;
  });
}

/** Whether an update statement reads the variable back: `++`, `--`, an arithmetic compound assignment, or its name twice. */
function readsBack(line: string, name: string): boolean {
  const n = asPattern(name);
  const mentions = line.match(new RegExp(`(?<![\\w$.])${n}(?![\\w$])`, 'g'))?.length ?? 0;
  // Not `??=`, `||=` or `&&=`: those store only where nothing is there yet, as a memo cache does.
  // An item or a property on the way: `counts[k] += 1`, `totals.paid += 1`, `stats.hits++`.
  const steps = new RegExp(`(?<![\\w$.])${n}(?:\\s*\\[[^\\]]*\\]|\\.[A-Za-z_$][\\w$]*)*\\s*(?:\\+\\+|--|(?:[-+*/%&|^]|\\*\\*|<<|>>>?)=)|(?:\\+\\+|--)\\s*${n}(?![\\w$])`);
  return mentions >= 2 || steps.test(line);
}

/**
 * A line appended to a module of the user's, which gives the workers a reader for each of its
 * variables from inside it (loadBundle.ts, VALUES_KEY): one function per variable, which gives
 * undefined for a name that turns out not to be a top-level binding.
 */
export function bindingsHook(bindings: ModuleBinding[]): string {
  if (bindings.length === 0) return '';
  const readers = bindings.map(({ key, variable }) => `${JSON.stringify(key)}: () => (typeof ${variable} === "undefined" ? undefined : ${variable})`);
  return `\n;Object.assign((globalThis[${JSON.stringify(VALUES_KEY)}] ??= {}), { ${readers.join(', ')} });\n`;
}

/** Each variable's name in the report: the file's name with it where two modules use one name. */
export function nameUniquely(bindings: ModuleBinding[]): ModuleBinding[] {
  const uses = new Map<string, number>();
  for (const { variable } of bindings) uses.set(variable, (uses.get(variable) ?? 0) + 1);
  return bindings.map((b) => (uses.get(b.variable)! > 1 ? { ...b, name: `${path.basename(b.location.file)}:${b.variable}` } : b));
}
