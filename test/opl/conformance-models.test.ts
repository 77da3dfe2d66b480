import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';

const DIR = process.env['GATEHOUSE_CONFORMANCE_DIR'] ?? resolve(process.cwd(), '../shared/conformance');

function caseFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return caseFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

if (!existsSync(DIR)) {
  test('conformance models', { skip: `no conformance corpus at ${DIR} (set GATEHOUSE_CONFORMANCE_DIR)` }, () => undefined);
} else {
  const files = caseFiles(DIR);
  test('the conformance corpus holds models', () => assert.ok(files.length > 0, `no *.json under ${DIR}`));
  for (const file of files) {
    const { opl } = JSON.parse(readFileSync(file, 'utf8')) as { opl?: unknown };
    if (typeof opl !== 'string') continue;
    test(`conformance model ${relative(DIR, file)} compiles without errors`, () => {
      const result = compileOpl(opl);
      assert.deepEqual(result.errors, []);
      assert.ok(result.namespaces.length > 0);
    });
  }
}
