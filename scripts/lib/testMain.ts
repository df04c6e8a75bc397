/**
 * `npm test`: runs the five tiers in order — build + types, unit, browser, in-host, UI — and ends
 * with one line `N passed, N failed, N skipped` summing them all; exits non-zero on any failure.
 * Installs code-server (cache dir) and Chromium (apt, as root) on first use; where it cannot, it
 * says what to install in one line and skips only the tiers that need them.
 * `npm test -- --only=unit,inhost` runs some tiers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildInHostTests, runInHost } from './inHost';
import { ensureChromium, ensureCodeServer, isRoot, type CodeServerInstall } from './install';
import { artifactsDir, cacheDir, removeQuietly, repoRoot, scratchRoot } from './paths';
import { killAllGroups, sweepProcessesUnder } from './processGroup';
import { addInto, runCheck, runNodeTests, testFiles, zero, type Tally } from './tiers';

const TIERS = ['build', 'unit', 'browser', 'inhost', 'ui'] as const;
type Tier = (typeof TIERS)[number];

const MINUTE = 60_000;

/** Runs the selected tiers and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const unknown = only?.filter((t) => !(TIERS as readonly string[]).includes(t)) ?? [];
  if (unknown.length) {
    console.log(`unknown tier ${unknown.join(', ')}: choose from ${TIERS.join(', ')}`);
    return 2;
  }
  const selected = (t: Tier): boolean => !only || only.includes(t);

  const root = scratchRoot('parallel-profiler-test-');
  const home = join(root.dir, 'home');
  const tmp = join(root.dir, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  mkdirSync(artifactsDir, { recursive: true });
  removeQuietly(join(artifactsDir, 'logs')); // code-server logs of this run only
  // Tests see a scratch HOME and TMPDIR inside the one temp folder; the code-server cache stays put.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    PP_CACHE_DIR: cacheDir(),
    PP_SCRATCH_DIR: root.dir,
    NODE_OPTIONS: '',
  };
  // This process launches Chromium for the in-host tier: its temp profiles go under the scratch too.
  process.env.TMPDIR = tmp;
  // Ctrl+C or a kill: processGroup ends the groups it knows; this ends the rest and the scratch.
  process.once('exit', () => {
    sweepProcessesUnder(root.dir);
    if (root.owned) removeQuietly(root.dir);
  });
  const total = zero();
  const lines: string[] = [];
  const started = Date.now();
  const log = (line: string): void => console.log(`[test] ${line}`);

  // Tools for the browser, in-host and UI tiers, installed once on first use.
  let chromium: string | undefined;
  let codeServer: CodeServerInstall | undefined;
  let chromiumMissing: string | undefined;
  let codeServerMissing: string | undefined;
  const needChromium = (): boolean => {
    if (chromium || chromiumMissing) return chromium !== undefined;
    const found = ensureChromium(log);
    if ('missing' in found) chromiumMissing = found.missing;
    else chromium = found.path;
    return chromium !== undefined;
  };
  const needCodeServer = (): boolean => {
    if (codeServer || codeServerMissing) return codeServer !== undefined;
    const found = ensureCodeServer(log);
    if ('missing' in found) codeServerMissing = found.missing;
    else codeServer = found;
    return codeServer !== undefined;
  };

  const tier = async (name: Tier, title: string, run: () => Promise<Tally>): Promise<void> => {
    if (!selected(name)) return;
    console.log(`\n━━ ${title} ━━`);
    const t0 = Date.now();
    let tally: Tally;
    try {
      tally = await run();
    } catch (error) {
      console.log(`FAIL ${title}: ${error instanceof Error ? error.message : String(error)}`);
      tally = { passed: 0, failed: 1, skipped: 0 };
    }
    const swept = sweepProcessesUnder(root.dir);
    if (swept > 0) console.log(`note: killed ${swept} process group(s) that ${title} left running`);
    addInto(total, tally);
    const line = `${title}: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped (${Math.round((Date.now() - t0) / 1000)} s)`;
    lines.push(line);
    console.log(`── ${line}`);
  };

  /** Skips a tier with nothing to run: one line, counted as skipped. */
  const skip = (files: string[], why: string): Tally => {
    console.log(`SKIPPED: ${why}`);
    return { passed: 0, failed: 0, skipped: files.length };
  };
  /**
   * A tier whose tools are missing: skipped with one line saying what to install, unless this is
   * root (as on CI), where installing was possible and its failure is a failure.
   */
  const missingTools = (files: string[], why: string): Tally => {
    if (!isRoot) return skip(files, why);
    console.log(`FAIL ${why}`);
    return { passed: 0, failed: 1, skipped: 0 };
  };

  try {
    await tier('build', 'build + types', async () => {
      const t = zero();
      addInto(t, await runCheck('node esbuild.mjs', process.execPath, ['esbuild.mjs'], env, 3 * MINUTE));
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      addInto(t, await runCheck('tsc --noEmit -p .', process.execPath, [tsc, '--noEmit', '-p', '.'], env, 5 * MINUTE));
      if (existsSync(join(repoRoot, 'tsconfig.webview.json'))) {
        addInto(t, await runCheck('tsc --noEmit -p tsconfig.webview.json', process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.webview.json'], env, 5 * MINUTE));
      }
      return t;
    });

    await tier('unit', 'unit', async () => {
      const files = testFiles('test/unit', '.unit.test.ts');
      if (!files.length) return skip(files, 'no test/unit/*.unit.test.ts files');
      // ~4.5 minutes on a quiet 2-core host; a busy one has taken over six.
      return runNodeTests(files, env, join(root.dir, 'unit.tap'), 9 * MINUTE);
    });

    await tier('browser', 'browser (Chromium)', async () => {
      const files = testFiles('test/browser', '.browser.test.ts');
      if (!files.length) return skip(files, 'no test/browser/*.browser.test.ts files');
      if (!needChromium()) return missingTools(files, `browser tier needs Chromium — ${chromiumMissing}`);
      return runNodeTests(files, { ...env, PP_CHROMIUM: chromium }, join(root.dir, 'browser.tap'), 4 * MINUTE);
    });

    await tier('inhost', 'in-host (VS Code extension host in code-server)', async () => {
      const files = testFiles('test/integration', '.test.ts');
      if (!files.length) return skip(files, 'no test/integration/*.test.ts suites');
      if (!needChromium()) return missingTools(files, `in-host tier needs Chromium — ${chromiumMissing}`);
      if (!needCodeServer()) return missingTools(files, `in-host tier needs code-server — ${codeServerMissing}`);
      const scratch = join(root.dir, 'inhost');
      const testsDir = join(scratch, 'suites');
      await buildInHostTests(testsDir);
      const workspace = join(repoRoot, 'test', 'fixtures');
      mkdirSync(workspace, { recursive: true });
      const results = await runInHost({
        install: codeServer!,
        chromiumPath: chromium!,
        scratch,
        workspace,
        testsDir,
        timeoutMs: 7 * MINUTE,
        onLine: (line) => console.log(line),
      });
      if (results.fatal && results.failed === 0) return { passed: results.passed, failed: 1, skipped: results.pending };
      return { passed: results.passed, failed: results.failed, skipped: results.pending };
    });

    await tier('ui', 'UI (Playwright on code-server)', async () => {
      const files = testFiles('test/ui', '.ui.test.ts');
      if (!files.length) return skip(files, 'no test/ui/*.ui.test.ts files');
      if (!needChromium()) return missingTools(files, `UI tier needs Chromium — ${chromiumMissing}`);
      if (!needCodeServer()) return missingTools(files, `UI tier needs code-server — ${codeServerMissing}`);
      return runNodeTests(files, { ...env, PP_CHROMIUM: chromium }, join(root.dir, 'ui.tap'), 8 * MINUTE);
    });
  } finally {
    killAllGroups();
    if (root.owned) removeQuietly(root.dir);
  }

  console.log(`\n━━ summary (${Math.round((Date.now() - started) / 1000)} s) ━━`);
  for (const line of lines) console.log(`  ${line}`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed > 0 ? 1 : 0;
}
