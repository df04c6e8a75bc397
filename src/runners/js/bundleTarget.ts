/**
 * Bundles the user's target file for the workers with esbuild: TypeScript stripped, local modules
 * and the user's packages included, `parallel-profiler/runtime` resolved to ours, source maps kept
 * so errors name the user's file:line. A hook appended to the file itself exposes the target
 * function — exported or not — and the inputs expression, evaluated in the module's own scope.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scanFunctions } from '../../core/functionScanner';
import { HOOKS_KEY } from './loadBundle';
import { bindingsHook, moduleBindings, nameUniquely, withImportedClasses, type ModuleBinding } from './moduleBindings';
import type { Language } from '../../core/model';

export class BadInput extends Error {}

const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx',
};

/**
 * Writes `<scratchDir>/target.cjs` — or `target.mjs` when the module uses top-level await — with
 * its source map, and returns its path with the variables of the user's modules that it exposes.
 */
export async function bundleTarget(file: string, name: string, inputs: string, scratchDir: string): Promise<{ bundle: string; bindings: ModuleBinding[] }> {
  const loader = LOADERS[path.extname(file)];
  if (!loader) throw new BadInput(`${file}: not a JavaScript or TypeScript file (.js, .mjs, .cjs, .ts, .mts); pick a file of those kinds`);
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    throw new BadInput(`${file}: no such file; check the path`);
  }
  await checkExpression(inputs, loader);
  const language: Language = loader.startsWith('ts') ? 'typescript' : 'javascript';
  const found = scanFunctions(source, language);
  const fn = found.find((f) => f.name === name);
  if (fn?.anonymousDefault) source = exposeDefaultExport(source, fn.line);
  const access = fn?.commonJsExport
    ? `module.exports[${JSON.stringify(name)}]`
    : fn?.moduleExports
    ? 'module.exports'
    : fn?.anonymousDefault
    ? `globalThis[${JSON.stringify(DEFAULT_EXPORT_KEY)}]`
    : isIdentifier(name)
      ? `(typeof ${name} === "undefined" ? undefined : ${name})`
      : memberAccess(name);
  // One line, after the user's code, so its line numbers stay as they are. The inputs are an async
  // function's value, so the expression may `await` (e.g. `await loadInputs()`).
  const hook = `\n;globalThis[${JSON.stringify(HOOKS_KEY)}] = { target: () => ${access}, inputs: async () => (${inputs}\n) };\n`;
  const runtimeFile = path.join(__dirname, 'runtime.js');
  // The variables of the user's own modules, the target's first (moduleBindings.ts): not those of
  // packages, nor of our runtime.
  const bindingsOf = new Map<string, ModuleBinding[]>([[path.resolve(file), []]]);
  // Their text, for the classes one module's objects are made of and another declares.
  const sourcesOf = new Map<string, string>();
  const allBindings = () => nameUniquely(withImportedClasses([...bindingsOf.values()].flat(), sourcesOf));
  const fileUrl = JSON.stringify(pathToFileURL(file).href);
  const options: esbuild.BuildOptions = {
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked',
    // Only positions are read from the map, by the runner or a worker as it writes its first stack
    // (lazySourceMap.ts). Without the sources' text it is 40% of the size for a bundle with
    // packages (when workers parsed the map as they loaded the bundle, that was ~15 ms of each
    // worker's start-up on a bundle with chart.js and esbuild).
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'parallel-profiler',
        setup(build) {
          build.onResolve({ filter: /^parallel-profiler\/runtime$/ }, () => ({ path: runtimeFile }));
          // A native addon (a .node file) cannot be bundled: it is loaded from where it is
          // installed, by its absolute path, whether it is imported by its file name or as a
          // package whose main file it is.
          build.onResolve({ filter: /\.node$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path), external: true }));
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if ((args.pluginData as { native?: boolean } | undefined)?.native) return undefined;
            const { resolveDir, importer, kind } = args;
            const resolved = await build.resolve(args.path, { resolveDir, importer, kind, pluginData: { native: true } });
            return resolved.errors.length === 0 && resolved.path.endsWith('.node') ? { path: resolved.path, external: true } : undefined;
          });
          // Every module is read once, here: the target with its hook, the user's own with a
          // reader of their variables, a package's as it is.
          build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
            const isTarget = path.resolve(args.path) === path.resolve(file);
            const text = isTarget ? source : await fs.promises.readFile(args.path, 'utf8');
            const own = !/[\\/]node_modules[\\/]/.test(args.path) && path.resolve(args.path) !== runtimeFile;
            const found = own ? moduleBindings(text, isTarget ? file : args.path) : [];
            if (own) {
              bindingsOf.set(path.resolve(args.path), found);
              sourcesOf.set(isTarget ? file : args.path, text);
            }
            const contents = text + bindingsHook(found) + (isTarget ? hook : '');
            const ownLoader = LOADERS[path.extname(args.path)] ?? 'js';
            const located = await withOwnLocation(contents, args.path, ownLoader);
            const resolveDir = path.dirname(args.path);
            return located ? { contents: located, loader: 'js', resolveDir } : { contents, loader: ownLoader, resolveDir };
          });
        },
      },
    ],
  };
  // CommonJS loads faster in every worker; a module with top-level await needs an ES module.
  const cjs = path.join(scratchDir, 'target.cjs');
  try {
    // What esbuild cannot bundle, a require() of a name known only when it runs, looks for packages
    // where the user's file would, not beside the bundle in the scratch folder.
    const banner = `module.paths.unshift(...${JSON.stringify(nodeModulesAbove(path.dirname(file)))});`;
    await esbuild.build({ ...options, format: 'cjs', outfile: cjs, banner: { js: banner } });
    return { bundle: cjs, bindings: allBindings() };
  } catch (error) {
    if (!(error as esbuild.BuildFailure).errors?.some((e) => /top-level await/i.test(e.text))) {
      throw new BadInput(describeBuildFailure(error, file));
    }
  }
  const outfile = path.join(scratchDir, 'target.mjs');
  try {
    await esbuild.build({
      ...options,
      format: 'esm',
      outfile,
      // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
      banner: { js: `import { createRequire as __ppCreateRequire } from "node:module"; globalThis.require ??= __ppCreateRequire(${fileUrl});` },
    });
  } catch (error) {
    throw new BadInput(describeBuildFailure(error, file));
  }
  return { bundle: outfile, bindings: allBindings() };
}

