// One build script for every bundle: `node esbuild.mjs [--watch] [--production]`.
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  outdir: 'dist',
  // esbuild (bundles user code) and piscina (starts its worker from a file beside its own) stay
  // packages of their own, shipped in node_modules.
  external: ['vscode', 'esbuild', 'piscina'],
};

const builds = [
  // Extension host: thin, never runs user code.
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' } },
  // Command-line interface.
  { ...node, entryPoints: { cli: 'src/cli.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // The JS runner process and its worker entries (piscina is bundled; its worker is loaded by path).
  {
    ...node,
    entryPoints: {
      runner: 'src/runners/js/runner.ts',
      threadWorker: 'src/runners/js/threadWorker.ts',
      processWorker: 'src/runners/js/processWorker.ts',
      sequentialWorker: 'src/runners/js/sequentialWorker.ts',
    },
  },
  // The runtime user code imports as "parallel-profiler/runtime".
  { ...node, entryPoints: { runtime: 'src/runners/js/runtime.ts' } },
  // The panel's browser code.
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    minify: production,
    logLevel: 'warning',
    outdir: 'dist',
    entryPoints: { webview: 'webview/main.ts' },
  },
  // Bundles whose entry does not exist yet are skipped, so the tree builds while parts land.
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

mkdirSync('dist', { recursive: true });
// The Python harness and runtime ship as files, run by the user's interpreter.
if (existsSync('src/runners/python')) {
  cpSync('src/runners/python', 'dist/python', {
    recursive: true,
    filter: (src) => !src.includes('__pycache__'),
  });
}

if (watch) {
  for (const b of builds) {
    const context = await esbuild.context(b);
    // A first build before watching, so the CLI below exists when it is made executable.
    await context.rebuild();
    await context.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
// The CLI is the package's `bin`: `npx parallel-profiler` runs the file itself. npm marks bins
// executable only when it installs a package, which a checkout never is.
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
