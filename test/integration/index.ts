/**
 * The in-host tests entry: VS Code's extension development host calls `run()` after loading the
 * extension, both under code-server here (`npm test`) and under @vscode/test-electron on a desktop
 * (`.vscode-test.mjs`). It runs every bundled `*.test.js` suite beside it with mocha.
 */
import { runSuites } from './harness/runSuites';

/** Runs all suites; rejects when any test failed. */
export async function run(): Promise<void> {
  await runSuites({ dir: __dirname });
}