/** The node_modules folders Node searches for a package required from `dir`, nearest first. */
function nodeModulesAbove(dir: string): string[] {
  const folders: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (path.basename(at) !== 'node_modules') folders.push(path.join(at, 'node_modules'));
    if (path.dirname(at) === at) return folders;
  }
}

const DEFAULT_EXPORT_KEY = '__parallelProfilerDefaultExport';

/**
 * An anonymous default export has no name the hook could read: on its own line (so line numbers
 * hold), `export default …` becomes `export default globalThis[key] = …`, which exports the same
 * function.
 */
function exposeDefaultExport(source: string, line: number): string {
  const lines = source.split('\n');
  lines[line] = lines[line].replace(/^export\s+default\s+/, (head) => `${head}globalThis[${JSON.stringify(DEFAULT_EXPORT_KEY)}] = `);
  return lines.join('\n');
}

/**
 * A static method or an object's function, `Shape.double` or `utils.text.pad`, bound to what holds
 * it (a static method may use `this`); undefined when the name is no such path.
 */
function memberAccess(name: string): string {
  const parts = name.split('.');
  if (parts.length < 2 || !isIdentifier(parts[0]) || !parts.slice(1).every((p) => /^[A-Za-z_$][\w$]*$/.test(p))) return 'undefined';
  const owner = parts.slice(0, -1).join('?.');
  return `(typeof ${parts[0]} === "undefined" ? undefined : ${owner}?.${parts[parts.length - 1]}?.bind?.(${owner}))`;
}

/** A name that can stand alone in an expression: an identifier and not a reserved word (`default`). */
function isIdentifier(name: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  try {
    new Function(name, '');
    return true;
  } catch {
    return false;
  }
}

/**
 * A module that asks where it is (`__dirname`, `__filename`, `import.meta.url`) is told its own
 * place, not the bundle's: a package reading its data files, or a local module in a subfolder,
 * finds them as under plain Node. One bundle-wide value would point them all at the target's folder.
 * Returns the module as JavaScript with its source map inline (the bundle's map follows it), or
 * undefined for a module that does not ask.
 */
async function withOwnLocation(contents: string, file: string, loader: esbuild.Loader): Promise<string | undefined> {
  if (!/__dirname|__filename|import\.meta/.test(contents)) return undefined;
  const typescript = loader === 'ts' || loader === 'tsx';
  const tsconfig = typescript ? nearestTsconfig(file) : undefined;
  // A build of this one module, not a transform: a build reads a tsconfig as the bundle does, its
  // `extends` included, so decorators, class fields and JSX compile alike.
  const { outputFiles } = await esbuild.build({
    stdin: { contents, loader, sourcefile: path.basename(file), resolveDir: path.dirname(file) },
    ...(tsconfig ? { tsconfig } : { tsconfigRaw: '{}' }),
    absWorkingDir: path.dirname(file),
    outfile: file,
    write: false,
    bundle: false,
    sourcemap: 'inline',
    define: {
      __filename: JSON.stringify(file),
      __dirname: JSON.stringify(path.dirname(file)),
      'import.meta.url': JSON.stringify(pathToFileURL(file).href),
      'import.meta.filename': JSON.stringify(file),
      'import.meta.dirname': JSON.stringify(path.dirname(file)),
    },
    logLevel: 'silent',
  });
  return outputFiles[0].text;
}

/** The tsconfig.json nearest above `file`, if any. */
function nearestTsconfig(file: string): string | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function checkExpression(inputs: string, loader: esbuild.Loader): Promise<void> {
  if (!inputs.trim()) throw new BadInput('the inputs expression is empty; give an expression such as [1, 2, 3]');
  try {
    // Not transformSync: that starts a new esbuild process for the call; this uses the one the build reuses.
    await esbuild.transform(`(async () => (${inputs}\n))`, { loader: loader === 'tsx' || loader === 'jsx' ? loader : loader.startsWith('ts') ? 'ts' : 'js', logLevel: 'silent' });
  } catch (error) {
    const text = (error as esbuild.TransformFailure).errors?.[0]?.text ?? String(error);
    throw new BadInput(`the inputs expression does not parse (${text}); give a JavaScript expression such as [1, 2, 3]`);
  }
}

function describeBuildFailure(error: unknown, file: string): string {
  const first = (error as esbuild.BuildFailure).errors?.[0];
  if (!first) return `${file}: could not be bundled (${String(error)})`;
  const where = first.location ? `${first.location.file}:${first.location.line}: ` : `${file}: `;
  return `${where}${first.text}`;
}

/** Ends esbuild's service process once the target is bundled, so it does not share the CPUs with the workers. */
export function stopBundler(): Promise<void> {
  return esbuild.stop();
}
