/**
 * `npm run package` makes a platform-specific VSIX of at most 8 MB holding esbuild's native
 * binary, and that VSIX, installed into a fresh code-server (no development path), profiles a
 * function from its code lens through to the panel.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium, type LaunchedBrowser } from '../../scripts/lib/browser';
import { remoteUri, startCodeServer, workbenchUrl, type CodeServer } from '../../scripts/lib/codeServer';
import { ensureChromium, ensureCodeServer, type CodeServerInstall } from '../../scripts/lib/install';
import { removeQuietly, repoRoot, scratchRoot, subDir } from '../../scripts/lib/paths';

const MINUTE = 60_000;
const workspace = join(repoRoot, 'test', 'fixtures', 'ext');
const target = `${process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;

describe('the packaged extension', { timeout: 10 * MINUTE }, () => {
  const root = scratchRoot('parallel-profiler-vsix-');
  const scratch = subDir(root.dir, 'vsix');
  const vsix = join(scratch, 'parallel-profiler.vsix');
  let install: CodeServerInstall;
  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;

  before(() => {
    const found = ensureCodeServer((l) => console.error(l));
    if ('missing' in found) throw new Error(found.missing);
    install = found;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    removeQuietly(root.owned ? root.dir : scratch);
  });

  it('npm run package writes a VSIX for this platform, ≤ 8 MB, with esbuild inside', { timeout: 5 * MINUTE }, () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = spawnSync(npm, ['run', 'package', '--', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(run.status, 0, `npm run package failed:\n${run.stdout}\n${run.stderr}`);
    assert.ok(statSync(vsix).size <= 8 * 1024 * 1024, `VSIX is ${statSync(vsix).size} bytes`);
    const files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n');
    const manifest = execFileSync('unzip', ['-p', vsix, 'extension.vsixmanifest'], { encoding: 'utf8' });
    assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
    for (const needed of [
      'extension/dist/extension.js',
      'extension/dist/runner.js',
      'extension/dist/webview.js',
      'extension/node_modules/esbuild/lib/main.js',
      'extension/node_modules/piscina/dist/worker.js',
      `extension/node_modules/@esbuild/${target}/package.json`,
      'extension/LICENSE.txt',
    ])
      assert.ok(files.includes(needed), `${needed} missing from the VSIX`);
    assert.ok(files.some((f) => f.startsWith(`extension/node_modules/@esbuild/${target}/bin/`)), 'no esbuild binary');
    assert.ok(!files.some((f) => f.startsWith('extension/src/') || f.startsWith('extension/test/')), 'sources shipped');
  });

  it('installs into a fresh code-server and profiles from the lens to the panel', { timeout: 6 * MINUTE }, async () => {
    const csScratch = subDir(scratch, 'cs');
    const exts = join(csScratch, 'exts');
    const home = join(csScratch, 'home');
    const inst = spawnSync(install.node, [install.entry, '--extensions-dir', exts, '--install-extension', vsix], {
      env: { ...process.env, HOME: home, PATH: install.path },
      encoding: 'utf8',
    });
    assert.equal(inst.status, 0, `install failed:\n${inst.stdout}\n${inst.stderr}`);
    assert.match(inst.stdout + inst.stderr, /installed/i);

    server = await startCodeServer(install, { scratch: csScratch, workspace });
    const chromium = ensureChromium((l) => console.error(l));
    if ('missing' in chromium) throw new Error(chromium.missing);
    browser = await launchChromium(chromium.path, { ...process.env, HOME: home });
    const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(server.url, workspace, [['openFile', remoteUri(join(workspace, 'busy.js'))]]));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: MINUTE });
    const lens = page.locator('.monaco-editor .contentWidgets .codelens-decoration a', { hasText: 'Profile parallelism' });
    await lens.first().waitFor({ state: 'visible', timeout: 2 * MINUTE });
    await lens.first().click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('[1, 2, 3, 4]');
    await page.keyboard.press('Enter');
    const web = page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
    await web.locator('.report-header .fn', { hasText: 'busy' }).waitFor({ state: 'visible', timeout: 3 * MINUTE });
    assert.equal(await web.locator('table.summary tbody tr').count(), 3);
  });
});
