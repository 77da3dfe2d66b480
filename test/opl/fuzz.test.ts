import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileOpl, type CompileResult } from '../../src/opl/compile.js';
import { MAX_DIAGNOSTIC_MESSAGE_LENGTH, MAX_REPORTED_DIAGNOSTICS } from '../../src/opl/limits.js';
import { decodeOplBytes } from '../../src/opl/source.js';
import { corpusSkip, loadConformanceCases } from '../support/conformance.js';
import { arbitraryModel, arbitraryStyle } from './support/arbitrary-model.js';
import { INVALID_MODELS } from './support/invalid-models.js';
import { printModel } from './support/print-model.js';

/**
 * The compiler never throws, whatever it is given: every answer is a model or errors whose
 * spans lie inside the input. Boxed by count (10 000 inputs in all), not by clock.
 */

let inputs = 0;

function checkedCompile(source: string, typescriptPrecedence: boolean): CompileResult {
  inputs++;
  const result = compileOpl(source, { typescriptPrecedence });
  for (const d of [...result.errors, ...result.warnings]) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= source.length, JSON.stringify(d.span));
    assert.ok(d.start.line >= 1 && d.end.line >= d.start.line, JSON.stringify(d));
    assert.equal(typeof d.message, 'string');
  }
  if (result.errors.length > 0) assert.deepEqual(result.namespaces, []);
  return result;
}

const TOKENS = [
  'class', 'implements', 'Namespace', 'this', 'ctx', 'related', 'permits', 'Context', 'boolean', 'SubjectSet', 'Array',
  'includes', 'traverse', 'subject', 'A', 'B', 'x', '"r"', "'s'", '"', "'", '&&', '||', '!', '=', '=>', '.', ':', ',',
  ';', '|', '(', ')', '{', '}', '[', ']', '<', '>', '/*', '*/', '//', '\n', ' ', '\t', '@', '1', 'é', '\u0000',
];

const seeds: string[] = [
  ...INVALID_MODELS.map((c) => c.opl),
  ...fc.sample(fc.tuple(arbitraryModel, arbitraryStyle), { numRuns: 40, seed: 11 }).map(([m, s]) => printModel(m, s)),
];

type Mutation =
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'replace'; at: number; char: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.integer({ min: 0, max: 0x2fff }) }),
);

function mutate(seed: string, steps: readonly Mutation[]): string {
  let text = seed;
  for (const step of steps) {
    const at = step.at % (text.length + 1);
    if (step.kind === 'insert') text = text.slice(0, at) + step.token + text.slice(at);
    else if (step.kind === 'delete') text = text.slice(0, at) + text.slice(at + step.length);
    else if (step.kind === 'duplicate') text = text.slice(0, at) + text.slice(at, at + step.length) + text.slice(at);
    else text = text.slice(0, at) + String.fromCharCode(step.char) + text.slice(at + 1);
  }
  return text;
}

test('4 000 mutated models (valid and invalid seeds) never make the compiler throw', () => {
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (seed, steps, ts) => {
      checkedCompile(mutate(seed, steps), ts);
    }),
    { numRuns: 4000, seed: 1 },
  );
});

test('3 000 random token sequences never make the compiler throw', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }), fc.boolean(), (tokens, ts) => {
      checkedCompile(['class A implements Namespace {', ...tokens].join(' '), ts);
    }),
    { numRuns: 3000, seed: 2 },
  );
});

test('3 000 random byte strings never make the compiler throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, ts) => {
      checkedCompile(decodeOplBytes(bytes), ts);
    }),
    { numRuns: 3000, seed: 3 },
  );
});

