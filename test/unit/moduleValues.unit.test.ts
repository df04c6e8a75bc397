/**
 * A JS module's own variables that the calls update (`let total`, `seen.push`): each worker thread
 * and process has its own copy of the module, measured at its end, beside the sequential run's one
 * copy. Real runner, threads and processes; and the line scan that finds the variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { profile, fixture } from './engineKit';
import { moduleBindings, nameUniquely } from '../../src/runners/js/moduleBindings';
import type { Run } from '../../src/core/model';

// Calls of several ms each: the second worker starts tens of ms after the first, and must get some.
const INPUTS = 'Array.from({ length: 24 }, (_, i) => 6000 + i)';
const valueOf = (run: Run | undefined, name: string) => run?.sharedValues?.find((v) => v.name === name);

test('module variables a function updates: each pool worker has a copy, none saw every call, and a divergence warning points at the update', async () => {
  const report = await profile('moduleValues.ts', 'tally', INPUTS);
  const sequential = report.runs.find((r) => r.strategy === 'sequential');
  assert.equal(valueOf(sequential, 'seen')?.change, 24);
  assert.equal(valueOf(sequential, 'histogram')?.change, 24);
  assert.equal(valueOf(sequential, 'histogram')?.kind, 'array');
  assert.deepEqual([valueOf(sequential, 'byParity')?.kind, valueOf(sequential, 'byParity')?.change], ['dict', 24]);
  assert.ok((valueOf(sequential, 'total')?.change ?? 0) > 0);
  assert.equal(valueOf(sequential, 'LIMITS'), undefined, 'a value no call changed is not reported');
  // A variable of a local module the target imports, in its own file.
  assert.deepEqual([valueOf(sequential, 'log')?.change, valueOf(sequential, 'log')?.updateSite], [24, { file: fixture('moduleValuesLog.ts'), line: 5 }]);
  for (const strategy of ['threads', 'processes'] as const) {
    const run = report.runs.find((r) => r.strategy === strategy);
    for (const name of ['total', 'seen', 'histogram', 'byParity', 'log']) {
      const value = valueOf(run, name);
      const expected = valueOf(sequential, name)!.change;
      assert.ok(value?.ownCopies && value.copies, `${strategy}: ${name} ${JSON.stringify(value)}`);
      // Each copy saw its own worker's calls: together all of them, one copy never all.
      assert.equal(value.copies.length, 2, `${strategy}: ${name} copies ${value.copies}`);
      assert.equal(value.copies.reduce((a, b) => a + b, 0), expected, `${strategy}: ${name} copies ${value.copies}`);
      assert.ok(value.change < expected, `${strategy}: ${name} ${value.change} of ${expected}`);
      const warning = report.warnings.find((w) => w.kind === 'divergence' && w.strategy === strategy && w.shared === name);
      assert.ok(warning, `${strategy}: no warning for ${name}: ${JSON.stringify(report.warnings)}`);
      assert.match(warning.message, /loads its own copy of the module/);
    }
    const seenWarning = report.warnings.find((w) => w.strategy === strategy && w.shared === 'seen')!;
    assert.equal(seenWarning.location?.line, 22);
    assert.match(seenWarning.message, /`seen\.push\(n\)`/);
    assert.equal(report.warnings.find((w) => w.strategy === strategy && w.shared === 'total')?.location?.line, 21);
  }
  assert.match(report.verdict, /total, seen, histogram, byParity and log are not shared between the workers of threads or processes/);
});

test('a memo cache that also returns its values loses nothing, but is filled again by each worker where inputs repeat; scratch space set afresh by each call gets no warning; a tally beside the values does, and a function that keeps nothing has no values', async () => {
  const memo = await profile('moduleValues.ts', 'memo', INPUTS, { strategies: ['sequential', 'threads'] });
  assert.ok(memo.runs.every((r) => valueOf(r, 'cache')), JSON.stringify(memo.runs.map((r) => r.sharedValues)));
  assert.equal(valueOf(memo.runs.find((r) => r.strategy === 'threads'), 'cache')?.copies?.length, 2);
  assert.deepEqual(memo.warnings.filter((w) => w.shared !== undefined), []);
  // The same cache with inputs that repeat: each worker computes again what the sequential run reused.
  const repeated = await profile('moduleValues.ts', 'memo', 'Array.from({ length: 24 }, (_, i) => 6000 + (i % 3))', { strategies: ['sequential', 'threads'] });
  const redone = repeated.warnings.find((w) => w.kind === 'overhead' && w.shared === 'cache');
  assert.match(redone?.message ?? '', /^threads: each worker filled a copy of cache of its own: .* where the sequential run's one copy grew by/, JSON.stringify(repeated.warnings));
  // A tally (its update reads it back) is the calls' output even beside the values they return.
  const parity = await profile('moduleValues.ts', 'countParity', INPUTS, { strategies: ['sequential', 'threads'] });
  assert.ok(parity.warnings.some((w) => w.kind === 'divergence' && w.shared === 'byParity'), JSON.stringify(parity.warnings));
  // Scratch space each call sets afresh: its copies do not add up to the sequential run's change.
  const scratch = await profile('moduleValues.ts', 'scratch', INPUTS, { strategies: ['sequential', 'threads'] });
  assert.ok(scratch.runs.every((r) => valueOf(r, 'last')), JSON.stringify(scratch.runs.map((r) => r.sharedValues)));
  assert.deepEqual(scratch.warnings.filter((w) => w.shared !== undefined), []);
  const counted = await profile('moduleValues.ts', 'counted', '[1, 2, 3, 4]', { strategies: ['sequential', 'threads', 'processes'] });
  assert.ok(counted.runs.every((r) => r.sharedValues === undefined), JSON.stringify(counted.runs.map((r) => r.sharedValues)));
  assert.ok(counted.runs.every((r) => r.counter.observed === 4));
});

test("an object of the module's own class: each number property its calls update is a value of its own, in every worker's copy, and the warning points at the method's update", async () => {
  const report = await profile('moduleValues.ts', 'payIn', INPUTS);
  const source = readFileSync(fixture('moduleValues.ts'), 'utf8').split('\n');
  const updateLine = source.findIndex((l) => l.includes('this.balance += amount')) + 1;
  const sequential = report.runs.find((r) => r.strategy === 'sequential');
  assert.deepEqual(valueOf(sequential, 'bank.balance'), { name: 'bank.balance', kind: 'attribute', location: { file: fixture('moduleValues.ts'), line: source.findIndex((l) => l.startsWith('const bank')) + 1 }, updateSite: { file: fixture('moduleValues.ts'), line: updateLine }, updateCode: 'this.balance += amount', change: 24 });
  // A property only stored into is a record, not a tally.
  assert.equal(valueOf(sequential, 'bank.lastDeposit'), undefined);
  for (const strategy of ['threads', 'processes'] as const) {
    const value = valueOf(report.runs.find((r) => r.strategy === strategy), 'bank.balance');
    assert.equal(value?.copies?.reduce((a, b) => a + b, 0), 24, `${strategy}: ${JSON.stringify(value)}`);
    const warning = report.warnings.find((w) => w.kind === 'divergence' && w.strategy === strategy && w.shared === 'bank.balance');
    assert.match(warning?.message ?? '', /loads its own copy of the module, so `this\.balance \+= amount` at .*moduleValues\.ts:\d+ changed only that worker's bank\.balance/, JSON.stringify(report.warnings));
    assert.equal(warning!.location?.line, updateLine);
  }
});

test('an object made of a class another module declares: its method\'s update is found there', async () => {
  const report = await profile('usesBank.ts', 'payIn', INPUTS, { strategies: ['sequential', 'threads'] });
  const account = fixture('bankAccount.ts');
  const line = readFileSync(account, 'utf8').split('\n').findIndex((l) => l.includes('this.balance += amount')) + 1;
  const warning = report.warnings.find((w) => w.kind === 'divergence' && w.shared === 'bank.balance');
  assert.match(warning?.message ?? '', /`this\.balance \+= amount` at .*bankAccount\.ts:\d+ changed only that worker's bank\.balance/, JSON.stringify(report.warnings));
  assert.deepEqual(warning!.location, { file: account, line });
});

test('variables of two modules with one name are told apart by their files', () => {
  const [a, b, c] = nameUniquely([...moduleBindings('let total = 0;', '/p/a.ts'), ...moduleBindings('let total = 0;\nlet other = 1;', '/p/lib/b.ts')]);
  assert.deepEqual([a.name, b.name, c.name], ['a.ts:total', 'b.ts:total', 'other']);
  assert.notEqual(a.key, b.key);
});

test('the line scan finds top-level variables, leaves functions out, and finds the first update', () => {
  const source = [
    'let total = 0;',
    'export const seen: number[] = [];',
    'const double = (x) => x * 2;',
    'var hits;',
    'function f(n) {',
    '  // total += 1 in a comment',
    '  total += n;',
    '  seen.push(n);',
    '  hits++;',
    '}',
    '  let inner = 1;',
  ].join('\n');
  const found = moduleBindings(source, '/x.ts');
  assert.deepEqual(
    found.map((b) => [b.name, b.location.line, b.updateSite?.line, b.updateCode]),
    [
      ['total', 1, 7, 'total += n'],
      ['seen', 2, 8, 'seen.push(n)'],
      ['hits', 4, 9, 'hits++'],
    ],
  );
  // A function on one line in column 0 updates it; the module setting it up does not.
  const oneLine = moduleBindings(['var calls = 0;', 'calls = 1;', 'exports.work = function (n) { calls++; };'].join('\n'), '/y.cjs');
  assert.deepEqual(oneLine.map((b) => [b.name, b.updateSite?.line]), [['calls', 3]]);
  // A memo cache only stores; a tally reads its item back (in the update's own statement).
  const stores = moduleBindings(
    ['const cache = new Map();', 'const counts = {};', 'const memo = {};', 'function f(n) {', '  if (!cache.has(n)) cache.set(n, n * n);', '  counts[n] = (counts[n] ?? 0) + 1;', '  memo[n] ??= n * n;', '}'].join('\n'),
    '/z.js',
  );
  assert.deepEqual(stores.map((b) => [b.name, !!b.storesOnly]), [['cache', true], ['counts', false], ['memo', true]]);
  // A property's compound assignment or ++ reads it back too; a plain store to it does not.
  const props = moduleBindings(['const totals = { paid: 0 };', 'const stats = { hits: 0 };', 'const last = { n: 0 };', 'function f(n) {', '  totals.paid += n;', '  stats.hits++;', '  last.n = n;', '}'].join('\n'), '/p.js');
  assert.deepEqual(props.map((b) => [b.name, b.updateSite?.line, !!b.storesOnly]), [['totals', 5, false], ['stats', 6, false], ['last', 7, true]]);
  // An object of a class: each property's first update that reads it back, in the class or on the variable.
  const account = moduleBindings(
    ['class Account {', '  balance = 0;', '  deposit(n) {', '    this.balance += n;', '    this.last = n;', '    this.count = this.count + 1;', '  }', '}', 'const bank = new Account();', 'function f() {', '  ++bank.fees;', '}'].join('\n'),
    '/a.js',
  );
  assert.deepEqual(account.find((b) => b.name === 'bank')?.memberUpdates, {
    balance: { site: { file: '/a.js', line: 4 }, code: 'this.balance += n' },
    count: { site: { file: '/a.js', line: 6 }, code: 'this.count = this.count + 1' },
    fees: { site: { file: '/a.js', line: 11 }, code: '++bank.fees' },
  });
  // A SharedArrayBuffer made at module level is made again by every worker: its Atomics are updates too.
  const atomics = moduleBindings(['const hits = new Int32Array(new SharedArrayBuffer(4));', 'export function f() {', '  Atomics.add(hits, 0, 1);', '}'].join('\n'), '/w.js');
  assert.deepEqual(atomics.map((b) => [b.name, b.updateCode]), [['hits', 'Atomics.add(hits, 0, 1)']]);
});
