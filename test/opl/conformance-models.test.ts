import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { corpusSkip, loadConformanceCases } from '../support/conformance.js';

const cases = loadConformanceCases();
const skip = corpusSkip(cases);

if (skip) {
  test('conformance models', { skip }, () => undefined);
} else {
  test('the conformance corpus holds models', () => assert.ok(cases!.length > 0));
  for (const c of cases!) {
    test(`conformance model ${c.file} compiles without errors`, () => {
      const result = compileOpl(c.opl);
      assert.deepEqual(result.errors, []);
      assert.ok(result.namespaces.length > 0);
    });
  }
}
