/**
 * Reports from the real engine (the CLI profiling the examples, real workers and processes)
 * rendered by the panel in real Chromium: every run's lanes drawn, the counter and warnings as
 * the engine found them. Nothing here depends on the timings or on how many updates a race lost.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/core/model';
import { formatCount } from '../../webview/format';
import { startPanelBrowser, type PanelBrowser } from './panelPage';
import { laneCount, timelineShot } from './pixelsOf';
import { DARK, LIGHT } from './themes';

const ROOT = resolve(__dirname, '..', '..');

/** Profiles `file`'s `fn` with the CLI and reads the report it wrote. */
function profile(scratch: string, file: string, fn: string, inputs: string, spread = false): Report {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node esbuild.mjs` first.');
  const out = join(scratch, `${fn}.json`);
  execFileSync(process.execPath, [cli, 'profile', file, fn, '--inputs', inputs, '--workers', '2', '--out', out, ...(spread ? ['--spread'] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60_000,
  });
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

describe('panel with reports from the real engine (Chromium)', () => {
  let browser: PanelBrowser;
  let scratch: string;
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'panel-real-'));
    browser = await startPanelBrowser();
  });
  after(async () => {
    await browser?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const cases = [
    { file: 'examples/primes.ts', fn: 'countPrimes', inputs: '[20000, 30000, 40000, 50000, 60000, 70000]', theme: LIGHT },
    { file: 'examples/bank.py', fn: 'deposit_racy', inputs: '[3000] * 6', theme: DARK },
    { file: 'examples/bank.py', fn: 'deposit_value', inputs: '[3000] * 6', theme: LIGHT },
    { file: 'examples/bank.ts', fn: 'depositIntoModule', inputs: 'Array(8).fill(2_000_000)', theme: DARK },
    { file: 'examples/bank.py', fn: 'transfer_plain', inputs: "[('alice', 'bob'), ('bob', 'alice')]", spread: true, theme: DARK },
  ];
  for (const c of cases) {
    it(`renders ${c.file} ${c.fn}`, async () => {
      const report = profile(scratch, c.file, c.fn, c.inputs, 'spread' in c && c.spread);
      const panel = await browser.open(c.theme);
      await panel.showReport(report);
      const page = panel.page;
      assert.equal(await page.locator('.fn').textContent(), c.fn);
      assert.equal(await page.locator('.verdict').textContent(), report.verdict);
      assert.equal(await page.locator('table.summary tbody tr').count(), report.runs.length);
      assert.deepEqual(
        await page.locator('table.counter tbody tr td:last-child').allTextContents(),
        report.runs.some((r) => r.counter.expected || r.counter.observed) ? report.runs.map((r) => formatCount(r.counter.lost)) : [],
      );
      // The user's own shared numbers (bank.py's and bank.ts's balance): a table each, a row per
      // run, with each worker's copy where a JS pool's workers each had one.
      for (const name of new Set(report.runs.flatMap((r) => (r.sharedValues ?? []).filter((v) => v.change !== 0).map((v) => v.name)))) {
        const rows = page.locator(`table.shared-value[data-name="${name}"] tbody tr`);
        const values = report.runs.flatMap((r) => r.sharedValues?.filter((v) => v.name === name) ?? []);
        assert.deepEqual(await rows.locator('td:nth-child(2)').allTextContents(), values.map((v) => (v.copies ? v.copies.map(formatCount).join(' · ') : formatCount(v.change))));
        assert.deepEqual(await rows.locator('td:last-child').allTextContents(), values.map((v) => (v.ownCopies ? 'own copies' : formatCount(v.lost ?? 0))));
      }
      // deposit_racy leaves balance as it was: no table for it.
      const keepsBalance = c.fn === 'deposit_value' || c.fn === 'depositIntoModule';
      assert.equal(await page.locator('table.shared-value[data-name="balance"] tbody tr').count(), keepsBalance ? report.runs.length : 0);
      if (c.fn === 'depositIntoModule') {
        assert.ok(report.warnings.some((w) => w.kind === 'divergence' && w.shared === 'balance'), JSON.stringify(report.warnings));
        // A copy from each worker that loaded the module (one may have run every input while the
        // other was starting), together the sequential run's change.
        for (const r of report.runs.filter((x) => x.strategy !== 'sequential')) {
          const copies = r.sharedValues?.[0]?.copies ?? [];
          const lanesWithTasks = new Set(r.tasks.map((t) => t.lane)).size;
          assert.ok(copies.length >= lanesWithTasks && copies.length <= r.workers, `${r.strategy}: ${copies.length} copies, ${lanesWithTasks} workers ran calls`);
          assert.equal(copies.reduce((a, b) => a + b, 0), 16_000_000, r.strategy);
        }
      }
      const ok = c.theme.vars['--vscode-charts-blue'];
      for (const run of report.runs) {
        const shot = await timelineShot(panel, run.strategy);
        const lanesWithOk = new Set(run.tasks.filter((t) => t.status === 'ok').map((t) => t.lane));
        const ids = [...new Set([...run.lanes.map((l) => l.id), ...run.tasks.map((t) => t.lane)])].sort((a, b) => a - b);
        assert.equal(shot.laneCenters.length, ids.length, `${run.strategy}: one lane per worker`);
        for (const id of lanesWithOk) {
          assert.ok(laneCount(shot, ids.indexOf(id), ok) > 0, `${run.strategy}: worker ${id}'s tasks drawn`);
        }
      }
      // Every warning that points at the source opens it.
      const located = report.warnings.filter((w) => w.location);
      const links = page.locator('li.warning a.location');
      assert.equal(await links.count(), located.length);
      for (let i = 0; i < located.length; i++) {
        await links.nth(i).click();
        assert.deepEqual((await panel.posted()).at(-1), { type: 'openLocation', location: located[i].location });
      }
      assert.deepEqual(panel.errors, []);
      assert.deepEqual(await panel.violations(), []);
      await panel.screenshot(`panel-real-${c.fn}-${c.theme.name}`);
      await page.context().close();
    });
  }
});
