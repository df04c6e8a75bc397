/**
 * The commands' contributions and their behaviour without a profile: palette `when` clauses, the
 * editor context menu, Show Output, and Profile Function at Cursor on a line outside any function.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, openFixture } from './extTestKit';

interface MenuItem {
  command: string;
  when?: string;
}

describe('commands', () => {
  before(async () => {
    await extensionApi();
  });

  it('keeps the palette clean: cancel only while running, exports only with a report', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const palette: MenuItem[] = pkg.contributes.menus.commandPalette;
    const when = (id: string) => palette.find((m) => m.command === `parallelProfiler.${id}`)?.when ?? '';
    assert.match(when('cancel'), /parallelProfiler\.running/);
    assert.match(when('exportTrace'), /parallelProfiler\.hasReport/);
    assert.match(when('saveReport'), /parallelProfiler\.hasReport/);
    assert.match(when('profileAtCursor'), /python/);
  });

  it('offers Profile Function at Cursor in the editor context menu for JS, TS and Python', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const items: MenuItem[] = pkg.contributes.menus['editor/context'];
    const item = items.find((m) => m.command === 'parallelProfiler.profileAtCursor');
    assert.ok(item);
    for (const lang of ['javascript', 'typescript', 'python']) assert.ok(item.when?.includes(lang), lang);
  });

  it('contributes every setting the extension reads', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
    const keys = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(keys, [
      'parallelProfiler.codeLens.enabled',
      'parallelProfiler.hangTimeoutMs',
      'parallelProfiler.nodePath',
      'parallelProfiler.pythonPath',
      'parallelProfiler.strategies',
      'parallelProfiler.taskTimeoutMs',
      'parallelProfiler.workers',
    ]);
  });

  it('Show Output opens the "Parallel Profiler" channel', async () => {
    const api = await extensionApi();
    assert.equal(api.session.output.name, 'Parallel Profiler');
    await vscode.commands.executeCommand('parallelProfiler.showOutput');
  });

  it('Profile Function at Cursor above the first function starts nothing', async () => {
    const api = await extensionApi();
    const doc = await openFixture('busy.js');
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('parallelProfiler.profileAtCursor'), undefined);
    assert.equal(api.session.running, false);
  });

  it('Cancel with nothing running says so and returns false', async () => {
    assert.equal(await vscode.commands.executeCommand('parallelProfiler.cancel'), false);
  });
});
