import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type MochaType from 'mocha';
import { RESULTS_ENV, type InHostResults, type TestOutcome } from './results';

// mocha 12 is an ES module whose CommonJS build lives at lib/mocha.cjs; the entry bundles that, so
// it loads in extension hosts whose Node cannot require() ES modules, from any folder.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha: typeof MochaType = require('mocha/lib/mocha.cjs');

/** Options for one in-host run. */
export interface RunSuitesOptions {
  /** Folder holding the bundled `*.test.js` suites (the entry's own folder). */
  dir: string;
  /** Per-test timeout; VS Code operations (activation, code lenses) can take seconds. */
  timeoutMs?: number;
  /** Only tests whose full title matches. */
  grep?: string;
}

/**
 * Loads every `*.test.js` suite in `dir` into one mocha (BDD) run inside the extension host,
 * writes the results file (and a line per test to `<results>.log`), and rejects when any test
 * failed so desktop runners (@vscode/test-electron) see the failure too.
 */
export async function runSuites(options: RunSuitesOptions): Promise<InHostResults> {
  const resultsFile = process.env[RESULTS_ENV] || join(options.dir, 'results.json');
  const logFile = `${resultsFile}.log`;
  writeFileSync(logFile, '');
  const say = (line: string): void => {
    appendFileSync(logFile, `${line}\n`);
    console.log(line);
  };
  const results: InHostResults = { passed: 0, failed: 0, pending: 0, tests: [] };
  const finish = (): InHostResults => {
    writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    return results;
  };

  const grep = options.grep ?? process.env.PP_TEST_GREP;
  // Base collects stats and prints nothing; runSuites reports through the runner's events itself.
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: options.timeoutMs ?? 60_000, reporter: Mocha.reporters.Base });
  if (grep) mocha.grep(grep);
  const files = readdirSync(options.dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(options.dir, f));
  if (files.length === 0) {
    results.fatal = `no *.test.js suites in ${options.dir}`;
    say(results.fatal);
    finish();
    throw new Error(results.fatal);
  }
  // What mocha's own loader does per file, done here with plain require (the suites are CommonJS
  // bundles), so no ES module loading is involved. A suite that fails to load is one failure; the
  // others still run.
  for (const file of files) {
    try {
      mocha.suite.emit('pre-require', globalThis, file, mocha);
      mocha.suite.emit('require', require(file), file, mocha);
      mocha.suite.emit('post-require', globalThis, file, mocha);
    } catch (error) {
      const entry: TestOutcome = { title: `${basename(file)} (loading the suite)`, state: 'failed', error: errorText(error) };
      results.failed++;
      results.tests.push(entry);
      say(`FAIL ${entry.title}`);
      say(indent(entry.error ?? ''));
    }
  }

  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    const record = (test: MochaType.Test, outcome: Omit<TestOutcome, 'title'>): void => {
      const entry: TestOutcome = { title: test.titlePath().join(' › '), ...outcome };
      results.tests.push(entry);
      const mark = entry.state === 'passed' ? 'ok  ' : entry.state === 'failed' ? 'FAIL' : 'skip';
      say(`${mark} ${entry.title}${entry.durationMs !== undefined ? ` (${entry.durationMs} ms)` : ''}`);
      if (entry.error) say(indent(entry.error));
    };
    runner.on('pass', (test) => {
      results.passed++;
      record(test, { state: 'passed', durationMs: test.duration });
    });
    runner.on('fail', (test, error) => {
      results.failed++;
      record(test as MochaType.Test, { state: 'failed', error: errorText(error) });
    });
    runner.on('pending', (test) => {
      results.pending++;
      record(test, { state: 'pending' });
    });
  });
  say(`${results.passed} passed, ${results.failed} failed, ${results.pending} skipped`);
  finish();
  if (results.failed > 0) throw new Error(`${results.failed} in-host test(s) failed`);
  return results;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}
