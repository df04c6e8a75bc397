import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { CodeServerInstall } from './install';
import { spawnGroup, stopGroup, sleep } from './processGroup';

/** Options for one code-server instance. */
export interface CodeServerOptions {
  /** Scratch folder this instance owns (HOME, config, extensions, user data, log). */
  scratch: string;
  /** Folder opened by default. */
  workspace?: string;
  /** false drops `--disable-workspace-trust`, to test behaviour in an untrusted workspace. */
  trusted?: boolean;
  /**
   * Adds `--vscode-option enable-smoke-test-driver`: without it the browser client ignores the
   * `extensionDevelopmentPath` and `extensionTestsPath` payloads (no Extension Development Host).
   */
  testDriver?: boolean;
  /** Extra user settings merged over the defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension hosts it forks. */
  env?: NodeJS.ProcessEnv;
  /** Port; a free one when omitted. */
  port?: number;
  /** Where code-server's output goes; `<scratch>/code-server.log` when omitted. */
  logFile?: string;
}

/** A running code-server. */
export interface CodeServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Leader of its process group. */
  pid: number;
  /** Extensions folder (for `--install-extension`). */
  extensionsDir: string;
  userDataDir: string;
  logFile: string;
  /** Ends code-server and everything it forked, by process group. */
  stop(): Promise<void>;
}

/** Settings that keep a test workbench quiet and offline. */
export const quietSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': 'off',
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server in its own process group with a scratch HOME, config, extensions and user
 * data (nothing touches the real HOME), and resolves once `/healthz` answers.
 */
export async function startCodeServer(install: CodeServerInstall, options: CodeServerOptions): Promise<CodeServer> {
  const scratch = options.scratch;
  const home = join(scratch, 'home');
  const extensionsDir = join(scratch, 'exts');
  const userDataDir = join(scratch, 'ud');
  const config = join(scratch, 'cs.yaml');
  for (const d of [home, extensionsDir, join(userDataDir, 'User'), join(scratch, 'tmp')]) mkdirSync(d, { recursive: true });
  writeFileSync(config, 'auth: none\ncert: false\n');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2),
  );
  const port = options.port ?? (await freePort());
  const args = [
    install.entry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--reconnection-grace-time', '5',
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
  ];
  if (options.trusted !== false) args.push('--disable-workspace-trust');
  if (options.testDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (options.workspace) args.push(options.workspace);
  const logFile = options.logFile ?? join(scratch, 'code-server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawnGroup(install.node, args, {
    cwd: options.workspace ?? scratch,
    env: {
      ...process.env,
      ...options.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      TMPDIR: join(scratch, 'tmp'),
      PATH: install.path,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`code-server did not start: ${install.node} ${install.entry}`);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const stop = async (): Promise<void> => {
    await stopGroup(pid);
    log.end();
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`code-server exited with code ${exited} before it was ready; see ${logFile}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within 30 s; see ${logFile}`);
    }
    await sleep(150);
  }
  return { url, port, pid, extensionsDir, userDataDir, logFile, stop };
}

/** `vscode-remote://remote<abs path>`: how code-server's browser client names a server-side path. */
export function remoteUri(absPath: string): string {
  return `vscode-remote://remote${absPath}`;
}

/**
 * The workbench URL that opens `folder` and carries a payload (open a file, or run an extension
 * development host with tests), as the browser client reads it.
 */
export function workbenchUrl(base: string, folder: string | undefined, payload: Array<[string, string]> = []): string {
  const params: string[] = [];
  if (folder) params.push(`folder=${encodeURIComponent(folder).replace(/%2F/g, "/")}`);
  if (payload.length) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${base}/${params.length ? `?${params.join('&')}` : ''}`;
}
