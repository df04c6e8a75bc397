/**
 * Loads the real panel in Debian's Chromium: a local HTTP server serves the page that
 * `panelHtml` builds (same CSP, nonce and bundle as in VS Code) with dist/webview.js and
 * media/panel.css; an init script stands in for VS Code's webview host (`acquireVsCodeApi`,
 * theme variables, body class) and records what the panel posts.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { buildSync } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Report } from '../../src/core/model';
import type { FromWebview, PanelState, ToWebview } from '../../src/core/webviewProtocol';
import { panelHtml } from '../../src/extension/panelHtml';
import { decodePng, type Pixels } from './png';
import type { ReportOptions } from './reportFactory';
import type { TestTheme } from './themes';
import { chromiumArgs } from '../../scripts/lib/browser';

const ROOT = resolve(__dirname, '..', '..');
/** Where screenshots go (the test harness collects this folder). */
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

/** The page's globals the shim adds. */
interface ShimWindow {
  postMessage(message: unknown, targetOrigin: string): void;
  __posted: FromWebview[];
  __violations: string[];
  __state: PanelState | undefined;
  __applyTheme(theme: TestTheme): void;
  document: { body: { dataset: Record<string, string | undefined> } };
}

/** One loaded panel page. */
export interface PanelPage {
  page: Page;
  /** Delivers a host → webview message, as VS Code does (a window message event). */
  post(message: ToWebview): Promise<void>;
  /** Posts a report and waits until the panel has rendered it. */
  showReport(report: Report): Promise<void>;
  /**
   * Makes the report inside the page (the same factory, bundled) and posts it, so a 100k-task
   * report does not cross the DevTools protocol. Resolves with the report's task count per run.
   */
  showGeneratedReport(options: ReportOptions): Promise<number[]>;
  /** Everything the webview posted to the host so far. */
  posted(): Promise<FromWebview[]>;
  /** The last `setState` value. */
  state(): Promise<PanelState | undefined>;
  /** Content-Security-Policy violations reported by the page. */
  violations(): Promise<string[]>;
  /** Uncaught errors in the page. */
  errors: string[];
  /** Switches theme the way VS Code does: new variables and body class. */
  setTheme(theme: TestTheme): Promise<void>;
  /** Screenshot of one element, decoded; saved under test-artifacts/screenshots when named. */
  pixels(selector: string, name?: string): Promise<Pixels>;
  /** Full-page screenshot saved as `name`.png. */
  screenshot(name: string): Promise<void>;
}

