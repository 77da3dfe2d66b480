import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileOpl } from '../../src/opl/compile.js';
import { arbitraryModel, arbitraryStyle } from './support/arbitrary-model.js';
import { printModel } from './support/print-model.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

test('random valid models print and parse back to the same model, in both precedence modes', () => {
  fc.assert(
    fc.property(arbitraryModel, arbitraryStyle, (model, style) => {
      const source = printModel(model, style);
      for (const typescriptPrecedence of [false, true]) {
        const result = compileOpl(source, { typescriptPrecedence });
        assert.deepEqual(result.errors, [], source);
        assert.deepEqual(result.warnings, [], source);
        assert.deepEqual(plain(result.namespaces), plain(model), source);
      }
    }),
    { numRuns: 300, seed: 20261125 },
  );
});

test('printing a parsed model again gives the same text', () => {
  fc.assert(
    fc.property(arbitraryModel, arbitraryStyle, (model, style) => {
      const source = printModel(model, style);
      const reparsed = compileOpl(source).namespaces;
      assert.equal(printModel(reparsed, style), source);
    }),
    { numRuns: 100, seed: 7 },
  );
});
