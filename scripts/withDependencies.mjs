// The first thing `npm start`, `npm test` and scripts/install.mjs do: in a fresh checkout, where
// `npm install` has not run yet, install the project's own packages (npm ci, from the lock file),
// then load the TypeScript script behind the command. Returns that script's exports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function loadScript(relativePath) {
  if (!existsSync(new URL('../node_modules/tsx', import.meta.url))) {
    console.log('[setup] installing the project\'s packages (npm ci), once…');
    const installed = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (installed.status !== 0) {
      console.error('[setup] npm ci failed (see above); run `npm install` in the project folder, then the command again');
      process.exit(1);
    }
  }
  const { register } = await import('tsx/cjs/api');
  register();
  return createRequire(import.meta.url)(relativePath);
}
