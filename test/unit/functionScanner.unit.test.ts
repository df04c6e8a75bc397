import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanFunctions, languageOf, whereNested } from '../../src/core/functionScanner';

test('finds top-level JS/TS functions of every shape, not nested ones', () => {
  const source = [
    'export function a(x: number, y = 2) {',
    '  function nested() {}',
    '}',
    'async function b(...rest) {}',
    'export const c = async (p: Point, { q }: Opts): Promise<number> => 1;',
    'const d = x => x;',
    'export default function e() {}',
    'exports.f = function (u, v) {};',
    'module.exports.g = async (w) => w;',
    'let h = function* (z) {};',
    '  const notTop = () => 1;',
    'const value = 42;',
  ].join('\n');
  const found = scanFunctions(source, 'typescript');
  assert.deepEqual(found.map((f) => f.name), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  assert.deepEqual(found[0], { name: 'a', line: 0, params: ['x', 'y'], positional: ['x', 'y'] });
  assert.deepEqual(found[1].params, ['rest']);
  assert.deepEqual(found[2].params, ['p', '{ q }']);
  assert.deepEqual(found[3].params, ['x']);
  assert.equal(found[5].commonJsExport, true);
});

test('whereNested finds a JS method or nested function and what encloses it, and the dotted name of a static method or an object\'s function; a call is not a definition', () => {
  const source = [
    'export class Cart {',
    '  static async load(id: string) {',
    '    return new Cart();',
    '  }',
    '  private total = (n: number) => n;',
    '  *items() {}',
    '}',
    'function outer() {',
    '  const helper = function () {};',
    '  report(1);',
    '}',
    'const api = {',
    '  fetch(url) {',
    '    return url;',
    '  },',
    '};',
  ].join('\n');
  // A static method and an object's function are reached by a dotted name; an instance's are not.
  assert.deepEqual(whereNested(source, 'load'), { line: 1, inside: 'class Cart', dotted: 'Cart.load' });
  assert.deepEqual(whereNested(source, 'total'), { line: 4, inside: 'class Cart', instanceMethod: true });
  assert.deepEqual(whereNested(source, 'items'), { line: 5, inside: 'class Cart', instanceMethod: true });
  assert.deepEqual(whereNested(source, 'helper'), { line: 8, inside: 'function outer' });
  assert.deepEqual(whereNested(source, 'fetch'), { line: 12, inside: 'api', dotted: 'api.fetch' });
  assert.equal(whereNested(source, 'report'), undefined, 'called, not defined');
  assert.equal(whereNested(source, 'Cart'), undefined, 'top-level');
});

test('finds top-level Python functions, skipping methods', () => {
  const source = ['def square(x):', '    return x * x', '', 'class A:', '    def method(self, y):', '        pass', 'async def fetch(url, *, timeout=3):', '    pass'].join('\n');
  const found = scanFunctions(source, 'python');
  assert.deepEqual(found, [
    { name: 'square', line: 0, params: ['x'], positional: ['x'] },
    { name: 'fetch', line: 6, params: ['url', 'timeout'], positional: ['url'] },
  ]);
});

test('parameters over several lines, destructured, or with commas in their types and defaults', () => {
  const ts = [
    'export function long(',
    '  first: Map<string, number>,',
    '  { n, mode = pick(1, 2) }: Job,',
    "  [a, b]: [number, number] = [1, 2],",
    "  label = 'x, y',",
    ') {}',
    'export function generic<T extends Record<string, number>>(value: T, keys: (keyof T)[]) {}',
    'export const arrow = async ({ n }: Job): Promise<number> => n;',
    'export function configure({ alpha, beta, gamma, delta, epsilon }: Settings) {}',
  ].join('\n');
  const found = scanFunctions(ts, 'typescript');
  assert.deepEqual(found.map((f) => [f.name, f.line, f.params]), [
    ['long', 0, ['first', '{ n, mode = pick(1, 2) }', '[ a, b ]', 'label']],
    ['generic', 6, ['value', 'keys']],
    ['arrow', 7, ['{ n }']],
    ['configure', 8, ['{…}']],
  ]);
  const anonymous = scanFunctions('export default async function (job: Job) {}\n', 'typescript');
  assert.deepEqual(anonymous, [{ name: 'default', line: 0, params: ['job'], positional: ['job'], anonymousDefault: true }]);
  assert.equal(scanFunctions('export default (a, b) => a + b;\n', 'javascript')[0]?.name, 'default');
  // A CommonJS module whose one export is the function: by its own name, or `default`.
  assert.deepEqual(scanFunctions('module.exports = function (a, b) {};\n', 'javascript'), [
    { name: 'default', line: 0, params: ['a', 'b'], positional: ['a', 'b'], moduleExports: true },
  ]);
  assert.equal(scanFunctions('module.exports = async function count(n) {};\n', 'javascript')[0]?.name, 'count');
  assert.deepEqual(scanFunctions('module.exports = async x => x;\n', 'javascript')[0]?.params, ['x']);
  // Windows line ends: the same parameters.
  assert.deepEqual(scanFunctions(ts.replace(/\n/g, '\r\n'), 'typescript'), found);
  const py = ['def scale(', '    values,', '    factor=(1, 2),', '    *extra,', '    clip: dict[str, int] = {},', '    **options,', '):', '    pass'].join('\n');
  assert.deepEqual(scanFunctions(py, 'python'), [{ name: 'scale', line: 0, params: ['values', 'factor', 'extra', 'clip', 'options'], positional: ['values', 'factor', 'extra'] }]);
});

test('languageOf maps extensions', () => {
  assert.equal(languageOf('a.ts'), 'typescript');
  assert.equal(languageOf('a.mjs'), 'javascript');
  assert.equal(languageOf('a.py'), 'python');
  assert.equal(languageOf('a.rb'), undefined);
});
