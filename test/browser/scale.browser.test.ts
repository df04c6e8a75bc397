/**
 * 100 000 tasks in real Chromium: every lane is drawn (bars narrower than a pixel merged per
 * column), hovering still finds single tasks, zooming in separates them again. Render and draw
 * times are printed, never asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPanelBrowser, type PanelBrowser } from './panelPage';
import { barWidths, laneCount, timelineShot } from './pixelsOf';
import { DARK } from './themes';

describe('panel with 100k tasks (Chromium)', () => {
  let browser: PanelBrowser;
  before(async () => {
    browser = await startPanelBrowser();
  });
  after(async () => {
    await browser?.stop();
  });

  it('draws every lane, hovers and zooms', async () => {
    const tasks = 100_000;
    const workers = 4;
    const panel = await browser.open(DARK, { width: 1400 });
    const counts = await panel.showGeneratedReport({ tasks, workers, taskMs: 0.5, errorEvery: 1000 });
    assert.deepEqual(counts, [tasks, tasks, tasks]);
    const renderMs = await panel.page.locator('body').getAttribute('data-render-ms');
    const drawMs = await panel.page
      .locator('canvas.timeline-canvas')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-strategy')} ${e.getAttribute('data-draw-ms')} ms`));
    console.log(`# ${tasks} tasks × ${counts.length} runs: whole panel rendered in ${renderMs} ms; timeline draws: ${drawMs.join(', ')}`);
    await panel.screenshot('panel-100k');

    const blue = DARK.vars['--vscode-charts-blue'];
    for (const [i, strategy] of ['sequential', 'threads', 'processes'].entries()) {
      const shot = await timelineShot(panel, strategy);
      const lanes = i === 0 ? 1 : workers;
      assert.equal(shot.laneCenters.length, lanes);
      const plotWidth = shot.pixels.width - shot.plotLeft;
      for (let lane = 0; lane < lanes; lane++) {
        // Thousands of sub-pixel tasks merge into solid bars rather than vanishing.
        assert.ok(laneCount(shot, lane, blue, 0) > plotWidth / 2, `${strategy} lane ${lane} is covered by bars`);
      }
      assert.ok(laneCount(shot, 0, DARK.vars['--vscode-charts-red']) > 0, `${strategy}: failed tasks stay visible`);
    }

    // Hover the middle of the threads timeline: one task's details.
    const shot = await timelineShot(panel, 'threads');
    const canvas = panel.page.locator('canvas.timeline-canvas[data-strategy="threads"]');
    const x = Math.round((shot.plotLeft + shot.pixels.width) / 2);
    await canvas.hover({ position: { x, y: shot.laneCenters[1] } });
    const tooltip = panel.page.locator('.timeline[data-strategy="threads"] .tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.match((await tooltip.textContent()) ?? '', /input\s*#\d+.*worker\s*1/s, 'a task of the hovered lane');

    // Zoom in step by step until single tasks show as separate bars several pixels wide.
    const box = (await canvas.boundingBox())!;
    await panel.page.mouse.move(box.x + x, box.y + shot.laneCenters[1]);
    let separate: number[] = [];
    for (let step = 0; step < 80 && separate.length < 2; step++) {
      await panel.page.mouse.wheel(0, -150);
      separate = barWidths(await timelineShot(panel, 'threads'), 1, blue).filter((w) => w >= 3);
    }
    assert.ok(separate.length >= 2, 'zooming in shows single tasks as separate bars');
    await panel.pixels('canvas.timeline-canvas[data-strategy="threads"]', 'panel-100k-zoomed');
    assert.deepEqual(panel.errors, []);
    await panel.page.context().close();
  });
});
