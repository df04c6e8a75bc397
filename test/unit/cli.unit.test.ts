/**
 * The command line: the table, the report and trace files, and one clear line for bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, fixture } from './engineKit';
import type { Report } from '../../src/core/model';

function cli(...args: string[]) {
  return cliIn(ROOT, ...args);
}

function cliIn(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-cli-'));

test('the README way, npx parallel-profiler in a checkout, runs the built CLI', () => {
  const result = spawnSync('npx', ['--no-install', 'parallel-profiler', 'profile', 'examples/primes.ts', 'countPrimes', '--inputs', '[20_000, 21_000]', '--strategies', 'sequential'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^sequential\s+1\s/m);
});

for (const file of ['src/job.cjs', 'src/job.py']) {
  test(`the code runs in the folder the command is given in, as \`node\` or \`python\` would run it there (${file})`, () => {
    const result = cliIn(fixture('workdir'), 'profile', file, 'total', '--inputs', '[1, 2]', '--workers', '2', '--json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    for (const run of report.runs) assert.deepEqual(run.tasks.map((t) => t.resultPreview ?? t.digest), ['6', '12'], run.strategy);
  });
}

test('--json prints the whole report, also into a pipe (over the 64 KB a pipe holds)', () => {
  const result = cli('profile', 'examples/primes.ts', 'countPrimes', '--inputs', 'Array(300).fill(100)', '--workers', '2', '--json');
  assert.equal(result.code, 0, result.stderr);
  assert.ok(result.stdout.length > 65_536, `${result.stdout.length} characters: too few to tell`);
  const report = JSON.parse(result.stdout) as Report;
  assert.deepEqual(report.runs.map((r) => r.tasks.length), [300, 300, 300]);
});

test('profile prints the table and verdict and writes the report and a Chrome trace', () => {
  const out = path.join(scratch, 'report.json');
  const trace = path.join(scratch, 'trace.json');
  const result = cli('profile', 'examples/primes.ts', 'countPrimes', '--inputs', 'Array.from({length: 4}, (_, i) => 20_000 + i * 1_000)', '--workers', '2', '--out', out, '--trace', trace);
  assert.equal(result.code, 0, result.stderr);
  for (const column of ['strategy', 'workers', 'wall ms', 'CPU ms', 'speedup', 'efficiency', 'utilization', 'lost updates', 'warnings']) {
    assert.ok(result.stdout.includes(column), `column ${column}`);
  }
  assert.match(result.stdout, /^sequential\s+1\s/m);
  assert.match(result.stdout, /^threads\s+2\s/m);
  assert.match(result.stdout, /^processes\s+2\s/m);
  assert.match(result.stdout, /Verdict: .+\./);

  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
  assert.equal(report.version, 1);
  assert.deepEqual(Object.keys(report.target).sort(), ['file', 'language', 'name']);
  assert.equal(report.target.language, 'typescript');
  assert.ok(report.machine.cpus > 0 && report.machine.platform && report.machine.runtime);
  assert.deepEqual(report.inputs, { expression: 'Array.from({length: 4}, (_, i) => 20_000 + i * 1_000)', count: 4, spread: false });
  for (const r of report.runs) {
    for (const key of ['strategy', 'workers', 'wallMs', 'cpuMs', 'lanes', 'tasks', 'locks', 'counter', 'metrics']) assert.ok(key in r, key);
    for (const key of ['speedup', 'efficiency', 'utilization']) assert.ok(key in r.metrics, key);
    for (const t of r.tasks) for (const key of ['index', 'lane', 'queuedMs', 'startMs', 'endMs', 'status']) assert.ok(key in t, key);
    for (const l of r.lanes) for (const key of ['id', 'pid', 'threadId', 'spawnMs', 'exitMs', 'exitCode']) assert.ok(key in l, key);
  }

  // Trace: one process per run, one thread per lane, one complete slice per task.
  const { traceEvents } = JSON.parse(fs.readFileSync(trace, 'utf8')) as { traceEvents: { name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; cat?: string }[] };
  const processNames = traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
  assert.equal(processNames.length, 3);
  const threadNames = traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  assert.equal(threadNames.length, report.runs.reduce((n, r) => n + r.lanes.length, 0));
  const slices = traceEvents.filter((e) => e.ph === 'X' && e.cat?.startsWith('task'));
  assert.equal(slices.length, 12);
  for (const s of slices) {
    assert.ok(Number.isInteger(s.ts) && Number.isInteger(s.dur) && s.dur! >= 0);
    assert.ok(threadNames.some((t) => t.pid === s.pid && t.tid === s.tid), 'slice on a named thread');
  }
  assert.ok(traceEvents.some((e) => e.cat === 'startup'), 'start-up slices');
});

test('trace converts a saved report', () => {
  const out = path.join(scratch, 'report.json');
  const trace = path.join(scratch, 'again.json');
  const result = cli('trace', out, '--out', trace);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(JSON.parse(fs.readFileSync(trace, 'utf8')).traceEvents.length > 0);
});

test('--help names the dotted names a function can be reached by', () => {
  const result = cli('--help');
  assert.equal(result.code, 0);
  assert.match(result.stdout, /<function> +a top-level function, or a dotted name below it: Shape\.double/);
});

test('functions lists what can be profiled', () => {
  const result = cli('functions', fixture('throws.ts'));
  assert.equal(result.code, 0);
  assert.equal(result.stdout, '4\tfailOnOdd(n)\n12\treturnsFunction(n)\n18\tstateful(n)\n24\tworkerDependent(n)\n29\tsymbolUnlessZero(n)\n');
});

const badInputs: { name: string; args: string[]; message: RegExp }[] = [
  { name: 'missing file', args: ['profile', 'nope.ts', 'f', '--inputs', '[1]'], message: /nope\.ts: no such file/ },
  { name: 'not a supported file', args: ['profile', 'package.json', 'f', '--inputs', '[1]'], message: /not a JavaScript, TypeScript or Python file/ },
  { name: 'no such function', args: ['profile', fixture('throws.ts'), 'nothere', '--inputs', '[1]'], message: /no top-level function "nothere" .*functions found: failOnOdd, returnsFunction, stateful, workerDependent/ },
  { name: 'a method', args: ['profile', fixture('methods.ts'), 'price', '--inputs', '[1]'], message: /no top-level function "price" in .*methods\.ts; "price" is an instance method of class Pricer \(line \d+\), which needs its object, and an object cannot be sent to a worker: profile a top-level function that makes the object and calls the method; functions found: total/ },
  { name: 'a static method by its own name', args: ['profile', fixture('methods.ts'), 'half', '--inputs', '[1]'], message: /no top-level function "half" in .*methods\.ts; "half" is defined inside class Pricer \(line \d+\): name it Pricer\.half; functions found: total/ },
  { name: 'a nested function', args: ['profile', fixture('methods.ts'), 'add', '--inputs', '[1]'], message: /"add" is defined inside function total \(line \d+\)/ },
  { name: 'an instance method by its dotted name', args: ['profile', fixture('methods.ts'), 'Pricer.price', '--inputs', '[1]'], message: /no top-level function "Pricer\.price" in .*methods\.ts: a dotted name reaches a static method .*; an instance method needs its object, which cannot be sent to a worker/ },
  { name: 'a reserved word for a name', args: ['profile', fixture('throws.ts'), 'default', '--inputs', '[1]'], message: /no top-level function "default" .*functions found: failOnOdd/ },
  { name: 'syntax error', args: ['profile', fixture('syntaxError.ts'), 'broken', '--inputs', '[1]'], message: /syntaxError\.ts:2: / },
  { name: 'inputs do not parse', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1,'], message: /the inputs expression does not parse/ },
  { name: 'inputs throw', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', 'JSON.parse("{")'], message: /the inputs expression threw: SyntaxError/ },
  { name: 'top-level code throws', args: ['profile', fixture('loadThrows.ts'), 'never', '--inputs', '[1]'], message: /loadThrows\.ts: the module's top-level code threw while loading: Error: cannot start: no settings \(.*loadThrows\.ts:6\)/ },
  { name: 'a package that is not installed', args: ['profile', fixture('missingPackage.cjs'), 'use', '--inputs', '[1]'], message: /missingPackage\.cjs: the module's top-level code threw while loading: Error: Cannot find module 'no-such-package-pp' \(.*missingPackage\.cjs:3\)$/m },
  { name: 'inputs from a promise that rejects', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', 'await Promise.reject(new Error("offline"))'], message: /: the inputs expression threw: Error: offline; fix the expression$/m },
  { name: 'inputs throw in the expression itself', args: ['profile', fixture('stacks.ts'), 'ownStack', '--inputs', 'countDown(nope)'], message: /: the inputs expression threw: ReferenceError: nope is not defined; fix the expression$/m },
  { name: 'inputs throw in the module', args: ['profile', fixture('stacks.ts'), 'ownStack', '--inputs', 'countDown(-1)'], message: /the inputs expression threw: Error: negative count -1 \(.*stacks\.ts:29\); fix the expression/ },
  { name: 'inputs from an async generator that throws', args: ['profile', fixture('stacks.ts'), 'ownStack', '--inputs', 'countUp(5, 2)'], message: /the inputs expression threw while its values were read: Error: cursor lost after 2 \(.*stacks\.ts:36\); fix the expression/ },
  { name: 'inputs not iterable', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '42'], message: /the inputs expression gave a number, not a list/ },
  { name: 'empty inputs', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[]'], message: /gave an empty list/ },
  { name: 'spread of a non-array', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--spread'], message: /with --spread every input must be an array of arguments, but input #0 is a number/ },
  { name: 'unknown strategy', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--strategies', 'threads,gpu'], message: /unknown strategy "gpu"; choose from sequential, threads, processes/ },
  { name: 'bad worker count', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--workers', 'two'], message: /--workers must be a whole number above 0/ },
  { name: 'no inputs flag', args: ['profile', fixture('throws.ts'), 'failOnOdd'], message: /--inputs is required/ },
  // Checked before the profile runs: found after it, the work was lost to an "internal error".
  { name: '--out in a missing folder', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--out', '/no-such-pp-folder/r.json'], message: /--out \/no-such-pp-folder\/r\.json: the folder \/no-such-pp-folder does not exist; create it or choose another path/ },
  { name: '--trace that is a folder', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--trace', 'examples'], message: /--trace examples: that is a folder; give a file name/ },
  { name: 'mistyped flag', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputz', '[1]'], message: /^parallel-profiler: unknown option --inputz; did you mean --inputs\? parallel-profiler --help lists the options$/m },
  { name: 'unknown flag', args: ['profile', fixture('throws.ts'), 'failOnOdd', '--inputs', '[1]', '--frobnicate'], message: /^parallel-profiler: unknown option --frobnicate; parallel-profiler --help lists the options$/m },
];

test('an --out path that cannot be written stops the CLI before it profiles anything', () => {
  const result = cli('profile', 'examples/primes.ts', 'countPrimes', '--inputs', '[20_000]', '--out', '/no-such-pp-folder/r.json');
  assert.equal(result.code, 2);
  assert.doesNotMatch(result.stderr, /worker\)…/, 'no run started');
});

test('a report file that still fails to be written after the profile: the result is printed all the same', () => {
  // A link to a folder that does not exist passes the checks before the profile, then fails.
  const link = path.join(scratch, 'dangling.json');
  fs.rmSync(link, { force: true });
  fs.symlinkSync('/no-such-pp-folder/r.json', link);
  const result = cli('profile', 'examples/primes.ts', 'countPrimes', '--inputs', '[20_000]', '--strategies', 'sequential', '--out', link);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^sequential\s+1\s/m, 'the table is printed');
  assert.match(result.stderr, /the result is above, but a file could not be written \(ENOENT/);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
});

for (const { name, args, message } of badInputs) {
  test(`bad input, ${name}: one line on stderr, exit code 2`, () => {
    const result = cli(...args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    const lines = result.stderr.trim().split('\n').filter((l) => !/^parallel-profiler: \w+ \(\d+ workers?\)…$/.test(l));
    assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}
