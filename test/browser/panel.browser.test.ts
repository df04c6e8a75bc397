/**
 * The profiling panel in real Chromium: the real bundle and stylesheet under the real CSP, a
 * report posted as VS Code posts it, and the pixels on screen checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/core/model';
import { formatMs } from '../../webview/format';
import { startPanelBrowser, type PanelBrowser } from './panelPage';
import { firstX, laneCount, longestRun, solidCount, timelineShot, totalCount } from './pixelsOf';
import { makeReport } from './reportFactory';
import { DARK, HIGH_CONTRAST, LIGHT } from './themes';

const blue = (t: typeof LIGHT) => t.vars['--vscode-charts-blue'];
const red = (t: typeof LIGHT) => t.vars['--vscode-charts-red'];

describe('profiling panel (Chromium)', () => {
  let browser: PanelBrowser;
  before(async () => {
    browser = await startPanelBrowser();
  });
  after(async () => {
    await browser?.stop();
  });

  it('says ready before anything is posted, then renders table, verdict, lanes and counter', async () => {
    const panel = await browser.open(LIGHT);
    assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
    const report = makeReport({ workers: 4, tasks: 24, errorEvery: 7, lost: 3, locks: true });
    await panel.showReport(report);
    const page = panel.page;

    const rows = page.locator('table.summary tbody tr');
    assert.equal(await rows.count(), report.runs.length);
    for (const [i, run] of report.runs.entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      assert.match(cells[0], new RegExp(`^${run.strategy}`));
      assert.equal(cells[1], String(run.workers));
      assert.equal(cells[2], formatMs(run.wallMs));
      assert.equal(cells[7], String(run.counter.lost));
      assert.equal(cells[8], String(report.warnings.filter((w) => w.strategy === run.strategy).length));
    }
    assert.equal(await page.locator('.verdict').textContent(), report.verdict);
    const counterLost = await page.locator('table.counter tbody tr td:last-child').allTextContents();
    assert.deepEqual(counterLost, report.runs.map((r) => String(r.counter.lost)));
    assert.equal(await page.locator('ul.warnings li').count(), report.warnings.length);

    // One canvas per run; every lane has ok-coloured bars; errors, start-up and lock waits drawn.
    assert.equal(await page.locator('canvas.timeline-canvas').count(), report.runs.length);
    for (const run of report.runs) {
      const shot = await timelineShot(panel, run.strategy);
      assert.equal(shot.laneCenters.length, run.workers, `${run.strategy}: one lane per worker`);
      for (let lane = 0; lane < run.workers; lane++) {
        assert.ok(laneCount(shot, lane, blue(LIGHT)) > 20, `${run.strategy} lane ${lane} has ok bars`);
      }
      assert.ok(totalCount(shot, red(LIGHT)) > 20, `${run.strategy}: failed tasks drawn in the error colour`);
      assert.equal(solidCount(shot, blue(DARK)), 0, 'no dark-theme colour in a light theme');
      if (run.strategy !== 'sequential') {
        assert.ok(totalCount(shot, LIGHT.vars['--vscode-charts-green']) > 20, `${run.strategy}: start-up segments`);
        assert.ok(totalCount(shot, LIGHT.vars['--vscode-charts-yellow']) > 20, `${run.strategy}: lock waits`);
      }
    }
    const chart = await panel.pixels('canvas.speedup-canvas');
    assert.ok(totalCount(chart, blue(LIGHT)) > 200, 'speedup chart draws the measured bars in the theme colour');

    // Messages travel as JSON (undefined fields dropped), as between VS Code and a webview.
    assert.deepEqual((await panel.state())?.report, JSON.parse(JSON.stringify(report)), 'the report is kept with setState for a reload');
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('panel-light');
    await panel.page.context().close();
  });

  it('renders in the dark theme and re-reads colours when the theme changes', async () => {
    const panel = await browser.open(DARK);
    await panel.showReport(makeReport({ errorEvery: 5, lost: 2 }));
    await panel.screenshot('panel-dark');
    let shot = await timelineShot(panel, 'threads');
    assert.ok(solidCount(shot, blue(DARK)) > 100);
    assert.equal(solidCount(shot, blue(LIGHT)), 0);
    assert.ok(solidCount(await panel.pixels('canvas.speedup-canvas'), blue(DARK)) > 200);

    await panel.setTheme(LIGHT);
    shot = await timelineShot(panel, 'threads');
    assert.ok(solidCount(shot, blue(LIGHT)) > 100, 'timeline redrawn in the new theme');
    assert.equal(solidCount(shot, blue(DARK)), 0, 'no colour of the old theme left');
    const chart = await panel.pixels('canvas.speedup-canvas');
    assert.ok(solidCount(chart, blue(LIGHT)) > 200, 'chart rebuilt in the new theme');
    assert.equal(solidCount(chart, blue(DARK)), 0);

    // Switching between two themes of one kind changes only the variables (and the host posts `theme`).
    await panel.page.evaluate((vars) => {
      const html = (globalThis as unknown as { document: { documentElement: { style: { setProperty(k: string, v: string): void } } } }).document.documentElement;
      html.style.setProperty('--vscode-charts-blue', vars);
    }, DARK.vars['--vscode-charts-blue']);
    await panel.post({ type: 'theme' });
    shot = await timelineShot(panel, 'threads');
    assert.ok(solidCount(shot, blue(DARK)) > 100);
    assert.equal(solidCount(shot, blue(LIGHT)), 0);
    assert.deepEqual(panel.errors, []);
    await panel.page.context().close();
  });

  it('is readable in a high-contrast theme', async () => {
    const panel = await browser.open(HIGH_CONTRAST);
    await panel.showReport(makeReport({ errorEvery: 6, lost: 1, locks: true }));
    await panel.screenshot('panel-high-contrast');
    const shot = await timelineShot(panel, 'processes');
    assert.ok(totalCount(shot, blue(HIGH_CONTRAST)) > 100);
    const bg = await panel.page.evaluate(() => {
      const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
      return g.getComputedStyle(g.document.body).backgroundColor;
    });
    assert.equal(bg, 'rgb(0, 0, 0)', 'page background from --vscode-editor-background');
    await panel.page.context().close();
  });

  it('posts openLocation for a warning and the toolbar actions to the host', async () => {
    const panel = await browser.open(LIGHT);
    const report = makeReport({ lost: 4, errorEvery: 9, file: '/work/project/lib/race.ts' });
    await panel.showReport(report);
    const race = report.warnings.find((w) => w.kind === 'race')!;
    await panel.page.locator('li[data-kind="race"] a.location').click();
    await panel.page.getByRole('button', { name: 'Re-run' }).click();
    await panel.page.getByRole('button', { name: /Export Chrome trace/ }).click();
    await panel.page.getByRole('button', { name: /Save report/ }).click();
    assert.deepEqual((await panel.posted()).slice(1), [
      { type: 'openLocation', location: race.location },
      { type: 'rerun' },
      { type: 'exportTrace' },
      { type: 'exportReport' },
    ]);
    await panel.page.context().close();
  });

  it('shows task details on hover and opens a failed task at its error location on click', async () => {
    const panel = await browser.open(LIGHT);
    const report = makeReport({ workers: 2, tasks: 12, errorEvery: 4, errorText: 'RangeError: n must be positive' });
    await panel.showReport(report);
    const shot = await timelineShot(panel, 'threads');
    const lane = shot.laneCenters.findIndex((_, i) => laneCount(shot, i, red(LIGHT), 0) > 0);
    assert.ok(lane >= 0, 'a lane shows a failed task');
    const x = firstX(shot, lane, red(LIGHT));
    const canvas = panel.page.locator('canvas.timeline-canvas[data-strategy="threads"]');
    await canvas.hover({ position: { x: x + 2, y: shot.laneCenters[lane] } });
    const tooltip = panel.page.locator('.timeline[data-strategy="threads"] .tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const text = (await tooltip.textContent()) ?? '';
    assert.match(text, /status\s*error/);
    assert.match(text, /RangeError: n must be positive/);
    const index = Number(/input\s*#(\d+)/.exec(text)?.[1]);
    const task = report.runs[1].tasks.find((t) => t.index === index)!;
    assert.equal(task.status, 'error');
    assert.equal(task.lane, lane);
    assert.match(text, new RegExp(`worker\\s*${lane}`));
    await panel.screenshot('panel-hover');
    await canvas.click({ position: { x: x + 2, y: shot.laneCenters[lane] } });
    assert.deepEqual((await panel.posted()).at(-1), { type: 'openLocation', location: task.errorLocation });
    await panel.page.context().close();
  });

  it('zooms with the wheel, pans by dragging and resets', async () => {
    const panel = await browser.open(LIGHT);
    await panel.showReport(makeReport({ workers: 2, tasks: 40 }));
    const selector = 'canvas.timeline-canvas[data-strategy="sequential"]';
    const before = await timelineShot(panel, 'sequential');
    const widest = longestRun(before, 0, blue(LIGHT));
    const box = (await panel.page.locator(selector).boundingBox())!;
    const y = box.y + before.laneCenters[0];
    await panel.page.mouse.move(box.x + box.width / 2, y);
    for (let i = 0; i < 5; i++) await panel.page.mouse.wheel(0, -300);
    const zoomed = await timelineShot(panel, 'sequential');
    assert.ok(longestRun(zoomed, 0, blue(LIGHT)) > widest * 2, 'bars are wider after zooming in');

    await panel.page.mouse.move(box.x + box.width / 2, y);
    await panel.page.mouse.down();
    await panel.page.mouse.move(box.x + box.width / 2 + 200, y, { steps: 5 });
    await panel.page.mouse.up();
    const panned = await timelineShot(panel, 'sequential');
    assert.notDeepEqual(panned.pixels.data, zoomed.pixels.data, 'dragging moves the view');

    await panel.page.locator('.timeline[data-strategy="sequential"]').getByRole('button', { name: 'Reset zoom' }).click();
    const reset = await timelineShot(panel, 'sequential');
    assert.deepEqual(reset.pixels.data, before.pixels.data, 'reset shows the whole run again');
    assert.deepEqual(panel.errors, []);
    await panel.page.context().close();
  });

  it('restores the report from its saved state after a reload, before the host posts', async () => {
    const report = makeReport({ workers: 3, lost: 5 });
    const panel = await browser.open(DARK, { state: { report } });
    await panel.page.locator('table.summary tbody tr').first().waitFor();
    assert.equal(await panel.page.locator('table.summary tbody tr').count(), report.runs.length);
    assert.equal(await panel.page.locator('.fn').textContent(), report.target.name);
    assert.deepEqual(await panel.posted(), [{ type: 'ready' }]);
    const shot = await timelineShot(panel, 'processes');
    assert.equal(shot.laneCenters.length, 3);
    for (let lane = 0; lane < 3; lane++) assert.ok(laneCount(shot, lane, blue(DARK)) > 20);

    // The host answers `ready` with the same report: it is not rendered a second time.
    const rendered = await panel.page.locator('body').getAttribute('data-rendered');
    await panel.post({ type: 'report', report });
    await panel.post({ type: 'progress', target: 'next', lines: [] }); // messages are handled in order
    await panel.page.locator('#progress').waitFor();
    assert.equal(await panel.page.locator('body').getAttribute('data-rendered'), rendered);
    await panel.page.context().close();
  });

  it('shows live progress, then the report', async () => {
    const panel = await browser.open(LIGHT);
    await panel.post({ type: 'progress', target: 'countPrimes', lines: ['sequential 12/24', 'threads 0/24'] });
    await panel.page.locator('#progress').waitFor();
    assert.equal(await panel.page.locator('.progress-lines').textContent(), 'sequential 12/24\nthreads 0/24');
    assert.equal(await panel.page.getByRole('button', { name: 'Re-run' }).isDisabled(), true);
    await panel.showReport(makeReport());
    assert.equal(await panel.page.locator('#progress').count(), 0);
    assert.equal(await panel.page.getByRole('button', { name: 'Re-run' }).isDisabled(), false);
    await panel.page.context().close();
  });

  it('marks a run stopped before its tasks ran, with no speedup', async () => {
    const report = makeReport({ workers: 2 });
    const processes = report.runs.find((r) => r.strategy === 'processes')!;
    Object.assign(processes, { aborted: 'processes strategy skipped: input 1 (lock) cannot be pickled', lanes: [], tasks: [], wallMs: 1.2 });
    processes.metrics = { ...processes.metrics, speedup: null, efficiency: null };
    const panel = await browser.open(LIGHT);
    await panel.showReport(report);
    const row = panel.page.locator('table.summary tbody tr[data-strategy="processes"]');
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], 'processes (skipped)');
    assert.equal(cells[4], '—');
    assert.equal(await row.getAttribute('class'), 'aborted-row');
    assert.equal(await row.locator('td').first().getAttribute('title'), `stopped: ${processes.aborted}`);
    assert.deepEqual(panel.errors, []);
    await panel.page.context().close();
  });

  it('says in one line why a malformed report cannot be shown, and recovers with the next one', async () => {
    const panel = await browser.open(LIGHT);
    await panel.post({ type: 'report', report: { version: 1, target: { name: 'x' } } as unknown as Report });
    const banner = panel.page.locator('.banner');
    await banner.waitFor();
    assert.equal(await banner.textContent(), 'This report cannot be shown: runs is missing. Re-run the profile or open another report.');
    assert.equal(await panel.state(), undefined, 'a report that cannot be shown is not kept for a reload');
    await panel.showReport(makeReport());
    assert.equal(await panel.page.locator('table.summary tbody tr').count(), 3);
    assert.deepEqual(panel.errors, []);
    await panel.page.context().close();
  });
});
