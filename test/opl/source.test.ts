import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { goQuote } from '../../src/opl/go-quote.js';
import { decodeOplBytes, PositionMap } from '../../src/opl/source.js';

test("Keto's positions: line 1-based, column of the rune before the offset", () => {
  const p = new PositionMap('ab\ncd\n');
  assert.deepEqual(p.keto(0), { line: 1, column: 1 });
  assert.deepEqual(p.keto(1), { line: 1, column: 1 });
  assert.deepEqual(p.keto(2), { line: 1, column: 2 });
  assert.deepEqual(p.keto(3), { line: 1, column: 3 }, 'the start of line 2 is the newline ending line 1');
  assert.deepEqual(p.keto(4), { line: 2, column: 1 });
  assert.deepEqual(p.keto(6), { line: 2, column: 3 }, 'the end of input is the final newline');
  assert.deepEqual(new PositionMap('é\n').keto(2), { line: 2, column: 0 }, 'walking past the end goes past a final newline');
  assert.deepEqual(new PositionMap('').keto(0), { line: 1, column: 0 });
  assert.deepEqual(new PositionMap('ab').keto(2), { line: 1, column: 2 });
});

test("Keto's positions count bytes as runes after multi-byte characters", () => {
  // "é" is 2 bytes: the offset of "x" (UTF-16 index 2, byte 3) walks 3 runes, landing on "x" itself.
  const p = new PositionMap('éax');
  assert.deepEqual(p.keto(2), { line: 1, column: 3 });
  assert.deepEqual(p.editor(2), { line: 1, column: 3 });
  const astral = new PositionMap('😀\nab');
  assert.deepEqual(astral.editor(3), { line: 2, column: 1 });
  assert.equal(astral.lineText(2), 'ab');
});

test('editor positions are 1-based lines and code-point columns', () => {
  const p = new PositionMap('ab\ncd');
  assert.deepEqual(p.editor(0), { line: 1, column: 1 });
  assert.deepEqual(p.editor(3), { line: 2, column: 1 });
  assert.deepEqual(p.editor(5), { line: 2, column: 3 });
  assert.equal(p.lineText(1), 'ab');
  assert.equal(new PositionMap('ab\r\ncd').lineText(1), 'ab');
});

test('bytes that are not UTF-8 keep their offsets and read as U+FFFD in messages, as in Keto', () => {
  const source = decodeOplBytes(Buffer.from([0x61, 0xff, 0x62]));
  assert.equal(source, 'a\udcffb');
  const { errors } = compileOpl(source);
  assert.deepEqual(
    errors.map((e) => [e.message, e.start, e.end]),
    [['fatal: at "\\xffb": unexpected token \ufffd', { line: 1, column: 1 }, { line: 1, column: 1 }]],
  );
  assert.equal(decodeOplBytes(Buffer.from('é😀', 'utf8')), 'é😀');
  assert.equal(decodeOplBytes(Buffer.from([0xe2, 0x82, 0x41])), '\udce2\udc82A', 'a truncated sequence is two bad bytes');
  assert.equal(decodeOplBytes(Buffer.from([0xed, 0xa0, 0x80])), '\udced\udca0\udc80', 'an encoded surrogate is three bad bytes');
});

test("Go's %q quoting", () => {
  assert.equal(goQuote('a"b\\\n\t\u0001\u007f'), '"a\\"b\\\\\\n\\t\\x01\\x7f"');
  assert.equal(goQuote('é😀 '), '"é😀 "');
  assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
});

test('string literals are taken verbatim up to the same quote, across lines, without escapes', () => {
  const result = compileOpl(`class A implements Namespace { related: { 'a"\nb': A[] "c\\": A[] } }`);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.namespaces[0]!.relations.map((r) => r.name),
    ['a"\nb', 'c\\'],
  );
});
