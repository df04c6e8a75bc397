/**
 * `npm start`: builds the extension, installs code-server on first use (cache dir, outside the
 * repo), and serves a real VS Code with the extension loaded as an Extension Development Host and
 * examples/ open; prints the URL. The build keeps watching, so "Developer: Reload Window" picks up
 * changes. Ctrl+C ends everything by process group. With a desktop `code` on PATH and `--desktop`,
 * opens that instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, remoteUri, startCodeServer, workbenchUrl } from './codeServer';
import { ensureCodeServer } from './install';
import { cacheDir, codeServerVersion, repoRoot } from './paths';
import { spawnGroup } from './processGroup';

/** Runs `npm start`; resolves with an exit code only when it cannot start (else runs until Ctrl+C). */
export async function main(argv: string[]): Promise<number> {
  const say = (line: string): void => console.log(`[start] ${line}`);
  const examples = join(repoRoot, 'examples');
  mkdirSync(examples, { recursive: true });

  say('building the extension (node esbuild.mjs)');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) {
    say('the build failed; fix the errors above and run `npm start` again');
    return 1;
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    say('dist/extension.js was not built: src/extension/extension.ts is missing');
    return 1;
  }

  if (argv.includes('--desktop')) {
    const which = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
    if (which.status === 0) {
      say('opening desktop VS Code with the extension loaded');
      const r = spawnSync('code', [`--extensionDevelopmentPath=${repoRoot}`, examples], { stdio: 'inherit' });
      return r.status ?? 1;
    }
    say('no desktop `code` on PATH; serving code-server instead');
  }

  const install = ensureCodeServer(say);
  if ('missing' in install) {
    say(install.missing);
    return 1;
  }
  // A profile kept between runs (settings, layout), outside the repo and the real HOME's config.
  const profile = join(cacheDir(), 'start-profile');
  const wanted = Number(argv.find((a) => a.startsWith('--port='))?.slice('--port='.length) ?? process.env.PORT ?? 8080);
  const port = (await portIsFree(wanted)) ? wanted : await freePort();

  spawnGroup(process.execPath, ['esbuild.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });
  const server = await startCodeServer(install, { scratch: profile, workspace: examples, testDriver: true, port });
  const url = workbenchUrl(server.url, examples, [['extensionDevelopmentPath', remoteUri(repoRoot)]]);
  say(`code-server ${codeServerVersion} (VS Code 1.139) is up; the extension is loaded from ${repoRoot}`);
  say(`log: ${server.logFile}`);
  say('open this URL in a browser (Ctrl+C here stops everything):');
  console.log(`\n  ${url}\n`);
  await new Promise<never>(() => undefined);
  return 0;
}

async function portIsFree(port: number): Promise<boolean> {
  if (!Number.isInteger(port) || port <= 0) return false;
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
    return false;
  } catch {
    return true;
  }
}
