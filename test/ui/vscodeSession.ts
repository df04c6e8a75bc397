/**
 * A real VS Code (code-server) driven by Playwright on Debian's Chromium, for UI tests.
 * Each session owns a scratch folder (HOME, settings, extensions) under the run's one temp folder,
 * and `stop()` ends code-server and the browser by process-group id, also when a test failed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/browser';
import { remoteUri, startCodeServer, workbenchUrl, type CodeServer } from '../../scripts/lib/codeServer';
import { ensureChromium, ensureCodeServer } from '../../scripts/lib/install';
import { artifactsDir, removeQuietly, repoRoot, scratchRoot, subDir } from '../../scripts/lib/paths';

/** Where UI tests save screenshots. */
export const screenshotsDir = join(artifactsDir, 'screenshots');

/** What a UI test asks for. */
export interface VsCodeSessionOptions {
  /** Folder to open. */
  workspace: string;
  /** A file to open once the workbench is up. */
  file?: string;
  /** false: start without `--disable-workspace-trust`, so the workspace opens untrusted. */
  trusted?: boolean;
  /** A colour theme label, e.g. 'Default Light Modern'. */
  theme?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Extension folder loaded as in an Extension Development Host; the repo when omitted. */
  extensionPath?: string;
  /** Browser viewport; 1400×900 when omitted. */
  viewport?: { width: number; height: number };
}

/** A running session. */
export interface VsCodeSession {
  page: Page;
  /** The workbench URL the page was opened at. */
  url: string;
  server: CodeServer;
  /** Opens a file through Quick Open and waits for its editor tab. */
  openFile(absPath: string): Promise<void>;
  /** Runs a command from the command palette by its label (e.g. 'Parallel Profiler: Open Panel'). */
  runCommand(label: string): Promise<void>;
  /** A code lens in the visible editor whose text contains `text`. */
  codeLens(text: string): Locator;
  /** The content of the first ready webview (two iframes deep). */
  webview(): FrameLocator;
  /** Saves a full-page PNG to test-artifacts/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Ends the browser and code-server (by process group) and removes the scratch folder. */
  stop(): Promise<void>;
}

/**
 * Starts code-server (installing it into the cache on first use) and Chromium, opens `workspace`
 * with the extension loaded as in an Extension Development Host, and waits for the workbench.
 */
export async function startVsCode(options: VsCodeSessionOptions): Promise<VsCodeSession> {
  const log = (line: string): void => console.error(`[vscodeSession] ${line}`);
  const install = ensureCodeServer(log);
  if ('missing' in install) throw new Error(install.missing);
  const chromium = ensureChromium(log);
  if ('missing' in chromium) throw new Error(chromium.missing);

  const root = scratchRoot('parallel-profiler-ui-');
  const scratch = subDir(root.dir, 'ui');
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
    removeQuietly(root.owned ? root.dir : scratch);
  };
  try {
    const settings = { ...options.settings, ...(options.theme ? { 'workbench.colorTheme': options.theme } : {}) };
    const server = await startCodeServer(install, {
      scratch,
      workspace: options.workspace,
      trusted: options.trusted,
      testDriver: true,
      settings,
    });
    cleanups.push(server.stop);
    const launched = await launchChromium(chromium.path, { ...process.env, HOME: join(scratch, 'home'), TMPDIR: join(scratch, 'tmp') });
    cleanups.push(launched.close);
    const context = await launched.browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const payload: Array<[string, string]> = [['extensionDevelopmentPath', remoteUri(options.extensionPath ?? repoRoot)]];
    if (options.file) payload.push(['openFile', remoteUri(options.file)]);
    const url = workbenchUrl(server.url, options.workspace, payload);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });

    const session: VsCodeSession = {
      page,
      url,
      server,
      openFile: async (absPath) => {
        const name = absPath.slice(absPath.lastIndexOf('/') + 1);
        await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill(absPath.startsWith(options.workspace) ? absPath.slice(options.workspace.length + 1) : absPath);
        await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible' });
        await page.keyboard.press('Enter');
        await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ state: 'visible' });
      },
      runCommand: async (label) => {
        await page.keyboard.press('Control+Shift+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill(`>${label}`);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible' });
        await page.keyboard.press('Enter');
      },
      codeLens: (text) => page.locator('.monaco-editor .contentWidgets .codelens-decoration a', { hasText: text }),
      webview: () => page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame'),
      screenshot: async (name) => {
        mkdirSync(screenshotsDir, { recursive: true });
        const file = join(screenshotsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      stop,
    };
    return session;
  } catch (error) {
    await stop();
    throw error;
  }
}
