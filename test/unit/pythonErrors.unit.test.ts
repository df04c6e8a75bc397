/**
 * Bad input ends the Python harness with one `fatal` line (cause and fix) and exit code 2; what
 * cannot cross a process boundary fails only the process pool, up front; task exceptions keep the
 * user's file:line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_BAD_INPUT } from '../../src/core/protocol';
import { join } from 'node:path';
import { FIXTURES, ofType, options, runHarness, tasksOf } from './pythonKit';
import { profile } from './engineKit';

const badInputs: { name: string; opts: Parameters<typeof options>; says: RegExp }[] = [
  { name: 'missing function lists the functions found', opts: ['racyCounter.py', 'nope', '[1]'], says: /no function 'nope' in racyCounter\.py; functions found: racy, safe/ },
  { name: 'a method says which class it is in', opts: ['methods.py', 'price', '[1]'], says: /no function 'price' in methods\.py; 'price' is defined inside class Pricer \(line \d+\): profile a top-level function that calls it, or name the method Pricer\.price; functions found: total/ },
  { name: 'syntax error names file:line', opts: ['syntaxError.py', 'broken', '[1]'], says: /syntax error in syntaxError\.py:2/ },
  { name: 'import error names the module and the fix', opts: ['importError.py', 'f', '[1]'], says: /importing importError\.py failed: ModuleNotFoundError: No module named 'no_such_module_for_parallel_profiler' at importError\.py:1; fix: install/ },
  { name: 'a relative import outside a package says how to make one', opts: ['relativeImport.py', 'f', '[1]'], says: /importing relativeImport\.py failed: ImportError: attempted relative import with no known parent package at relativeImport\.py:2; fix: a relative import needs the file's folder to be a package: add an __init__\.py/ },
  { name: 'missing file', opts: ['doesNotExist.py', 'f', '[1]'], says: /file not found: .*doesNotExist\.py/ },
  { name: 'inputs expression raising', opts: ['square.py', 'square', '[1 / 0]'], says: /the inputs expression raised ZeroDivisionError: division by zero/ },
  { name: 'inputs expression awaiting a failing loader', opts: ['asyncFetch.py', 'fetch', 'await fails(3)'], says: /the inputs expression raised ValueError: no page 3; fix the expression/ },
  { name: 'inputs expression not valid Python', opts: ['square.py', 'square', '[1,'], says: /the inputs expression is not valid Python/ },
  { name: 'inputs not iterable', opts: ['square.py', 'square', '42'], says: /gave a int, which is not iterable/ },
  { name: 'empty inputs', opts: ['square.py', 'square', '[]'], says: /gave no inputs/ },
  { name: 'spread input that is not a tuple', opts: ['power.py', 'power', '[(2, 3), 5]', { spread: true }], says: /input 1 is int 5/ },
  { name: 'a name that is not a function', opts: ['cpuBound.py', '__doc__', '[1]'], says: /'__doc__' in cpuBound\.py is a str, not a function/ },
];

for (const c of badInputs) {
  test(`bad input: ${c.name} → one fatal line, exit 2`, async () => {
    const r = await runHarness(options(...c.opts));
    assert.equal(r.code, EXIT_BAD_INPUT);
    const fatal = ofType(r.events, 'fatal');
    assert.equal(fatal.length, 1);
    assert.match(fatal[0].message, c.says);
    assert.doesNotMatch(fatal[0].message, /\n/);
    assert.doesNotMatch(r.stderr, /Traceback/);
    assert.equal(ofType(r.events, 'run-start').length, 0);
  });
}

for (const [name, cause] of [['square', /lambda/], ['cube', /nested function \(make_cube\.<locals>\.cube\)/]] as const) {
  test(`pre-flight: ${name} (${cause.source}) fails only the process pool, with the fix`, async () => {
    const r = await runHarness(options('lambdaTarget.py', name, '[1, 2]'));
    assert.equal(r.code, 0, r.stderr);
    const warnings = ofType(r.events, 'warning').map((e) => e.warning);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].strategy, 'processes');
    assert.match(warnings[0].message, cause);
    assert.match(warnings[0].message, /define the function at module top level/);
    const end = ofType(r.events, 'run-end').find((e) => e.run === 2);
    assert.match(end?.aborted ?? '', /define the function at module top level/);
    assert.equal(ofType(r.events, 'worker').filter((e) => e.run === 2).length, 0, 'no process started');
    for (const run of [0, 1]) assert.ok(tasksOf(r.events, run).every((t) => t.status === 'ok'));
  });
}

test('pre-flight: an argument that cannot be pickled fails the process pool, names the input', async () => {
  const r = await runHarness(options('kindOf.py', 'kind', "[1, __import__('threading').Lock()]"));
  assert.equal(r.code, 0, r.stderr);
  const warning = ofType(r.events, 'warning')[0]?.warning;
  assert.match(warning?.message ?? '', /input 1 \(lock\) cannot be pickled/);
  assert.deepEqual(tasksOf(r.events, 0).map((t) => t.resultPreview), ["'int'", "'lock'"]);
  assert.ok(ofType(r.events, 'run-end').find((e) => e.run === 2)?.aborted);
});

test("a failed call's span ends as its exception arrives, not once the harness has described it", async () => {
  // fail_at_once raises at once an exception whose message takes 0.3 s to make.
  const r = await runHarness(options('raises.py', 'fail_at_once', '[1, 2]'));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1, 2]) {
    for (const task of tasksOf(r.events, run)) {
      assert.equal(task.error, 'SlowToSay: slow to say (raises.py:51 in fail_at_once)');
      assert.ok(task.endMs - task.startMs < 300, `run ${run}: ${task.endMs - task.startMs} ms, the 0.3 s description included`);
    }
  }
});

test('a result that cannot be pickled: error tasks in the process pool, told once in the report', async () => {
  const r = await runHarness(options('unpicklableResult.py', 'numbers', '[1, 2]'));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(tasksOf(r.events, 1).every((t) => t.status === 'ok'));
  const tasks = tasksOf(r.events, 2);
  assert.ok(tasks.every((t) => t.status === 'error' && /result \(function\) cannot be pickled/.test(t.error ?? '')));
  const report = await profile(join(FIXTURES, 'unpicklableResult.py'), 'numbers', '[1, 2]');
  const errors = report.warnings.filter((w) => w.kind === 'error');
  assert.equal(errors.length, 1, errors.map((w) => w.message).join('\n'));
  assert.match(errors[0].message, /^processes: 2 tasks failed; first: the result \(function\) cannot be pickled/);
});

test('task exceptions keep the Python file:line in every strategy', async () => {
  const r = await runHarness(options('raises.py', 'invert', '[1, 0, 2]'));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1, 2]) {
    const [one, zero, two] = tasksOf(r.events, run);
    assert.equal(one.status, 'ok');
    assert.equal(two.status, 'ok');
    assert.equal(zero.status, 'error');
    assert.match(zero.error ?? '', /^ZeroDivisionError: cannot invert zero \(raises\.py:6 in invert\)$/);
    assert.deepEqual(zero.errorLocation, { file: options('raises.py', 'f', '').file, line: 6 });
  }
});

test('an exception a ProcessPoolExecutor could not hand back says so in the process pool, with the fix', async () => {
  const r = await runHarness(options('raises.py', 'validate', '[1, 3]'));
  assert.equal(r.code, 0, r.stderr);
  for (const run of [0, 1]) assert.equal(tasksOf(r.events, run)[1].error, "ValidationError: amount is invalid: 3 (raises.py:22 in validate)");
  assert.match(
    tasksOf(r.events, 2)[1].error ?? '',
    /^ValidationError: amount is invalid: 3 \(raises\.py:22 in validate\); in a ProcessPoolExecutor this exception cannot be sent back: unpickling it fails \(TypeError: .*missing 1 required positional argument: 'value'\), and that breaks the whole pool \(BrokenProcessPool: "A process in the process pool was terminated abruptly"\); pass every argument of ValidationError\.__init__ on, super\(\)\.__init__\(field, value\), or give the class a __reduce__$/,
  );
  // Returned rather than raised, it failed the harness itself where a real pool breaks: now the task fails.
  const returned = await runHarness(options('raises.py', 'returns_error', '[1, 2]', { strategies: ['processes'] }));
  assert.equal(returned.code, 0, returned.stderr);
  for (const task of tasksOf(returned.events, 0)) {
    assert.equal(task.status, 'error');
    assert.match(task.error ?? '', /^the result cannot be handed back from a worker process: unpickling it fails \(TypeError: .*missing 1 required positional argument: 'value'\), and that breaks the whole pool \(BrokenProcessPool: .*\); give the result's class a __reduce__/);
  }
  // As an input, it crashed worker after worker (a real pool's worker dies too): now the task fails.
  const given = await runHarness(options('raises.py', 'field_of', '[ValidationError("amount", 1)] * 3', { strategies: ['sequential', 'processes'] }));
  assert.equal(given.code, 0, given.stderr);
  assert.deepEqual(tasksOf(given.events, 0).map((t) => t.status), ['ok', 'ok', 'ok']);
  for (const task of tasksOf(given.events, 1)) {
    assert.match(task.error ?? '', /^input #\d cannot be handed to a worker process: unpickling it fails \(TypeError: .*missing 1 required positional argument: 'value'\), and that breaks the whole pool .*; give the input's class a __reduce__ that recreates it whole/);
  }
  assert.equal(ofType(given.events, 'warning').filter((w) => w.warning.kind === 'crash').length, 0);
  assert.doesNotMatch(given.stderr, /TypeError/);
  const locked = await runHarness(options('raises.py', 'fail_holding_lock', '[1]', { strategies: ['processes'] }));
  assert.match(tasksOf(locked.events, 0)[0].error ?? '', /; in a ProcessPoolExecutor this exception cannot be sent back \(pickling it fails: TypeError: cannot pickle '_thread\.lock' object\), so future\.result\(\) raises that error instead of this one/);
});

test('a module that spawned workers cannot import: the process pool fails once, with the reason', async () => {
  const r = await runHarness(options('parentOnly.py', 'ident', '[1, 2, 3]', { strategies: ['sequential', 'processes'], startMethod: 'spawn' }));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(tasksOf(r.events, 0).every((t) => t.status === 'ok'));
  const tasks = tasksOf(r.events, 1);
  assert.equal(tasks.length, 3);
  assert.ok(tasks.every((t) => t.status === 'error' && /refuses to load in a child process/.test(t.error ?? '')));
  // The place is the line that raised on import, not the function's.
  const raised = { file: options('parentOnly.py', 'ident', '').file, line: 5 };
  assert.ok(tasks.every((t) => JSON.stringify(t.errorLocation) === JSON.stringify(raised)), JSON.stringify(tasks[0].errorLocation));
  const warnings = ofType(r.events, 'warning').map((e) => e.warning);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /worker processes cannot load the module: importing parentOnly\.py raised RuntimeError/);
  assert.deepEqual(warnings[0].location, raised);
  assert.match(ofType(r.events, 'run-end')[1].aborted ?? '', /cannot load the module/);
});
