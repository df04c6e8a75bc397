/**
 * How `npm test` counts: the TAP summary of Node's test runner becomes a tier's tally (cancelled
 * tests count as failed), and the workbench URL carries folder and payload as code-server reads them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { remoteUri, workbenchUrl } from '../../scripts/lib/codeServer';
import { addInto, readTapSummary, zero } from '../../scripts/lib/tiers';

test('a TAP summary becomes passed / failed (with cancelled) / skipped (with todo)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-tap-'));
  try {
    const file = join(dir, 'x.tap');
    writeFileSync(
      file,
      ['TAP version 13', '# Subtest: a', 'ok 1 - a', '# tests 9', '# suites 1', '# pass 5', '# fail 1',
        '# cancelled 2', '# skipped 1', '# todo 1', '# duration_ms 12.5', ''].join('\n'),
    );
    assert.deepEqual(readTapSummary(file), { passed: 5, failed: 3, skipped: 2 });
    assert.deepEqual(readTapSummary(join(dir, 'missing.tap')), { passed: 0, failed: 0, skipped: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tallies add up across tiers', () => {
  const total = zero();
  addInto(total, { passed: 3, failed: 0, skipped: 1 });
  addInto(total, { passed: 2, failed: 4, skipped: 0 });
  assert.deepEqual(total, { passed: 5, failed: 4, skipped: 1 });
});

test('the workbench URL opens the folder and decodes back to the payload', () => {
  const payload: Array<[string, string]> = [
    ['extensionDevelopmentPath', remoteUri('/work/main')],
    ['openFile', remoteUri('/work/main/examples/a b.ts')],
  ];
  const url = new URL(workbenchUrl('http://127.0.0.1:1234', '/work/main/examples', payload));
  assert.equal(url.searchParams.get('folder'), '/work/main/examples');
  assert.deepEqual(JSON.parse(url.searchParams.get('payload') ?? 'null'), payload);
  assert.equal(remoteUri('/x/y'), 'vscode-remote://remote/x/y');
});
