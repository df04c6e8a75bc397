/**
 * `parallel-profiler`: the command-line interface over the engine.
 *   parallel-profiler profile <file> <function> --inputs <expression> [options]
 *   parallel-profiler functions <file>
 *   parallel-profiler trace <report.json> --out <trace.json>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { STRATEGIES, type Report, type StrategyName } from './core/model';
import { EXIT_BAD_INPUT } from './core/protocol';
import { startProfile, type ProfileRequest } from './core/profile';
import { languageOf, scanFunctions } from './core/functionScanner';
import { formatSummary } from './core/textSummary';
import { toChromeTrace } from './core/chromeTrace';

const USAGE = `usage:
  parallel-profiler profile <file> <function> --inputs <expression> [options]
      <function>             a top-level function, or a dotted name below it: Shape.double (a static
                             method or an object's function; in Python, any method)
      --inputs <expr>        expression in the file's language giving the list of inputs (one per task)
      --spread               each input is an array of arguments (starmap) instead of the single argument
      --strategies <list>    comma-separated: sequential,threads,processes (default: all)
      --workers <n>          workers per pool (default: available CPUs)
      --repeat <n>           run everything n times to surface intermittent races (default 1)
      --task-timeout <ms>    stop a task that runs longer (default: none)
      --hang-timeout <ms>    stop when nothing progresses this long (default 10000)
      --python <path>        Python interpreter for .py targets (default python3)
      --start-method <m>     Python process start method: fork, spawn or forkserver
      --node <path>          Node.js executable for JS/TS targets (default: this one)
      --out <file>           write the report (JSON)
      --trace <file>         write a Chrome trace (open in Perfetto or chrome://tracing)
      --json                 print the report as JSON instead of the table
  parallel-profiler functions <file>          list the top-level functions of a file
  parallel-profiler trace <report.json> --out <trace.json>`;

class UsageError extends Error {}

function fail(message: string): never {
  process.stderr.write(`parallel-profiler: ${message}\n`);
  process.exit(EXIT_BAD_INPUT);
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

function parseStrategies(value: string | undefined): StrategyName[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!STRATEGIES.includes(name as StrategyName)) {
      throw new UsageError(`unknown strategy "${name}"; choose from ${STRATEGIES.join(', ')}`);
    }
  }
  if (names.length === 0) throw new UsageError(`--strategies is empty; choose from ${STRATEGIES.join(', ')}`);
  return names as StrategyName[];
}

/**
 * A file to write once the work is done (`--out`, `--trace`): checked first, so that a path that
 * cannot be written is one line before the profile, not an error after it.
 */
