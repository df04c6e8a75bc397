import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cacheDir, codeServerVersion } from './paths';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
export const chromiumPath = process.env.PP_CHROMIUM || '/usr/bin/chromium';

/** An installed code-server: its launcher and the Node 24 that runs it. */
export interface CodeServerInstall {
  /** Folder holding node_modules/{node,code-server}. */
  dir: string;
  /** The Node 24 binary. */
  node: string;
  /** code-server's entry script, run with `node`. */
  entry: string;
  /** PATH with Node 24 first, for code-server and everything it forks. */
  path: string;
}

/** Why a tool is missing and what to install, in one line. */
export interface Missing {
  missing: string;
}

/** Root may install Debian packages (as on CI); others are told what to install. */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The code-server install folder for the pinned version, inside the cache dir. */
export function codeServerDir(): string {
  return join(cacheDir(), `code-server-${codeServerVersion}`);
}

/** The install if it is complete (its stamp file is written last), else undefined. */
export function findCodeServer(): CodeServerInstall | undefined {
  const dir = codeServerDir();
  if (!existsSync(join(dir, '.installed'))) return undefined;
  return describe(dir);
}

function describe(dir: string): CodeServerInstall {
  const nodeBin = join(dir, 'node_modules', 'node', 'bin');
  return {
    dir,
    node: join(nodeBin, 'node'),
    entry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    path: [nodeBin, join(dir, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
  };
}

/**
 * Installs node@24 and code-server into their own folder of the cache dir (not the repo's
 * node_modules, which would put Node 24 on every npm script's PATH), once; later calls reuse it.
 * Needs the GSSAPI headers (libkrb5-dev) for code-server's `kerberos` build.
 */
export function ensureCodeServer(log: (line: string) => void): CodeServerInstall | Missing {
  const found = findCodeServer();
  if (found) return found;
  const headers = ensureApt(['libkrb5-dev'], '/usr/include/gssapi/gssapi.h', log);
  if (headers) return { missing: headers };
  const dir = codeServerDir();
  mkdirSync(dir, { recursive: true });
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'pp-code-server', private: true }) + '\n');
  const install = describe(dir);
  log(`installing code-server ${codeServerVersion} with Node 24 into ${dir} (about 4 minutes, once)`);
  const npm = (args: string[], env: NodeJS.ProcessEnv): boolean => {
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return r.status === 0;
  };
  if (!existsSync(install.node) && !npm(['node@24'], process.env)) {
    return { missing: `npm could not install node@24 into ${dir}; check access to the npm registry` };
  }
  // code-server's install scripts check the Node version: run them under Node 24. Its postinstall
  // reads it from npm_config_user_agent, which an outer npm (`npm test`, under Node 20) has set and
  // the inner npm would pass on as its own config: without it, the inner npm tells its own.
  const { npm_config_user_agent: _outerAgent, ...env } = process.env;
  if (!npm([`code-server@${codeServerVersion}`], { ...env, PATH: install.path })) {
    return { missing: `npm could not install code-server@${codeServerVersion} into ${dir}; install libkrb5-dev and build tools (apt-get install -y libkrb5-dev build-essential) and retry` };
  }
  if (!existsSync(install.entry)) return { missing: `code-server installed without ${install.entry}; remove ${dir} and retry` };
  writeFileSync(join(dir, '.installed'), `${codeServerVersion}\n`);
  return install;
}

/** Debian's Chromium: its path, or one line saying what to install when it is missing. */
export function ensureChromium(log: (line: string) => void): { path: string } | Missing {
  const missing = ensureApt(['chromium'], chromiumPath, log);
  return missing ? { missing } : { path: chromiumPath };
}

/** Installs Debian packages when root and `probe` is missing; otherwise says what to run. */
function ensureApt(packages: string[], probe: string, log: (line: string) => void): string | undefined {
  if (existsSync(probe)) return undefined;
  const command = `apt-get install -y ${packages.join(' ')}`;
  if (!isRoot) return `missing ${probe}: run \`sudo ${command}\``;
  log(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]): boolean =>
    spawnSync('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
  if (!run(['install', '-y', '-qq', ...packages])) {
    run(['update', '-qq']);
    run(['install', '-y', '-qq', ...packages]);
  }
  return existsSync(probe) ? undefined : `\`${command}\` did not provide ${probe}`;
}

/** The version a finished install recorded, for messages. */
export function installedVersion(install: CodeServerInstall): string {
  return readFileSync(join(install.dir, '.installed'), 'utf8').trim();
}
