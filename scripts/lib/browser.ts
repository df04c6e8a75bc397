import { readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { adoptGroup, stopGroup } from './processGroup';

/** Flags that keep Debian's Chromium headless, offline and quiet in a container. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A launched Chromium and a way to end it, with its whole process group. */
export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser, then kills its process group in case anything survived. */
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium through playwright-core (never a downloaded browser). Playwright
 * makes the browser a process-group leader; that group is remembered and killed on exit too.
 */
export async function launchChromium(executablePath: string, env?: NodeJS.ProcessEnv): Promise<LaunchedBrowser> {
  const before = new Set(childPids());
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs, env, timeout: 60_000 });
  const groups = childPids().filter((pid) => !before.has(pid));
  for (const pid of groups) adoptGroup(pid);
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      for (const pid of groups) await stopGroup(pid, 1000);
    },
  };
}

/** Pids of this process's direct children that lead their own process group (Linux /proc). */
function childPids(): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the ")" that closes the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pgrp = Number(fields[2]);
      if (ppid === process.pid && pgrp === Number(entry)) pids.push(pgrp);
    } catch {
      // process ended while reading
    }
  }
  return pids;
}
