import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { MAX_DIAGNOSTIC_MESSAGE_LENGTH, MAX_QUOTED_SOURCE, MAX_REPORTED_DIAGNOSTICS, MAX_SUGGESTION_CANDIDATES } from '../../src/opl/limits.js';

/** A permit calling `count` permits its class does not declare: one type error each. */
const undeclaredCalls = (count: number) =>
  `class A implements Namespace { permits = { p: (ctx) => ${Array.from({ length: count }, (_, i) => `this.permits.u${i}(ctx)`).join(' || ')} } }`;

test('the limits have the values the documentation gives', () => {
  assert.deepEqual([MAX_REPORTED_DIAGNOSTICS, MAX_QUOTED_SOURCE, MAX_DIAGNOSTIC_MESSAGE_LENGTH, MAX_SUGGESTION_CANDIDATES], [100, 64, 1024, 1000]);
});

test('100 errors are all reported; from 101 on, the 100th entry says how many more were cut', () => {
  const hundred = compileOpl(undeclaredCalls(100)).errors;
  assert.equal(hundred.length, 100);
  assert.equal(hundred[99]!.message, 'namespace "A" did not declare relation "u99"');

  for (const [count, cut] of [
    [101, 2],
    [5000, 4901],
  ] as const) {
    const source = undeclaredCalls(count);
    const errors = compileOpl(source).errors;
    assert.equal(errors.length, 100);
    assert.equal(errors[98]!.message, 'namespace "A" did not declare relation "u98"');
    const notice = errors[99]!;
    assert.equal(notice.message, `${cut} more errors were cut; at most 100 are reported`);
    // It points where the first error it stands for starts.
    const at = source.indexOf('u99(ctx)');
    assert.deepEqual(notice.span, { start: at, end: at });
  }
});

test('warnings are cut the same way', () => {
  const juxtaposed = `class A implements Namespace { permits = { p: (ctx) => ${Array(150).fill('this.permits.p(ctx)').join(' ')} } }`;
  const { errors, warnings } = compileOpl(juxtaposed);
  assert.deepEqual(errors, []);
  assert.equal(warnings.length, 100);
  assert.equal(warnings[99]!.message, '50 more warnings were cut; at most 100 are reported');
});

test("the lexer quotes 64 characters of the rest of the input, as Go's %.64q, then `...`", () => {
  const at = (rest: string) => compileOpl(`class A implements Namespace { ${rest}`).errors[0]!.message;
  const sixtyFour = `@${'b'.repeat(63)}`;
  assert.equal(at(sixtyFour), `expected 'permits' or 'related', got "at \\"${sixtyFour}\\": unexpected token @"`);
  assert.equal(at(`${sixtyFour}c`), `expected 'permits' or 'related', got "at \\"${sixtyFour}\\"...: unexpected token @"`);
  // A character outside the BMP is one character, not two.
  const emoji = `@${'😀'.repeat(63)}`;
  assert.equal(at(`${emoji}😀`), `expected 'permits' or 'related', got "at \\"${emoji}\\"...: unexpected token @"`);
});

test('a name quoted in a message is cut at 64 characters; any message at 1024', () => {
  const long = 'n'.repeat(5000);
  const [undeclared] = compileOpl(`class A implements Namespace { related: { r: ${long}[] } }`).errors;
  assert.equal(undeclared!.message, `namespace "${'n'.repeat(64)}"... was not declared`);

  // Lint messages quote names whole: the message itself is cut.
  const twice = `class ${long} implements Namespace {}\nclass ${long} implements Namespace {}`;
  const [again] = compileOpl(twice, { typescriptPrecedence: true }).errors;
  assert.equal(again!.message.length, 1024);
  assert.equal(again!.message, `class "${'n'.repeat(1014)}...`);
});

test(`a suggestion is sought among the first ${MAX_SUGGESTION_CANDIDATES} names only`, () => {
  const model = (names: string[]) =>
    `class A implements Namespace { related: { ${names.map((n) => `${n}: A[]`).join(', ')} } permits = { p: (ctx) => this.related.viewerz.includes(ctx.subject) } }`;
  const filler = Array.from({ length: 1000 }, (_, i) => `r${i}`);
  assert.equal(compileOpl(model(['viewers', ...filler])).errors[0]!.message, 'namespace "A" did not declare relation "viewerz"; did you mean "viewers"?');
  assert.equal(compileOpl(model([...filler, 'viewers'])).errors[0]!.message, 'namespace "A" did not declare relation "viewerz"');
});
