/**
 * The extension as a user meets it, in code-server driven by Chromium: click the lens, answer the
 * input box (a bad expression is reported in the box), see the panel with its table and drawn
 * timelines, profile through the palette, cancel from the progress notification, a function that
 * throws markup (nothing runs), screenshots in a dark and a light theme, and the panel coming back
 * after its webview reloads.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/paths';
import { startVsCode, type VsCodeSession } from './vscodeSession';

const workspace = join(repoRoot, 'test', 'fixtures', 'ext');
const MINUTE = 60_000;

/** Answers the open input box with `text` (replacing its prefilled value). */
async function answerInputBox(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.keyboard.press('Enter');
  await quickInputClosed(page);
}

/** Waits until no quick input (palette, picker, input box) is open, before the next keystrokes. */
async function quickInputClosed(page: Page): Promise<void> {
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: MINUTE });
}

/**
 * A notification whose text contains `text`, looked up in the notification center (toasts are not
 * always shown to a headless page); waits until it is there.
 */
async function notification(vs: VsCodeSession, text: string): Promise<Locator> {
  await quickInputClosed(vs.page);
  await vs.runCommand('Notifications: Show Notifications');
  await quickInputClosed(vs.page);
  const item = vs.page.locator('.notifications-center .notification-list-item', { hasText: text });
  await item.first().waitFor({ state: 'visible', timeout: MINUTE });
  return item.first();
}

/** Waits until the panel shows the report of `name` and returns the webview's content. */
async function panelShowing(vs: VsCodeSession, name: string): Promise<FrameLocator> {
  const web = vs.webview();
  try {
    await web.locator('.report-header .fn', { hasText: name }).waitFor({ state: 'visible', timeout: 3 * MINUTE });
  } catch (error) {
    await vs.screenshot(`vscode-failed-panel-${name}`); // what the window showed instead, for the log
    throw error;
  }
  return web;
}

