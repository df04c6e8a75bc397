import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { InHostResults } from '../../test/integration/harness/results';
import { launchChromium } from './browser';
import { remoteUri, startCodeServer, workbenchUrl } from './codeServer';
import type { CodeServerInstall } from './install';
import { artifactsDir, keepLog, repoRoot } from './paths';
import { sleep } from './processGroup';

/** Where the desktop runner (.vscode-test.mjs) has the in-host suites bundled. */
export const desktopOutDir = join(repoRoot, 'out', 'integration');

/**
 * Bundles test/integration/index.ts (with mocha inside, so it loads from any folder and in any
 * extension host's Node) and each test/integration/*.test.ts into `outDir`, replacing what was
 * there. Suites find fixtures through the extension's path, not their own location.
 */
export async function buildInHostTests(outDir: string): Promise<string[]> {
  const srcDir = join(repoRoot, 'test', 'integration');
  const suites = readdirSync(srcDir).filter((f) => f.endsWith('.test.ts'));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(srcDir, 'index.ts'), ...suites.map((f) => join(srcDir, f))],
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    // mocha's parallel mode (unused here) resolves worker files by path
    logOverride: { 'require-resolve-not-external': 'silent' },
    external: ['vscode'],
  });
  return suites;
}

/** What one in-host run needs. */
export interface InHostOptions {
  install: CodeServerInstall;
  chromiumPath: string;
  /** Scratch folder for this code-server (HOME, settings, extensions). */
  scratch: string;
  /** Folder the Extension Development Host window opens. */
  workspace: string;
  /** Folder holding the bundled tests entry (index.js) and suites, from buildInHostTests. */
  testsDir: string;
  /** Gives up after this long (the whole tier). */
  timeoutMs: number;
  /** Called with each line the suites report, as it arrives. */
  onLine: (line: string) => void;
}

/**
 * Runs the bundled suites inside code-server's Extension Development Host: starts code-server with
 * the smoke-test driver, opens a Chromium page whose payload names the extension and the tests
 * entry, and waits for the results file that `run()` writes (the host's exit code is unreliable).
 * Everything started is stopped by process group before this returns or throws.
 */
export async function runInHost(options: InHostOptions): Promise<InHostResults> {
  const resultsFile = join(options.scratch, 'in-host-results.json');
  const logFile = `${resultsFile}.log`;
  const server = await startCodeServer(options.install, {
    scratch: options.scratch,
    workspace: options.workspace,
    testDriver: true,
    env: { PP_TEST_RESULTS: resultsFile },
  });
  // code-server's log outlives the scratch folder, for a failure's post-mortem.
  const keptLog = join(artifactsDir, 'logs', 'in-host-code-server.log');
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    browser = await launchChromium(options.chromiumPath, {
      ...process.env,
      HOME: join(options.scratch, 'home'),
      TMPDIR: join(options.scratch, 'tmp'),
    });
    const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(
      workbenchUrl(server.url, options.workspace, [
        ['extensionDevelopmentPath', remoteUri(repoRoot)],
        ['extensionTestsPath', remoteUri(join(options.testsDir, 'index.js'))],
      ]),
    );
    const deadline = Date.now() + options.timeoutMs;
    // run() writes its log first thing: without it by then, the window never ran the entry.
    const startLimitMs = Math.min(options.timeoutMs, 150_000);
    const startDeadline = Date.now() + startLimitMs;
    let shown = 0;
    for (;;) {
      shown = streamNewLines(logFile, shown, options.onLine);
      if (existsSync(resultsFile) && statSync(resultsFile).size > 0) {
        streamNewLines(logFile, shown, options.onLine);
        const results = readResults(resultsFile);
        if (results) return results;
      }
      if (!existsSync(logFile) && Date.now() > startDeadline) {
        throw new Error(
          `the Extension Development Host did not start the tests entry within ${Math.round(startLimitMs / 1000)} s; see ${keptLog}` +
            (errors.length ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : ''),
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `in-host tests wrote no results within ${Math.round(options.timeoutMs / 1000)} s; see ${keptLog}` +
            (errors.length ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : ''),
        );
      }
      await sleep(250);
    }
  } finally {
    await browser?.close();
    await server.stop();
    keepLog(server.logFile, keptLog);
  }
}

/** Passes lines of `file` beyond byte `from` to `onLine`; returns the new offset (whole lines only). */
function streamNewLines(file: string, from: number, onLine: (line: string) => void): number {
  if (!existsSync(file)) return from;
  const text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end <= from) return from;
  for (const line of text.slice(from, end).split('\n').slice(0, -1)) onLine(line);
  return end;
}

/** The results file, or undefined while it is still being written. */
function readResults(file: string): InHostResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InHostResults;
  } catch {
    return undefined;
  }
}
