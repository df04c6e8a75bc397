/**
 * Code lenses in a real VS Code: one "Profile parallelism" lens above every top-level function of
 * JS, TS and Python files, carrying `[uri, name]`; none when the setting turns them off.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, fixture, lensesOf, openFixture, resetSettings, scratchDir, setSetting, waitFor } from './extTestKit';

const cases = [
  { file: 'busy.js', functions: [['busy', 1], ['power', 7]] },
  { file: 'busy.ts', functions: [['busy', 1], ['label', 7]] },
  { file: 'busy.py', functions: [['busy', 1], ['power', 8]] },
] as const;

describe('code lenses', () => {
  before(async () => {
    await extensionApi();
  });
  afterEach(resetSettings);

  for (const c of cases) {
    it(`appear above every top-level function of ${c.file}`, async () => {
      const doc = await openFixture(c.file);
      const lenses = await waitFor(`lenses on ${c.file}`, async () => {
        const found = (await lensesOf(doc)).filter((l) => l.command?.command === 'parallelProfiler.profileFunction');
        return found.length > 0 ? found : undefined;
      });
      const seen = lenses.map((l) => [l.command?.arguments?.[1], l.range.start.line]);
      assert.deepEqual(seen, c.functions.map(([name, line]) => [name, line]));
      for (const lens of lenses) {
        assert.match(lens.command?.title ?? '', /Profile parallelism/);
        const uri = lens.command?.arguments?.[0] as vscode.Uri;
        assert.equal(uri.toString(), doc.uri.toString());
      }
    });
  }

  it('follow edits: a new function gets a lens', async () => {
    const untitled = await vscode.workspace.openTextDocument({ language: 'javascript', content: 'function a(x) {}\n' });
    // Untitled documents cannot be profiled (nothing on disk for the runner): no lenses.
    assert.deepEqual(await lensesOf(untitled), []);
    const scratch = scratchDir();
    try {
      const copy = path.join(scratch.dir, 'edited.js');
      fs.copyFileSync(fixture('busy.js'), copy);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(copy));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\nfunction added(q) {\n  return q;\n}\n'));
      const names = await waitFor('a lens for the added function', async () => {
        const n = (await lensesOf(doc)).map((l) => l.command?.arguments?.[1]);
        return n.includes('added') ? n : undefined;
      });
      assert.deepEqual(names, ['busy', 'power', 'added']);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      scratch.cleanup();
    }
  });

  it('are gone when parallelProfiler.codeLens.enabled is false, and come back', async () => {
    const doc = await openFixture('busy.py');
    assert.ok((await lensesOf(doc)).length > 0);
    await setSetting('codeLens.enabled', false);
    await waitFor('no lenses', async () => (await lensesOf(doc)).length === 0);
    await setSetting('codeLens.enabled', undefined);
    await waitFor('lenses again', async () => (await lensesOf(doc)).length > 0);
  });
});
