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
import { artifactsDir, keepLog, removeQuietly, repoRoot, scratchRoot, subDir } from '../../scripts/lib/paths';

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
    cleanups.push(async () => {
      await server.stop();
      keepLog(server.logFile, join(artifactsDir, 'logs', `${scratch.slice(scratch.lastIndexOf('/') + 1)}-code-server.log`));
    });
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
        const query = absPath.startsWith(`${options.workspace}/`) ? absPath.slice(options.workspace.length + 1) : absPath;
        const input = await openQuickInput(page, 'Control+P');
        await input.fill(query);
        await clickRow(page, name, `Quick Open "${query}"`);
        await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible' });
      },
      runCommand: async (label) => {
        const input = await openQuickInput(page, 'Control+Shift+P');
        await input.fill(`>${label}`);
        await clickRow(page, label, `command palette "${label}"`);
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

/** Focuses the workbench (not a webview or an old quick input) and opens a quick input with `keys`. */
async function openQuickInput(page: Page, keys: string): Promise<Locator> {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible()) await page.keyboard.press('Escape');
  // The status bar takes focus harmlessly, out of any webview iframe whose keys VS Code may not see.
  await page.locator('.part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => undefined);
  await page.keyboard.press(keys);
  const input = widget.locator('input');
  await input.waitFor({ state: 'visible' });
  return input;
}

/** Clicks the quick-input row whose label is exactly `label`; fails naming the rows it saw. */
async function clickRow(page: Page, label: string, what: string): Promise<void> {
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
  try {
    await exact.first().waitFor({ state: 'visible', timeout: 30_000 });
  } catch {
    const seen = await rows.allTextContents().catch(() => []);
    throw new Error(`${what}: no row labelled "${label}"; rows: ${seen.join(' | ') || '(none)'}`);
  }
  await exact.first().click();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
