import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';

describe('namespaces.example.ts', () => {
  it('compiles without errors or warnings', () => {
    const source = readFileSync(new URL('../../../namespaces.example.ts', import.meta.url), 'utf8');
    const result = compileOpl(source);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(
      result.namespaces.map((ns) => [ns.name, ns.relations.map((r) => r.name)]),
      [
        ['User', []],
        ['Group', ['members']],
        ['Folder', ['parents', 'owners', 'viewers', 'edit', 'view']],
        ['Document', ['parents', 'owners', 'viewers', 'edit', 'view']],
      ],
    );
  });
});
