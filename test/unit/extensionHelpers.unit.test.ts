/**
 * The extension's plain helpers (no VS Code needed): default inputs, the input check that never
 * evaluates, the lens summary, live progress counts and reading a saved report.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Report, Run } from '../../src/core/model';
import { checkInputs, defaultInputs, spreadFor } from '../../src/extension/inputsDefaults';
import { parseReport } from '../../src/extension/reportJson';
import { ProgressCounts, summarizeReport } from '../../src/extension/reportSummary';

function run(strategy: Run['strategy'], speedup: number | null): Run {
  return {
    strategy, workers: 2, repeat: 0, wallMs: 10, cpuMs: null, startMs: 0, lanes: [], tasks: [], locks: [],
    counter: { expected: 0, observed: 0, lost: 0 },
    metrics: {
      speedup, efficiency: null, utilization: null, overheadMs: null, loadImbalance: null,
      serialFraction: null, stragglers: [], busyMs: 0, medianTaskMs: null, callMs: null, cpuPerWall: null,
    },
  };
}

function report(runs: Run[], warnings: number): Report {
  return {
    version: 1, createdAt: 'now', target: { file: '/x/a.js', name: 'f', language: 'javascript' },
    machine: { cpus: 2, platform: 'linux', runtime: 'node' },
    inputs: { expression: '[1]', count: 1, spread: false }, runs,
    warnings: Array.from({ length: warnings }, () => ({ kind: 'race' as const, message: 'm' })), verdict: 'v',
  };
}

describe('default inputs', () => {
  it('maps one parameter and spreads zero or several', () => {
    assert.equal(spreadFor(['n']), false);
    assert.equal(spreadFor([]), true);
    assert.equal(spreadFor(['a', 'b']), true);
  });

  for (const language of ['javascript', 'typescript', 'python'] as const) {
    it(`gives a ${language} expression that passes its own check, for 0, 1 and 2 parameters`, () => {
      for (const params of [[], ['n'], ['base', 'exp']]) {
        const d = defaultInputs(params, language);
        assert.equal(d.spread, spreadFor(params));
        assert.equal(checkInputs(d.expression, language), undefined, d.expression);
      }
    });
  }

  it('JS defaults evaluate to one element per task of the right shape', () => {
    const one = Function(`return (${defaultInputs(['n'], 'javascript').expression})`)() as unknown[];
    assert.ok(one.length > 1 && one.every((x) => typeof x === 'number'));
    const two = Function(`return (${defaultInputs(['a', 'b'], 'javascript').expression})`)() as unknown[][];
    assert.ok(two.every((x) => Array.isArray(x) && x.length === 2));
  });

  it('a destructured JS parameter gets an object or array with a value in each place that has no default', () => {
    const options = Function(`return (${defaultInputs(["{ n, mode = 'fast', label: name }"], 'typescript').expression})`)() as unknown[];
    assert.deepEqual(options[3], { n: 3, label: 3 });
    const pairs = Function(`return (${defaultInputs(['[ a, b ]', 'scale'], 'javascript').expression})`)() as unknown[][];
    assert.deepEqual(pairs[2], [[2, 2], 2]);
  });
});

describe('checking inputs without running them', () => {
  it('reports a JS syntax error in one line', () => {
    const problem = checkInputs('[1, 2', 'javascript');
    assert.ok(problem && !problem.includes('\n'), String(problem));
  });

  it('parses TypeScript, type assertions included, and reports its syntax errors', () => {
    assert.equal(checkInputs('[1, 2, 3] as number[]', 'typescript'), undefined);
    assert.equal(checkInputs('Array.from({ length: 4 }, (_: unknown, i: number) => i)', 'typescript'), undefined);
    assert.match(String(checkInputs('[1, 2', 'typescript')), /Not a valid TypeScript expression/);
  });

  it('accepts an expression that awaits, as the runner evaluates it in an async function', () => {
    assert.equal(checkInputs('await loadInputs()', 'javascript'), undefined);
    assert.equal(checkInputs('(await loadInputs()).map((x: number) => x + 1)', 'typescript'), undefined);
  });

  it('never calls the expression', () => {
    (globalThis as Record<string, unknown>).__ppCalled = false;
    assert.equal(checkInputs('(globalThis.__ppCalled = true, [1])', 'javascript'), undefined);
    assert.equal((globalThis as Record<string, unknown>).__ppCalled, false);
  });

  it('rejects an empty expression', () => {
    assert.ok(checkInputs('   ', 'python'));
    assert.ok(checkInputs('', 'javascript'));
  });

  it('finds unbalanced brackets, open strings and statements in Python', () => {
    assert.ok(checkInputs('[x for x in range(3)', 'python'));
    assert.ok(checkInputs("['a, 'b']", 'python'));
    assert.ok(checkInputs('import os', 'python'));
    assert.equal(checkInputs("[(i, ')') for i in range(3)]", 'python'), undefined);
  });
});

describe('summary line', () => {
  it('names the speedup of each parallel strategy and the warnings', () => {
    const text = summarizeReport(report([run('sequential', 1), run('threads', 1.94), run('processes', 1.7)], 2));
    assert.equal(text, 'threads 1.9× · processes 1.7× · 2 warnings');
  });

  it('with --repeat, gives the speedup the table shows (the median run), and a tiny one not as 0.0×', () => {
    const repeated = [[1.3, 120], [2.2, 90], [1.8, 100]].map(([speedup, wallMs], repeat) => ({ ...run('processes', speedup), repeat, wallMs }));
    assert.equal(summarizeReport(report([run('sequential', 1), ...repeated], 0)), 'processes 1.8× · no warnings');
    assert.equal(summarizeReport(report([run('threads', 0.014)], 0)), 'threads 0.01× · no warnings');
  });

  it('says when there are no warnings and a speedup is unknown', () => {
    assert.equal(summarizeReport(report([run('threads', null)], 0)), 'threads – · no warnings');
  });
});

describe('progress counts', () => {
  it('counts finished and failed tasks per strategy run', () => {
    const c = new ProgressCounts();
    c.add({ type: 'inputs', count: 4 });
    c.add({ type: 'run-start', run: 0, strategy: 'threads', workers: 2, repeat: 0, startMs: 0 });
    const end = { type: 'task-end' as const, run: 0, lane: 0, queuedMs: 0, startMs: 0, endMs: 1 };
    c.add({ ...end, index: 0, status: 'ok' });
    c.add({ ...end, index: 1, status: 'error' });
    assert.deepEqual(c.lines(), ['threads 2/4 (1 failed)']);
    assert.equal(c.fraction(2), 2 / 8);
  });

  it('counts the task ends of a batched tasks event one by one', () => {
    const c = new ProgressCounts();
    c.add({ type: 'inputs', count: 4 });
    c.add({ type: 'run-start', run: 0, strategy: 'processes', workers: 2, repeat: 0, startMs: 0 });
    const span = { lane: 0, queuedMs: 0, startMs: 0, endMs: 1 };
    c.add({ type: 'tasks', run: 0, spans: [{ ...span, index: 0, status: 'ok' }, { ...span, index: 1, status: 'timeout' }, { ...span, index: 2, status: 'ok' }] });
    assert.deepEqual(c.lines(), ['processes 3/4 (1 failed)']);
  });

  it('counts the task ends the runner wrote to the ok file', () => {
    const c = new ProgressCounts();
    c.add({ type: 'inputs', count: 5000 });
    c.add({ type: 'run-start', run: 0, strategy: 'threads', workers: 2, repeat: 0, startMs: 0 });
    c.add({ type: 'tasks', run: 0, okInFile: { count: 4096, lanes: [0, 1] } });
    assert.deepEqual(c.lines(), ['threads 4096/5000']);
  });

  it('counts ok columns and whole spans of one tasks event together', () => {
    const c = new ProgressCounts();
    c.add({ type: 'inputs', count: 4 });
    c.add({ type: 'run-start', run: 0, strategy: 'threads', workers: 2, repeat: 0, startMs: 0 });
    const ok = { index: [0, 2], lane: [0, 1], queuedUs: [0, 0], startUs: [1000, 1000], endUs: [2000, 2000], cpuUs: [null, null], digest: ['n:1', 'n:2'], preview: [null, null] };
    c.add({ type: 'tasks', run: 0, ok, spans: [{ index: 1, lane: 0, queuedMs: 0, startMs: 2, endMs: 3, status: 'error', error: 'Error: no' }] });
    assert.deepEqual(c.lines(), ['threads 3/4 (1 failed)']);
  });
});

describe('reading a saved report', () => {
  it('accepts a report and rejects other JSON with the reason', () => {
    const r = report([run('threads', 2)], 0);
    assert.deepEqual(parseReport(JSON.stringify(r)), r);
    assert.throws(() => parseReport('{'), /not JSON/);
    assert.throws(() => parseReport('{"version": 2}'), /version/);
    assert.throws(() => parseReport('{"version": 1, "target": {"name": "f", "file": "a"}}'), /runs/);
  });
});
