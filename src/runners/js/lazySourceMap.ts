/**
 * Stack traces in the runner and its workers name the user's own files and lines, as under Node's
 * source maps, but the bundle's map is read only when a stack is first written out. Node reads and
 * parses a module's map as the module loads: for a bundle with packages that is much of a worker's
 * start-up (bench/packageWork.ts, with chart.js, loads in 13 ms without it, 24 ms with it), paid by
 * every worker of every strategy, though most runs never write a stack. Here V8 hands
 * Error.prepareStackTrace the call sites; each frame in the bundle gets its original
 * file:line:column, and the rest of V8's text stays as it is. A user's own Error.prepareStackTrace
 * replaces this one, as it would Node's.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SourceMap } from 'node:module';

/**
 * From now on, stacks in this thread or process show the places in the sources of `bundle`.
 * Returns the mapping it uses, for stacks taken otherwise (threadStacks.ts).
 */
export function mapStacksToSources(bundle: string): SourcePlaces {
  const placeInSources = sourcePlaces(bundle);

  const frame = (site: NodeJS.CallSite): string => {
    const text = String(site);
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (!file || line === null || column === null) return text;
    const original = placeInSources(file, line, column);
    if (!original) return text;
    const place = `${file}:${line}:${column}`;
    const at = text.lastIndexOf(place);
    if (at < 0) return text;
    return `${text.slice(0, at)}${original}${text.slice(at + place.length)}`;
  };

  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]): string => {
    const header = headerOf(error);
    const frames = sites.map((site) => {
      try {
        return frame(site);
      } catch {
        return String(site);
      }
    });
    return frames.length === 0 ? header : `${header}\n    at ${frames.join('\n    at ')}`;
  };
  return placeInSources;
}

/** Where a place in the bundle comes from in the user's sources, as "file:line:column". */
export type SourcePlaces = (file: string, line: number, column: number) => string | undefined;

/**
 * Maps places (1-based line and column) in `bundle`, named by its path or by the URL loadBundle
 * imported it from, to the user's sources; undefined for a place elsewhere or with no mapping.
 * The map is read on first use.
 */
export function sourcePlaces(bundle: string): SourcePlaces {
  // undefined: not read yet; null: unreadable (places stay the bundle's).
  let map: SourceMap | null | undefined;
  let bundleUrl: string | undefined;
  const inBundle = (file: string): boolean => file === bundle || (file.startsWith('file:') && file === (bundleUrl ??= url().pathToFileURL(bundle).href));
  return (file, line, column) => {
    if (!inBundle(file)) return undefined;
    if (map === undefined) map = readSourceMap(bundle);
    const entry = map?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return undefined;
    return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  };
}

/** node:url, loaded only when a stack needs it. */
const url = () => require('node:url') as typeof import('node:url');

/** The map beside the bundle (esbuild's linked map), its sources as absolute paths. */
function readSourceMap(bundle: string): SourceMap | null {
  try {
    const { SourceMap } = require('node:module') as typeof import('node:module');
    const payload = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as import('node:module').SourceMapPayload;
    const root = resolve(dirname(bundle), payload.sourceRoot ?? '');
    payload.sources = payload.sources.map((source) =>
      source.startsWith('file:') ? url().fileURLToPath(source) : resolve(root, source),
    );
    payload.sourceRoot = '';
    return new SourceMap(payload);
  } catch {
    return null;
  }
}

/**
 * The first line of a stack, as Node writes it: "Name: message", and for Node's own errors, which
 * have a code and a toString of their own, "TypeError [ERR_INVALID_ARG_TYPE]: message".
 */
function headerOf(error: Error): string {
  try {
    const { code } = error as { code?: unknown };
    const nodeError = typeof code === 'string' && error.toString !== Error.prototype.toString;
    return nodeError ? `${error.name} [${code}]: ${error.message}` : Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}