test('nesting 100 000 deep is a nesting error, not a stack overflow', () => {
  const head = 'class A implements Namespace { permits = { p: (ctx) => ';
  const depth = 100_000;
  for (const [open, close] of [
    ['(', ')'],
    ['!(', ')'],
  ] as const) {
    const source = `${head}${open.repeat(depth)}this.permits.p(ctx)${close.repeat(depth)} } }`;
    const result = checkedCompile(source, false);
    assert.deepEqual(
      result.errors.map((e) => e.message),
      ['expression nested too deeply; maximal nesting depth is 10'],
    );
  }
  const types = checkedCompile(`class A implements Namespace { related: { a: ${'('.repeat(depth)}A[] } }`, false);
  assert.equal(types.errors.length, 1);
});

test('chains of 50 000 operands (alternating, one operator, juxtaposed) compile with no recursion limit', () => {
  const operand = 'this.permits.p(ctx)';
  const chains = [
    Array.from({ length: 50_000 }, (_, i) => (i === 0 ? operand : `${i % 2 ? '||' : '&&'} ${operand}`)).join(' '),
    Array(50_000).fill(operand).join(' || '),
    Array(50_000).fill(operand).join(' '),
  ];
  for (const body of chains) {
    const result = checkedCompile(`class A implements Namespace { permits = { p: (ctx) => ${body} } }`, false);
    assert.deepEqual(result.errors, []);
    assert.equal(result.namespaces.length, 1);
  }
});

const corpus = loadConformanceCases();
test('1 000 mutations of the conformance corpus models never make the compiler throw', { skip: corpusSkip(corpus) }, () => {
  const models = [...new Set(corpus!.map((c) => c.opl))];
  assert.ok(models.length > 0);
  fc.assert(
    fc.property(fc.constantFrom(...models), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (seed, steps, ts) => {
      checkedCompile(mutate(seed, steps), ts);
    }),
    { numRuns: 1000, seed: 4 },
  );
});

/** Pieces large garbage inputs are made of: noise, runs of one byte, and fragments that make many errors. */
const largePiece: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 * 1024 }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 512 * 1024 })).map(([byte, n]) => new Uint8Array(n).fill(byte)),
  fc.tuple(fc.constantFrom(...TOKENS), fc.integer({ min: 1, max: 20_000 })).map(([token, n]) => new TextEncoder().encode(token.repeat(n))),
  fc.integer({ min: 1, max: 5_000 }).map((n) =>
    new TextEncoder().encode(
      `class A implements Namespace { related: { r: (A | B | SubjectSet<C, "m">)[] } permits = { ${Array.from(
        { length: n },
        (_, i) => `p${i}: (ctx) => this.related.r.traverse((x) => x.permits.q${i}(ctx)) || this.permits.z${i}(ctx)`,
      ).join(', ')} } }`,
    ),
  ),
);

test('200 large garbage inputs (up to 1.5 MiB) get at most 100 errors and warnings, each message bounded', () => {
  const bound = 100 * (MAX_DIAGNOSTIC_MESSAGE_LENGTH * 6 + 100);
  let cut = 0;
  fc.assert(
    fc.property(fc.array(largePiece, { minLength: 1, maxLength: 3 }), fc.boolean(), (pieces, ts) => {
      const bytes = Buffer.concat(pieces);
      const result = checkedCompile(decodeOplBytes(bytes), ts);
      for (const list of [result.errors, result.warnings]) {
        assert.ok(list.length <= MAX_REPORTED_DIAGNOSTICS, String(list.length));
        for (const d of list) assert.ok(d.message.length <= MAX_DIAGNOSTIC_MESSAGE_LENGTH, d.message.slice(0, 200));
        assert.ok(JSON.stringify(list.map((d) => ({ message: d.message, start: d.start, end: d.end }))).length <= bound);
        if (list.length === MAX_REPORTED_DIAGNOSTICS && / more (errors|warnings) were cut; /.test(list.at(-1)!.message)) cut++;
      }
    }),
    { numRuns: 200, seed: 5 },
  );
  // The inputs reach the cut, not only short answers.
  assert.ok(cut > 0);
});

test('the fuzz run covered 10 000 inputs', () => {
  assert.ok(inputs >= 10_000, String(inputs));
});
