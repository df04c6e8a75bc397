/**
 * The workbench loads in a real VS Code (code-server in Chromium) with the extension: its commands
 * are in the command palette and the "Profile parallelism" code lens shows on examples/primes.ts.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/lib/paths';
import { startVsCode, type VsCodeSession } from './vscodeSession';

const examples = join(repoRoot, 'examples');
const primes = join(examples, 'primes.ts');

describe('workbench with the extension', { timeout: 180_000 }, () => {
  let vs: VsCodeSession;

  before(async () => {
    vs = await startVsCode({ workspace: examples, file: primes });
  });

  after(async () => {
    await vs?.stop();
  });

  it('shows the workbench with examples/primes.ts open', async () => {
    const tab = vs.page.locator('.tabs-container .tab', { hasText: 'primes.ts' });
    await tab.first().waitFor({ state: 'visible', timeout: 60_000 });
    await vs.page.locator('.monaco-editor .view-lines', { hasText: 'countPrimes' }).first().waitFor({ timeout: 30_000 });
    const shot = await vs.screenshot('workbench-primes');
    assert.ok(existsSync(shot), `no screenshot at ${shot}`);
  });

  it('shows the "Profile parallelism" code lens above countPrimes', async () => {
    const lens = vs.codeLens('Profile parallelism');
    await lens.first().waitFor({ state: 'visible', timeout: 90_000 });
    assert.match((await lens.first().textContent()) ?? '', /Profile parallelism/);
    await vs.screenshot('code-lens-primes');
  });

  it('lists the extension\'s commands in the command palette', async () => {
    await vs.page.keyboard.press('Control+Shift+P');
    const input = vs.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Parallel Profiler');
    const rows = vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Parallel Profiler' });
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await rows.allTextContents();
    assert.ok(
      labels.some((l) => l.includes('Open Profiling Panel')) && labels.some((l) => l.includes('Profile Function at Cursor')),
      `palette rows: ${labels.join(' | ')}`,
    );
    await vs.screenshot('command-palette');
    await vs.page.keyboard.press('Escape');
  });
});
