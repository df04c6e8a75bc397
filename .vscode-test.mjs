// Desktop VS Code: `node .vscode-test.mjs` bundles the in-host suites into out/integration/ and runs
// them with @vscode/test-electron, which downloads a desktop VS Code into .vscode-test/ (needs
// network access to VS Code's update service; on machines without it `npm test` runs the same
// suites in code-server). The tests entry is the one `npm test` uses: test/integration/index.ts.
// Options: VSCODE_VERSION=stable|insiders|1.95.0 (default stable), PP_TEST_GREP=<title filter>.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Runs the in-host suites in a desktop VS Code; resolves with the exit code. */
export async function runDesktop() {
  const { register } = await import('tsx/cjs/api');
  register();
  const require = createRequire(import.meta.url);
  const { buildInHostTests, desktopOutDir } = require('./scripts/lib/inHost.ts');
  const { runTests } = await import('@vscode/test-electron');
  await buildInHostTests(desktopOutDir);
  try {
    return await runTests({
      version: process.env.VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(desktopOutDir, 'index.js'),
      extensionTestsEnv: { PP_TEST_RESULTS: join(desktopOutDir, 'results.json') },
      launchArgs: [join(root, 'test', 'fixtures'), '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (error) {
    console.error(`desktop in-host tests failed: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runDesktop();
}
