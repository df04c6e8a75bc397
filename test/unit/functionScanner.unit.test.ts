import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanFunctions, languageOf } from '../../src/core/functionScanner';

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
  assert.deepEqual(found[0], { name: 'a', line: 0, params: ['x', 'y'] });
  assert.deepEqual(found[1].params, ['rest']);
  assert.deepEqual(found[2].params, ['p']);
  assert.equal(found[5].commonJsExport, true);
});

test('finds top-level Python functions, skipping methods', () => {
  const source = ['def square(x):', '    return x * x', '', 'class A:', '    def method(self, y):', '        pass', 'async def fetch(url, *, timeout=3):', '    pass'].join('\n');
  const found = scanFunctions(source, 'python');
  assert.deepEqual(found, [
    { name: 'square', line: 0, params: ['x'] },
    { name: 'fetch', line: 6, params: ['url', 'timeout'] },
  ]);
});

test('languageOf maps extensions', () => {
  assert.equal(languageOf('a.ts'), 'typescript');
  assert.equal(languageOf('a.mjs'), 'javascript');
  assert.equal(languageOf('a.py'), 'python');
  assert.equal(languageOf('a.rb'), undefined);
});