/** The slice of a browser canvas this file reads (the Node-side tsconfig has no DOM types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** How many pixels of a canvas are painted (not fully transparent). */
function paintedPixels(web: FrameLocator, selector: string): Promise<number> {
  return web.locator(selector).first().evaluate((canvas: Canvas) => {
    const ctx = canvas.getContext('2d');
    if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}

describe('profiling from the editor', { timeout: 12 * MINUTE }, () => {
  let vs: VsCodeSession;
  const dialogs: string[] = [];

  before(async () => {
    vs = await startVsCode({ workspace, file: join(workspace, 'busy.js'), theme: 'Default Dark Modern' });
    vs.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  after(async () => {
    await vs?.stop();
  });

  it('lens → input box → panel with table and timelines', { timeout: 5 * MINUTE }, async () => {
    const { page } = vs;
    const lens = vs.codeLens('Profile parallelism').first();
    await lens.waitFor({ state: 'visible', timeout: 2 * MINUTE });
    await lens.click();

    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    assert.match(await input.inputValue(), /Array\.from/, 'prefilled with a default from the parameters');
    await input.fill('[1, 2');
    await page.locator('.quick-input-widget', { hasText: 'Not a valid JavaScript expression' }).waitFor({ state: 'visible' });
    await answerInputBox(page, 'Array.from({ length: 8 }, (_, i) => 300 + i * 20)');

    const web = await panelShowing(vs, 'busy');
    assert.equal(await web.locator('table.summary tbody tr').count(), 3);
    for (const strategy of ['sequential', 'threads', 'processes']) {
      const canvas = `.timeline[data-strategy="${strategy}"] canvas`;
      await web.locator(canvas).first().waitFor({ state: 'visible' });
      assert.ok((await paintedPixels(web, canvas)) > 0, `${strategy} timeline is drawn`);
    }
    await vs.codeLens('processes').first().waitFor({ state: 'visible', timeout: MINUTE });
    await vs.screenshot('vscode-dark');
    await web.locator('.timeline').first().scrollIntoViewIfNeeded();
    await vs.screenshot('vscode-dark-timelines');
  });

  it('the palette path: Profile Function… picks a function, the box remembers nothing yet', { timeout: 5 * MINUTE }, async () => {
    const { page } = vs;
    await vs.runCommand('Parallel Profiler: Profile Function…');
    const pick = page.locator('.quick-input-widget input');
    await pick.waitFor({ state: 'visible' });
    await pick.fill('power');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'power' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'one argument list per task' }).waitFor({ state: 'visible' });
    await answerInputBox(page, '[[2, 3], [3, 2], [4, 4]]');
    const web = await panelShowing(vs, 'power');
    await web.locator('.report-header', { hasText: '(spread)' }).waitFor({ state: 'visible' });
  });

  it('cancel from the progress notification leaves a partial report', { timeout: 5 * MINUTE }, async () => {
    const { page } = vs;
    await vs.openFile(join(workspace, 'nap.js'));
    const lens = vs.codeLens('Profile parallelism').first();
    await lens.waitFor({ state: 'visible', timeout: 2 * MINUTE });
    await lens.click();
    await answerInputBox(page, 'Array.from({ length: 400 }, () => 100)');
    await vs.codeLens('Profiling…').first().waitFor({ state: 'visible', timeout: MINUTE });
    const progress = await notification(vs, 'Profiling nap');
    // Live task counts per strategy, e.g. "sequential 12/400".
    await progress.getByText(/sequential \d+\/400/).first().waitFor({ state: 'visible', timeout: MINUTE });
    await progress.hover();
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const web = await panelShowing(vs, 'nap');
    await web.locator('.banner', { hasText: 'Cancelled' }).waitFor({ state: 'visible', timeout: MINUTE });
  });

  it('a second profile while one runs asks whether to cancel the first', { timeout: 5 * MINUTE }, async () => {
    const { page } = vs;
    await vs.runCommand('Notifications: Clear All Notifications');
    await quickInputClosed(page);
    await vs.openFile(join(workspace, 'nap.js'));
    await vs.codeLens('Profile parallelism').first().click({ timeout: 2 * MINUTE });
    await answerInputBox(page, 'Array.from({ length: 400 }, () => 100)');
    await vs.codeLens('Profiling…').first().waitFor({ state: 'visible', timeout: MINUTE });
    await vs.openFile(join(workspace, 'busy.ts'));
    await vs.codeLens('Profile parallelism').first().click({ timeout: 2 * MINUTE });
    await answerInputBox(page, '[1, 2, 3]');
    const ask = await notification(vs, 'is still running');
    await ask.hover();
    await ask.locator('.monaco-button', { hasText: 'Cancel and Start' }).click();
    const web = await panelShowing(vs, 'busy');
    await web.locator('.report-header', { hasText: 'busy.ts' }).waitFor({ state: 'visible' });
  });

  it('a function throwing <img src=x onerror=alert(1)> shows it as text and runs nothing', { timeout: 5 * MINUTE }, async () => {
    const { page } = vs;
    await vs.openFile(join(workspace, 'xss.js'));
    const lens = vs.codeLens('Profile parallelism').first();
    await lens.waitFor({ state: 'visible', timeout: 2 * MINUTE });
    await lens.click();
    await answerInputBox(page, '[1, 2, 3]');
    const web = await panelShowing(vs, 'evil');
    await web.locator('body', { hasText: '<img src=x onerror=alert(1)>' }).first().waitFor({ state: 'visible' });
    assert.equal(await web.locator('img').count(), 0, 'the markup became an element');
    assert.deepEqual(dialogs, [], 'a dialog opened');
    await vs.screenshot('vscode-xss');
  });

  it('switching to a light theme keeps the panel readable (screenshot)', { timeout: 3 * MINUTE }, async () => {
    const { page } = vs;
    await vs.runCommand('Preferences: Color Theme');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Light Modern');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Light Modern' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-workbench.vs').waitFor({ state: 'attached', timeout: MINUTE });
    const web = vs.webview();
    await web.locator('.report-header').waitFor({ state: 'visible' });
    await vs.screenshot('vscode-light');
  });

  it('Developer: Reload Webviews brings the panel back with its report', { timeout: 3 * MINUTE }, async () => {
    const before = vs.webview();
    await before.locator('.report-header .fn', { hasText: 'evil' }).waitFor({ state: 'visible' });
    // A mark on the old document: the reloaded one must not have it.
    await before.locator('body').evaluate((body: { dataset: Record<string, string> }) => (body.dataset.beforeReload = 'yes'));
    await vs.runCommand('Developer: Reload Webviews');
    await quickInputClosed(vs.page);
    const web = vs.webview();
    await web.locator('body:not([data-before-reload])').waitFor({ state: 'attached', timeout: MINUTE });
    await panelShowing(vs, 'evil');
    assert.equal(await web.locator('table.summary tbody tr').count(), 3);
    const canvas = '.timeline[data-strategy="threads"] canvas';
    await web.locator(canvas).first().waitFor({ state: 'visible' });
    assert.ok((await paintedPixels(web, canvas)) > 0, 'the threads timeline is drawn again');
  });
});

describe('an untrusted workspace', { timeout: 6 * MINUTE }, () => {
  let vs: VsCodeSession;

  before(async () => {
    vs = await startVsCode({ workspace, file: join(workspace, 'busy.py'), trusted: false });
  });
  after(async () => {
    await vs?.stop();
  });

  it('the lens says why nothing runs and opens trust management', { timeout: 4 * MINUTE }, async () => {
    const lens = vs.codeLens('workspace not trusted').first();
    await lens.waitFor({ state: 'visible', timeout: 2 * MINUTE });
    assert.equal(await vs.codeLens('Profile parallelism').filter({ hasNotText: 'not trusted' }).count(), 0);
    await lens.click();
    // VS Code opens its Workspace Trust editor (a modal editor in recent versions).
    await vs.page.getByText('You are in Restricted Mode').first().waitFor({ state: 'visible', timeout: MINUTE });
    await vs.page.keyboard.press('Escape');
    await vs.page.getByText('You are in Restricted Mode').first().waitFor({ state: 'hidden', timeout: MINUTE });
  });

  it('the command explains and offers to manage trust', { timeout: 2 * MINUTE }, async () => {
    await vs.openFile(join(workspace, 'busy.py'));
    await vs.runCommand('Parallel Profiler: Profile Function…');
    const warning = await notification(vs, 'untrusted workspace');
    await warning.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor({ state: 'visible' });
    await vs.screenshot('vscode-untrusted');
  });
});
