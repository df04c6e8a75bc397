/**
 * The panel's safety in real Chromium: text from user code is shown as text and never runs, and
 * the page's Content-Security-Policy (built by panelHtml) blocks scripts without the nonce.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPanelBrowser, type PanelBrowser } from './panelPage';
import { firstX, laneCount, timelineShot } from './pixelsOf';
import { makeReport } from './reportFactory';
import { LIGHT } from './themes';

const XSS = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>';

interface PageGlobals {
  __pwned?: number;
  __inline?: number;
  document: {
    createElement(tag: string): { textContent: string };
    body: { append(node: unknown): void };
    querySelector(s: string): { getAttribute(name: string): string | null } | null;
  };
}

describe('panel safety (Chromium)', () => {
  let browser: PanelBrowser;
  before(async () => {
    browser = await startPanelBrowser();
  });
  after(async () => {
    await browser?.stop();
  });

  it('shows markup from user code as text and runs none of it', async () => {
    const panel = await browser.open(LIGHT);
    const dialogs: string[] = [];
    panel.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const report = makeReport({ userText: XSS, errorEvery: 3, lost: 2, workers: 2, tasks: 9, file: `/tmp/${XSS}.ts` });
    await panel.showReport(report);
    const page = panel.page;

    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
    assert.equal(await page.locator('script').count(), 1, 'only the panel bundle is a script');
    assert.equal(await page.locator('.fn').textContent(), XSS, 'function name shown verbatim');
    assert.equal(await page.locator('.verdict').textContent(), XSS);
    assert.equal(await page.locator('code.inputs').textContent(), XSS);
    assert.equal(await page.locator('.target-file').textContent(), `/tmp/${XSS}.ts`);
    for (const message of await page.locator('li.warning .message').allTextContents()) {
      if (message !== report.warnings.find((w) => w.kind === 'overhead')!.message) assert.equal(message, XSS);
    }
    assert.equal(await page.locator('li[data-kind="race"] pre.details').textContent(), XSS);

    // The error and the result preview in a task's hover details.
    const shot = await timelineShot(panel, 'threads');
    const red = LIGHT.vars['--vscode-charts-red'];
    const lane = shot.laneCenters.findIndex((_, i) => laneCount(shot, i, red, 0) > 0);
    await page
      .locator('canvas.timeline-canvas[data-strategy="threads"]')
      .hover({ position: { x: firstX(shot, lane, red) + 2, y: shot.laneCenters[lane] } });
    const tooltip = page.locator('.timeline[data-strategy="threads"] .tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.ok((await tooltip.textContent())!.includes(`error${XSS}`), 'error text in the tooltip, as text');
    assert.equal(await page.locator('img').count(), 0);

    await panel.post({ type: 'progress', target: XSS, lines: [XSS] });
    await page.locator('#progress').waitFor();
    assert.equal(await page.locator('#progress code').textContent(), XSS);
    assert.equal(await page.locator('img').count(), 0);

    await page.waitForTimeout(200); // let any (wrongly) created element try to load and fire
    assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined, 'no injected handler or script ran');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('panel-xss');
    await page.context().close();
  });

  it('serves a CSP with a fresh nonce that blocks scripts without it', async () => {
    const first = await browser.open(LIGHT);
    const second = await browser.open(LIGHT);
    const policy = (p: typeof first) =>
      p.page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!);
    const csp = await policy(first);
    const origin = new URL(first.page.url()).origin;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
    assert.ok(nonce.length >= 16, 'a nonce of at least 16 characters');
    assert.equal(
      csp,
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin}; img-src ${origin} data:; font-src ${origin}`,
    );
    assert.notEqual(await policy(second), csp, 'every page load gets a new nonce');
    await second.page.context().close();

    await first.page.evaluate(() => {
      const s = (globalThis as unknown as PageGlobals).document.createElement('script');
      s.textContent = 'window.__inline = 1';
      (globalThis as unknown as PageGlobals).document.body.append(s);
    });
    assert.equal(await first.page.evaluate(() => (globalThis as unknown as PageGlobals).__inline), undefined, 'an inline script without the nonce is blocked');
    assert.ok((await first.violations()).some((v) => v.startsWith('script-src')), 'the browser reported the blocked script');
    await first.page.context().close();
  });
});
