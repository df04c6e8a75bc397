/**
 * Profiling through the commands in a real VS Code, with a real runner process: a full profile of
 * JS and Python functions with the report checked, the lens showing the result, settings applied,
 * cancel, save / open report, Chrome trace export, re-run, and an error the user's code throws.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../../src/core/model';
import {
  extensionApi,
  fixture,
  lensesOf,
  openFixture,
  resetSettings,
  scratchDir,
  setSetting,
  waitFor,
} from './extTestKit';

/** Runs `parallelProfiler.profileFunction` with inputs given, so no input box opens. */
function profile(file: string, name: string, inputs: string): Thenable<Report | undefined> {
  return vscode.commands.executeCommand<Report | undefined>(
    'parallelProfiler.profileFunction',
    vscode.Uri.file(fixture(file)),
    name,
    inputs,
  );
}

function strategies(report: Report): string[] {
  return report.runs.map((r) => r.strategy);
}

describe('profiling through commands', function () {
  this.timeout(120_000);
  const scratch = scratchDir();

  before(async () => {
    await extensionApi();
  });
  afterEach(resetSettings);
  after(() => scratch.cleanup());

  it('profiles a JS function three ways and shows the result in the lens', async () => {
    const report = await profile('busy.js', 'busy', 'Array.from({ length: 6 }, (_, i) => i + 1)');
    assert.ok(report, 'no report');
    assert.equal(report.target.name, 'busy');
    assert.equal(report.target.language, 'javascript');
    assert.equal(report.inputs.count, 6);
    assert.deepEqual(strategies(report), ['sequential', 'threads', 'processes']);
    for (const run of report.runs) {
      assert.equal(run.tasks.length, 6, `${run.strategy} tasks`);
      assert.ok(run.tasks.every((t) => t.status === 'ok'), `${run.strategy}: ${JSON.stringify(run.tasks.map((t) => t.error))}`);
    }
    const doc = await openFixture('busy.js');
    const summary = await waitFor('the result lens', async () =>
      (await lensesOf(doc)).find((l) => l.command?.command === 'parallelProfiler.openPanel' && l.command.arguments?.[1] === 'busy'),
    );
    assert.match(summary.command?.title ?? '', /^threads .+× · processes .+× · (no warnings|\d+ warnings?)$/);
  });

  it('profiles a Python function with two parameters (starmap)', async () => {
    const report = await profile('busy.py', 'power', '[(2, i) for i in range(5)]');
    assert.ok(report, 'no report');
    assert.equal(report.target.language, 'python');
    assert.equal(report.inputs.spread, true);
    for (const run of report.runs) {
      assert.equal(run.tasks.length, 5);
      assert.ok(run.tasks.every((t) => t.status === 'ok'), `${run.strategy}: ${JSON.stringify(run.tasks.map((t) => t.error))}`);
    }
  });

  it('applies the workers and strategies settings', async () => {
    await setSetting('workers', 1);
    await setSetting('strategies', ['sequential', 'threads']);
    const report = await profile('busy.ts', 'busy', '[1, 2, 3]');
    assert.ok(report);
    assert.deepEqual(strategies(report), ['sequential', 'threads']);
    assert.equal(report.runs[1].workers, 1);
  });

  it('applies the task timeout setting: a task over it ends as timeout', async () => {
    await setSetting('taskTimeoutMs', 300);
    await setSetting('strategies', ['sequential', 'threads']);
    const report = await profile('nap.js', 'nap', '[5000, 10]');
    assert.ok(report);
    for (const run of report.runs) {
      const byIndex = new Map(run.tasks.map((t) => [t.index, t.status]));
      assert.equal(byIndex.get(0), 'timeout', `${run.strategy}: ${JSON.stringify(run.tasks)}`);
      assert.equal(byIndex.get(1), 'ok', run.strategy);
    }
  });

  it('uses the interpreter from the settings: a missing one is one error line, no report', async () => {
    const api = await extensionApi();
    await setSetting('pythonPath', '/nonexistent/python3');
    assert.equal(await profile('busy.py', 'busy', '[1, 2]'), undefined);
    assert.match(api.session.lastError ?? '', /\/nonexistent\/python3/);
    assert.ok(!api.session.lastError?.includes('\n'), 'one line');
    await setSetting('nodePath', '/nonexistent/node');
    assert.equal(await profile('busy.js', 'busy', '[1, 2]'), undefined);
    assert.match(api.session.lastError ?? '', /\/nonexistent\/node/);
  });

  it('reports what the user code throws as task errors, markup kept as text', async () => {
    const report = await profile('xss.js', 'evil', '[1, 2]');
    assert.ok(report);
    const errors = report.runs.flatMap((r) => r.tasks).filter((t) => t.status === 'error');
    assert.ok(errors.length > 0, 'no error tasks');
    assert.ok(errors.every((t) => (t.error ?? '').includes('<img src=x onerror=alert(1)>')), JSON.stringify(errors[0]));
  });

  it('puts the warnings with a place in the Problems view, one per line and kind; an edit of the file takes them away', async () => {
    const uri = vscode.Uri.file(fixture('xss.js'));
    const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Parallel Profiler');
    assert.ok(await profile('xss.js', 'evil', '[1, 2]'));
    const problems = await waitFor('the problems', () => (ours().length > 0 ? ours() : undefined));
    assert.equal(problems.length, 1, problems.map((p) => p.message).join('\n'));
    const [problem] = problems;
    assert.equal(problem.code, 'error');
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(problem.range.start.line, 2, 'the line that throws (line 3)');
    assert.match(problem.message, /^sequential: 2 tasks failed; first: Error: <img src=x onerror=alert\(1\)> .*\(also in threads and processes\)$/);
    // Profiling another function leaves them; editing the file removes them (their lines may be wrong now).
    assert.ok(await profile('busy.js', 'busy', '[1, 2]'));
    assert.equal(ours().length, 1);
    const editor = await vscode.window.showTextDocument(await openFixture('xss.js'));
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '\n'));
    await waitFor('the problems to go', () => ours().length === 0 || undefined);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a report opened from disk puts its problems back, but not for a file changed since it was made', async () => {
    const uri = vscode.Uri.file(fixture('xss.js'));
    const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Parallel Profiler');
    assert.ok(await profile('xss.js', 'evil', '[1, 2]'));
    await waitFor('the problems', () => ours().length > 0 || undefined);
    const reportFile = vscode.Uri.file(path.join(scratch.dir, 'xss.profile.json'));
    await vscode.commands.executeCommand('parallelProfiler.saveReport', reportFile);
    // An edit takes the problems away; the file on disk is still the one profiled.
    const editor = await vscode.window.showTextDocument(await openFixture('xss.js'));
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '\n'));
    await waitFor('the problems to go', () => ours().length === 0 || undefined);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const reopened = await vscode.commands.executeCommand<Report>('parallelProfiler.openReport', reportFile);
    assert.ok(reopened);
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.fsPath);
    assert.equal(ours().length, 1, `mtime ${fs.statSync(uri.fsPath).mtime.toISOString()}, made ${reopened.createdAt}, dirty ${dirty}, warned ${JSON.stringify(reopened.warnings.map((w) => w.location))}`);
    assert.equal(ours()[0].range.start.line, 2);
    // Modified on disk after the report was made: its lines may be wrong, so nothing is shown.
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '\n'));
    await waitFor('the problems to go', () => ours().length === 0 || undefined);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(uri.fsPath, later, later);
    try {
      assert.ok(await vscode.commands.executeCommand<Report>('parallelProfiler.openReport', reportFile));
      assert.equal(ours().length, 0);
    } finally {
      const before = new Date(Date.now() - 3_600_000);
      fs.utimesSync(uri.fsPath, before, before);
    }
  });

  it('runs the code in its workspace folder, where its relative paths start', async () => {
    const report = await profile('fromWorkspace.js', 'total', '[1, 2]');
    assert.ok(report, (await extensionApi()).session.lastError);
    for (const run of report.runs) assert.deepEqual(run.tasks.map((t) => t.resultPreview ?? t.digest), ['6', '12'], run.strategy);
  });

  it('a bad inputs expression is one error line, not a report', async () => {
    const report = await profile('busy.js', 'busy', 'notDefinedAnywhere.map((x) => x)');
    assert.equal(report, undefined);
    const error = (await extensionApi()).session.lastError ?? '';
    assert.match(error, /notDefinedAnywhere/);
    assert.ok(!error.includes('\n'), 'one line');
  });

  it('cancels a running profile and keeps the partial report', async () => {
    const api = await extensionApi();
    const pending = profile('nap.js', 'nap', 'Array.from({ length: 200 }, () => 100)');
    await waitFor('the profile to start', () => api.session.running);
    const doc = await openFixture('nap.js');
    await waitFor('the running lens', async () =>
      (await lensesOf(doc)).some((l) => l.command?.command === 'parallelProfiler.cancel'),
    );
    assert.equal(await vscode.commands.executeCommand('parallelProfiler.cancel'), true);
    const report = await pending;
    assert.ok(report, 'a cancelled profile still gives its partial report');
    assert.equal(report.cancelled, true);
    assert.equal(api.session.running, false);
    assert.equal(await vscode.commands.executeCommand('parallelProfiler.cancel'), false);
  });

  it('saves the report, exports its Chrome trace, opens it again and re-runs it', async () => {
    const first = await profile('busy.js', 'busy', '[1, 2, 3, 4]');
    assert.ok(first);
    const reportFile = vscode.Uri.file(path.join(scratch.dir, 'busy.profile.json'));
    const traceFile = vscode.Uri.file(path.join(scratch.dir, 'busy.trace.json'));
    await vscode.commands.executeCommand('parallelProfiler.saveReport', reportFile);
    await vscode.commands.executeCommand('parallelProfiler.exportTrace', traceFile);
    const saved = JSON.parse(fs.readFileSync(reportFile.fsPath, 'utf8')) as Report;
    assert.equal(saved.target.name, 'busy');
    assert.equal(saved.runs.length, first.runs.length);
    const trace = JSON.parse(fs.readFileSync(traceFile.fsPath, 'utf8'));
    const events = Array.isArray(trace) ? trace : trace.traceEvents;
    assert.ok(Array.isArray(events) && events.length > 0, 'trace has no events');

    const opened = await vscode.commands.executeCommand<Report>('parallelProfiler.openReport', reportFile);
    assert.equal(opened?.createdAt, first.createdAt);
    const shown = await vscode.commands.executeCommand<Report>('parallelProfiler.openPanel');
    assert.equal(shown?.createdAt, first.createdAt);

    const again = await vscode.commands.executeCommand<Report>('parallelProfiler.rerun');
    assert.ok(again);
    assert.equal(again.target.name, 'busy');
    assert.equal(again.inputs.count, 4);
    assert.notEqual(again.createdAt, first.createdAt);
  });

  it('refuses a file that is not a report, saying why', async () => {
    const bad = vscode.Uri.file(path.join(scratch.dir, 'not-a-report.json'));
    fs.writeFileSync(bad.fsPath, '{"hello": 1}');
    assert.equal(await vscode.commands.executeCommand('parallelProfiler.openReport', bad), undefined);
  });
});