/** A browser plus the page server; `open` loads a fresh panel, `stop` ends both. */
export interface PanelBrowser {
  open(theme: TestTheme, options?: { state?: PanelState; width?: number }): Promise<PanelPage>;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

let factory: string | undefined;
/** The report factory bundled for the page (as `__factory`); init scripts are not subject to the CSP. */
function factoryScript(): string {
  factory ??= buildSync({
    entryPoints: [join(__dirname, 'reportFactory.ts')],
    bundle: true,
    format: 'iife',
    globalName: '__factory',
    platform: 'browser',
    footer: { js: 'globalThis.__factory = __factory;' },
    write: false,
  }).outputFiles[0].text;
  return factory;
}

/** Throws a clear message when dist/webview.js is missing or older than the webview sources. */
function checkBundle(): void {
  const bundle = join(ROOT, 'dist', 'webview.js');
  if (!existsSync(bundle)) throw new Error('dist/webview.js is missing: run `node esbuild.mjs` first.');
  const built = statSync(bundle).mtimeMs;
  const stale = readdirSync(join(ROOT, 'webview')).filter((f) => statSync(join(ROOT, 'webview', f)).mtimeMs > built);
  if (stale.length) throw new Error(`dist/webview.js is older than webview/${stale[0]}: run \`node esbuild.mjs\` first.`);
}

function startServer(): Promise<{ server: Server; origin: string }> {
  return new Promise((ok) => {
    let origin = '';
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(panelHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/panel.css` }));
        return;
      }
      const file = resolve(ROOT, `.${decodeURIComponent(url.pathname)}`);
      const allowed = [join(ROOT, 'dist') + sep, join(ROOT, 'media') + sep].some((d) => file.startsWith(d));
      if (!allowed || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      ok({ server, origin });
    });
  });
}

/** Starts Chromium and the page server. */
export async function startPanelBrowser(): Promise<PanelBrowser> {
  checkBundle();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { server, origin } = await startServer();
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.PP_CHROMIUM || '/usr/bin/chromium',
      // sRGB so that pixel colours can be compared with the theme's.
      args: [...chromiumArgs, '--force-color-profile=srgb'],
    });
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    async open(theme, options = {}) {
      const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: 900 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      if (process.env.PANEL_DEBUG) page.on('console', (m) => console.log('[page]', m.text()));
      if (process.env.PANEL_DEBUG) page.on('pageerror', (e) => console.log('[pageerror]', e.message));
      // tsx compiles with keepNames: functions sent to the page may call esbuild's `__name` helper.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      await page.addInitScript(shim, { theme, state: options.state });
      await page.addInitScript({ content: factoryScript() });
      await page.goto(origin + '/');
      await page.waitForFunction(() => (globalThis as unknown as ShimWindow).__posted.some((m) => m.type === 'ready'));
      const panel: PanelPage = {
        page,
        errors,
        // As a JSON string: Playwright's own argument serialization is slow for 100k-task reports.
        post: (message) => page.evaluate((json) => (globalThis as unknown as ShimWindow).postMessage(JSON.parse(json), '*'), JSON.stringify(message)),
        async showReport(report) {
          await page.evaluate(() => delete (globalThis as unknown as ShimWindow).document.body.dataset.rendered);
          await page.evaluate((json) => (globalThis as unknown as ShimWindow).postMessage(JSON.parse(json), '*'), JSON.stringify({ type: 'report', report }));
          await page.waitForFunction(() => Boolean((globalThis as unknown as ShimWindow).document.body.dataset.rendered));
        },
        async showGeneratedReport(reportOptions) {
          await page.evaluate(() => delete (globalThis as unknown as ShimWindow).document.body.dataset.rendered);
          const counts = await page.evaluate((o) => {
            const w = globalThis as unknown as ShimWindow & { __factory: { makeReport(o: ReportOptions): Report } };
            const report = w.__factory.makeReport(o);
            w.postMessage({ type: 'report', report }, '*');
            return report.runs.map((r) => r.tasks.length);
          }, reportOptions);
          await page.waitForFunction(() => Boolean((globalThis as unknown as ShimWindow).document.body.dataset.rendered));
          return counts;
        },
        posted: () => page.evaluate(() => (globalThis as unknown as ShimWindow).__posted),
        state: () => page.evaluate(() => (globalThis as unknown as ShimWindow).__state),
        violations: () => page.evaluate(() => (globalThis as unknown as ShimWindow).__violations),
        async setTheme(next) {
          await page.evaluate((t) => (globalThis as unknown as ShimWindow).__applyTheme(t), next);
          // The panel redraws on the next animation frame after the class change.
          await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
        },
        async pixels(selector, name) {
          const png = await page.locator(selector).first().screenshot(name ? { path: join(SCREENSHOTS, `${name}.png`) } : {});
          return decodePng(png);
        },
        async screenshot(name) {
          await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
        },
      };
      return panel;
    },
    async stop() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

declare function requestAnimationFrame(callback: () => void): number;

/** Runs in the page before its scripts: VS Code's side of a webview. */
function shim({ theme, state }: { theme: TestTheme; state?: PanelState }): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- page globals, untyped under the Node lib
  const w = globalThis as any;
  const doc = w.document;
  w.__posted = [];
  w.__violations = [];
  w.__state = state;
  doc.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) =>
    w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  let current = theme;
  const apply = (): boolean => {
    const html = doc.documentElement;
    if (html) {
      html.removeAttribute('style');
      for (const [k, v] of Object.entries(current.vars)) html.style.setProperty(k, v);
    }
    if (doc.body) doc.body.className = current.bodyClass;
    return Boolean(html && doc.body);
  };
  w.__applyTheme = (t: TestTheme) => {
    current = t;
    apply();
  };
  if (!apply()) {
    const observer = new w.MutationObserver(() => {
      if (apply()) observer.disconnect();
    });
    observer.observe(doc, { childList: true, subtree: true });
  }
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    apply();
    return {
      postMessage: (m: FromWebview) => w.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => w.__state,
      setState: (s: PanelState) => {
        w.__state = s;
      },
    };
  };
}
