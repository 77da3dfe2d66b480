import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { INVALID_MODELS } from './support/invalid-models.js';

for (const c of INVALID_MODELS) {
  test(`invalid model: ${c.name}`, () => {
    const result = compileOpl(c.opl);
    const got = result.errors.map((e) => ({ message: e.message, start: [e.start.line, e.start.column], end: [e.end.line, e.end.column] }));
    assert.deepEqual(got, c.errors);
    assert.deepEqual(result.namespaces, []);
  });
}

test('the invalid-model table has at least 40 cases', () => {
  assert.ok(INVALID_MODELS.length >= 40, String(INVALID_MODELS.length));
});
