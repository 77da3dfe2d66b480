import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { formatPlaced, placeDiagnostics } from '../../src/opl/report.js';

test('diagnostics for people: editor positions, the line, a caret and underline; long messages shortened', () => {
  const source = 'class A implements Namespace {\n\trelated: { a: Bee[] }\n}\nclass Be implements Namespace {}';
  const [placed] = placeDiagnostics(source, compileOpl(source).errors);
  assert.deepEqual(placed, {
    message: 'namespace "Bee" was not declared; did you mean "Be"?',
    line: 2,
    column: 16,
    lineText: '\trelated: { a: Bee[] }',
    width: 3,
  });
  assert.equal(
    formatPlaced('m.ts', placed!),
    'm.ts:2:16: namespace "Bee" was not declared; did you mean "Be"?\n    \trelated: { a: Bee[] }\n    \t              ^~~',
  );
  // The lexer quotes 64 characters of the rest, each control character as 4: longer than 240.
  const long = `class A implements Namespace { @ }${'\u0001'.repeat(1000)}`;
  const [lexerError] = placeDiagnostics(long, compileOpl(long).errors);
  assert.equal(lexerError!.message.length, 240);
  assert.ok(lexerError!.message.endsWith('…'));
});
