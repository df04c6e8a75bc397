// Installs what the editor tiers and `npm start` need, once: Debian's Chromium and libkrb5-dev (as
// root) and code-server 4.139.1 with Node 24 in the cache dir ($PP_CACHE_DIR, else
// ~/.cache/parallel-profiler-dev). `npm test` and `npm start` do this on first use too.
import { loadScript } from './withDependencies.mjs';

const { ensureChromium, ensureCodeServer } = await loadScript('./lib/install.ts');
const say = (line) => console.log(`[install] ${line}`);
let failed = false;
for (const [name, found] of [['chromium', ensureChromium(say)], ['code-server', ensureCodeServer(say)]]) {
  if ('missing' in found) {
    failed = true;
    say(`${name}: ${found.missing}`);
  } else {
    say(`${name}: ${'dir' in found ? found.dir : found.path}`);
  }
}
process.exitCode = failed ? 1 : 0;
