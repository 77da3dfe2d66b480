import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { permitShapes } from './support/keto-shape.js';

const model = (body: string) =>
  `class A implements Namespace {\n  related: { a: A[] b: A[] c: A[] d: A[] }\n  permits = {\n    p: (ctx) => ${body},\n  }\n}`;
const r = (name: string) => `this.related.${name}.includes(ctx.subject)`;

function compile(body: string, typescriptPrecedence = false) {
  const result = compileOpl(model(body), { typescriptPrecedence });
  return { ...result, shape: permitShapes(result.namespaces[0])['p'] };
}

test('by default `a || b && c` is folded left to right as Keto does, with a warning', () => {
  const result = compile(`${r('a')} || ${r('b')} && ${r('c')}`);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.shape, ['and', ['or', 'a', 'b'], 'c']);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!.message, /left to right as Keto does/);
  assert.deepEqual(result.warnings[0]!.start, { line: 4, column: 16 });
});

test('typescriptPrecedence reads `a || b && c` as `a || (b && c)`, still with a warning', () => {
  const result = compile(`${r('a')} || ${r('b')} && ${r('c')}`, true);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.shape, ['or', 'a', ['and', 'b', 'c']]);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!.message, /TypeScript's precedence/);
});

test('`a && b || c` and single-operator chains mean the same in both readings: no warning', () => {
  for (const body of [
    `${r('a')} && ${r('b')} || ${r('c')}`,
    `${r('a')} || ${r('b')} || ${r('c')}`,
    `${r('a')} && ${r('b')} && ${r('c')}`,
    `(${r('a')} || ${r('b')}) && ${r('c')}`,
    `${r('a')} || (${r('b')} && ${r('c')})`,
  ]) {
    const keto = compile(body);
    const typescript = compile(body, true);
    assert.deepEqual(keto.warnings, [], body);
    assert.deepEqual(typescript.warnings, [], body);
    assert.deepEqual(keto.shape, typescript.shape, body);
  }
});

test('`a && b || c && d`: both readings, one warning each', () => {
  const body = `${r('a')} && ${r('b')} || ${r('c')} && ${r('d')}`;
  assert.deepEqual(compile(body).shape, ['and', ['or', ['and', 'a', 'b'], 'c'], 'd']);
  assert.deepEqual(compile(body, true).shape, ['or', ['and', 'a', 'b'], ['and', 'c', 'd']]);
  assert.equal(compile(body).warnings.length, 1);
});

test('a warning for every differing expression, nested ones included', () => {
  const inner = `${r('a')} || ${r('b')} && ${r('c')}`;
  const result = compile(`(${inner}) || !(${inner})`);
  assert.equal(result.warnings.length, 2);
});

test('Keto quirks are warnings by default and errors with typescriptPrecedence', () => {
  const quirks: [string, RegExp][] = [
    [`${r('a')} ||`, /has no right operand/],
    [`${r('a')} || && ${r('b')}`, /has no right operand/],
    [`${r('a')} ${r('b')}`, /missing `\|\|` or `&&`/],
  ];
  for (const [body, message] of quirks) {
    const keto = compile(body);
    assert.deepEqual(keto.errors, [], body);
    assert.ok(keto.namespaces.length > 0, body);
    assert.match(keto.warnings.map((w) => w.message).join('\n'), message, body);
    const typescript = compile(body, true);
    assert.match(typescript.errors.map((e) => e.message).join('\n'), message, body);
    assert.deepEqual(typescript.namespaces, [], body);
  }
});

test('a `(` closed by `}` is accepted as in Keto: a warning by default, an error with typescriptPrecedence', () => {
  const source = `class A implements Namespace { related: { a: A[] } permits = { p: (ctx) => (${r('a')} } }`;
  const keto = compileOpl(source);
  assert.deepEqual(keto.errors, []);
  assert.match(keto.warnings[0]!.message, /never closed/);
  assert.match(compileOpl(source, { typescriptPrecedence: true }).errors[0]!.message, /never closed/);
});

test('Keto silently drops a permit whose body starts with an operator; gatehouse warns', () => {
  const result = compileOpl('class A implements Namespace { permits = { p: (ctx) => || this.permits.p(ctx) } }');
  // Keto stops reading the permits block and the class at the dropped permit; the rest is skipped.
  assert.deepEqual(result.errors.map((e) => e.message), [`expected 'permits' or 'related', got "this"`]);
  const dropped = compileOpl('class A implements Namespace { related: { a: A[] } permits = { p: (ctx) => () } }');
  assert.deepEqual(dropped.errors, []);
  assert.deepEqual(dropped.namespaces, [{ name: 'A', relations: [{ name: 'a', types: [{ namespace: 'A' }] }] }]);
  assert.match(dropped.warnings[0]!.message, /permit "p" has no complete expression/);
});

test('juxtaposed expressions join the expression before them, as in Keto', () => {
  assert.deepEqual(compile(`(${r('a')} && ${r('b')}) (${r('c')})`).shape, ['and', 'a', 'b', 'c']);
  assert.deepEqual(compile(`${r('a')} ${r('b')}`).shape, ['or', 'a', 'b']);
});

test('a class or relation declared twice: a warning, the first relation is the one kept, the last class is served', () => {
  const source = `class A implements Namespace { related: { r: A[] r: B[] } }
class B implements Namespace {}
class A implements Namespace { related: { s: A[] } }`;
  const result = compileOpl(source);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.warnings.map((w) => w.message),
    [
      '"r" is declared twice in class "A"; only the first declaration counts',
      'class "A" is declared again; Keto type-checks against the first declaration but serves this one',
    ],
  );
  assert.deepEqual(result.namespaces, [
    { name: 'A', relations: [{ name: 's', types: [{ namespace: 'A' }] }] },
    { name: 'B', relations: [] },
  ]);
  assert.equal(compileOpl(source, { typescriptPrecedence: true }).errors.length, 2);
  const relations = compileOpl('class A implements Namespace { related: { r: A[] r: B[] } }\nclass B implements Namespace {}').namespaces[0]!.relations;
  assert.deepEqual(relations, [{ name: 'r', types: [{ namespace: 'A' }] }]);
});