function checkWritable(file: string | undefined, flag: string): void {
  if (file === undefined) return;
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder)) throw new UsageError(`${flag} ${file}: the folder ${folder} does not exist; create it or choose another path`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`${flag} ${file}: that is a folder; give a file name`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: cannot write in ${folder}; choose another path`);
  }
}

/**
 * parseArgs, with an unknown option named in one line of ours: the nearest known option when one
 * is a typo away, and where the list is (Node's own message suggests a positional after "--").
 */
function parseOptions<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options });
  } catch (error) {
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec((error as Error).message)?.[1];
    if (!unknown) throw error;
    const near = Object.keys(options ?? {})
      .map((name) => ({ name: `--${name}`, distance: editDistance(unknown, `--${name}`) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const guess = near && near.distance <= 2 ? `did you mean ${near.name}? ` : '';
    throw new UsageError(`unknown option ${unknown}; ${guess}parallel-profiler --help lists the options`);
  }
}

/** Levenshtein distance: how many letters to change, add or drop to turn a into b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

async function profile(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    inputs: { type: 'string' },
    spread: { type: 'boolean' },
    strategies: { type: 'string' },
    workers: { type: 'string' },
    repeat: { type: 'string' },
    'task-timeout': { type: 'string' },
    'hang-timeout': { type: 'string' },
    python: { type: 'string' },
    'start-method': { type: 'string' },
    node: { type: 'string' },
    out: { type: 'string' },
    trace: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [file, name] = positionals;
  if (!file || !name) throw new UsageError('profile needs a file and a function name: parallel-profiler profile <file> <function> --inputs <expression>');
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file; check the path`);
  const language = languageOf(file);
  if (!language) throw new UsageError(`${file}: not a JavaScript, TypeScript or Python file`);
  if (values.inputs === undefined) throw new UsageError('--inputs is required: an expression giving the list of inputs, e.g. --inputs "[1, 2, 3]"');
  checkWritable(values.out, '--out');
  checkWritable(values.trace, '--trace');
  const startMethod = values['start-method'];
  if (startMethod !== undefined && !['fork', 'spawn', 'forkserver'].includes(startMethod)) {
    throw new UsageError(`--start-method must be fork, spawn or forkserver, not "${startMethod}"`);
  }
  const request: ProfileRequest = {
    target: { file, name, language },
    inputs: values.inputs,
    spread: values.spread ?? false,
    strategies: parseStrategies(values.strategies),
    workers: positiveInt(values.workers, '--workers'),
    repeat: positiveInt(values.repeat, '--repeat'),
    taskTimeoutMs: positiveInt(values['task-timeout'], '--task-timeout'),
    hangTimeoutMs: positiveInt(values['hang-timeout'], '--hang-timeout'),
    python: values.python,
    node: values.node,
    startMethod: startMethod as ProfileRequest['startMethod'],
    // The user's code runs where the command was given, as `node file` or `python file` would.
    cwd: process.cwd(),
  };
  // Progress and the user's own prints go to stderr, so stdout holds only the result.
  const handle = startProfile(request, {
    onOutput: (_stream, text) => process.stderr.write(text),
    onEvent: (event) => {
      if (event.type === 'run-start') {
        process.stderr.write(`parallel-profiler: ${event.strategy} (${event.workers} worker${event.workers === 1 ? '' : 's'})…\n`);
      }
    },
  });
  let interrupted = false;
  let exitCode = 130;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nparallel-profiler: cancelling (Ctrl+C again to quit at once)…\n');
    handle.cancel();
  });
  // Stopped from outside (a job's time limit, a closed terminal): cancelled as by Ctrl+C, so the
  // runner's process group, which is not this one's, goes too, and the partial report is written.
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      interrupted = true;
      exitCode = code;
      handle.cancel();
    });
  }
  const outcome = await handle.done;
  if (!outcome.ok) fail(outcome.error);
  // The result first: should a file still fail to be written (a full disk), the work is not lost.
  process.stdout.write((values.json ? JSON.stringify(outcome.report, null, 2) : formatSummary(outcome.report)) + '\n');
  try {
    writeOutputs(outcome.report, values.out, values.trace);
  } catch (error) {
    process.stderr.write(`parallel-profiler: the result is above, but a file could not be written (${(error as Error).message})\n`);
    return 1;
  }
  return interrupted ? exitCode : 0;
}

function writeOutputs(report: Report, out?: string, trace?: string): void {
  if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2));
  if (trace) fs.writeFileSync(trace, JSON.stringify(toChromeTrace(report)));
}

function functions(args: string[]): number {
  const [file] = args;
  if (!file) throw new UsageError('functions needs a file: parallel-profiler functions <file>');
  const language = languageOf(file);
  if (!language) throw new UsageError(`${file}: not a JavaScript, TypeScript or Python file`);
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file; check the path`);
  for (const fn of scanFunctions(fs.readFileSync(file, 'utf8'), language)) {
    process.stdout.write(`${fn.line + 1}\t${fn.name}(${fn.params.join(', ')})\n`);
  }
  return 0;
}

function trace(args: string[]): number {
  const { values, positionals } = parseOptions(args, { out: { type: 'string' } });
  const [reportFile] = positionals;
  if (!reportFile || !values.out) throw new UsageError('trace needs a report and --out: parallel-profiler trace <report.json> --out <trace.json>');
  let report: Report;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report;
  } catch (error) {
    throw new UsageError(`${reportFile}: not a readable report (${(error as Error).message})`);
  }
  if (!Array.isArray(report.runs)) throw new UsageError(`${reportFile}: not a Parallel Profiler report (no runs)`);
  checkWritable(values.out, '--out');
  writeOutputs(report, undefined, values.out);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'profile':
      return profile(rest);
    case 'functions':
      return functions(rest);
    case 'trace':
      return trace(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? EXIT_BAD_INPUT : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  // Exiting at once would cut what stdout still holds: to a pipe, Node writes asynchronously, and a
  // --json report piped to another program was cut at 64 KB. The empty write's callback comes after
  // everything written before it.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: Error) => {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(error.message);
    process.stderr.write(`parallel-profiler: internal error: ${error.message}\n`);
    process.exit(1);
  },
);
