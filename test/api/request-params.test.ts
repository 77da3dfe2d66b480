import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goAtoi, goParseIntBase0, goQuote } from '../../src/api/go-number.js';
import {
  clampPageSize,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  maxDepthFromUrlQuery,
  pageRequestFromProto,
  pageRequestFromUrlQuery,
} from '../../src/api/request-params.js';
import { throwsInvalid } from './throws-invalid.js';

const q = (s: string) => new URLSearchParams(s);
const depthError = (detail: string) => `unable to parse 'max-depth' query parameter to int: ${detail}`;

describe('max-depth', () => {
  it('is 0 when absent', () => {
    assert.equal(maxDepthFromUrlQuery(q('namespace=n')), 0);
  });

  it('accepts Go integer literals', () => {
    const cases: [string, number][] = [
      ['5', 5],
      ['-3', -3],
      ['%2B7', 7],
      ['0', 0],
      ['010', 8],
      ['0x1F', 31],
      ['0X1f', 31],
      ['0o17', 15],
      ['0b101', 5],
      ['1_000', 1000],
      ['0x_1f', 31],
      ['-0b1_1', -3],
      ['9223372036854775807', 9223372036854775807],
      ['-9223372036854775808', -9223372036854775808],
    ];
    for (const [raw, expected] of cases) assert.equal(maxDepthFromUrlQuery(q(`max-depth=${raw}`)), expected, raw);
  });

  it('refuses anything else with strconv’s message', () => {
    const syntax = (s: string) => depthError(`strconv.ParseInt: parsing ${s}: invalid syntax`);
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=')), syntax('""'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=abc')), syntax('"abc"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=1.5')), syntax('"1.5"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=%2B')), syntax('"+"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=08')), syntax('"08"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=0x')), syntax('"0x"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=_1')), syntax('"_1"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=1__0')), syntax('"1__0"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=1_')), syntax('"1_"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=%2B-1')), syntax('"+-1"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=%205')), syntax('" 5"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=%EF%BC%95')), syntax('"５"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=1%0A')), syntax('"1\\n"'));
    const range = (s: string) => depthError(`strconv.ParseInt: parsing ${s}: value out of range`);
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=9223372036854775808')), range('"9223372036854775808"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=-9223372036854775809')), range('"-9223372036854775809"'));
    throwsInvalid(() => maxDepthFromUrlQuery(q('max-depth=99999999999999999999x')), range('"99999999999999999999x"'));
  });
});

describe('pagination parameters', () => {
  it('defaults, clamps and passes the token through', () => {
    assert.deepEqual(pageRequestFromUrlQuery(q('')), { size: DEFAULT_PAGE_SIZE });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=7')), { size: 7 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=500')), { size: 500 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=501')), { size: MAX_PAGE_SIZE });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=1000000000')), { size: 500 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=0')), { size: 100 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=-1')), { size: 100 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=%2B3')), { size: 3 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_size=&page_size=4')), { size: 4 });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_token=&page_token=abc%2B%2F%3D')), { size: 100, token: 'abc+/=' });
    assert.deepEqual(pageRequestFromUrlQuery(q('page_token=')), { size: 100 });
  });

  it('refuses a page size that is not a decimal integer', () => {
    throwsInvalid(() => pageRequestFromUrlQuery(q('page_size=abc')), 'strconv.Atoi: parsing "abc": invalid syntax');
    throwsInvalid(() => pageRequestFromUrlQuery(q('page_size=0x10')), 'strconv.Atoi: parsing "0x10": invalid syntax');
    throwsInvalid(() => pageRequestFromUrlQuery(q('page_size=1_0')), 'strconv.Atoi: parsing "1_0": invalid syntax');
    throwsInvalid(() => pageRequestFromUrlQuery(q('page_size=1e3')), 'strconv.Atoi: parsing "1e3": invalid syntax');
    throwsInvalid(() => pageRequestFromUrlQuery(q('page_size=99999999999999999999')), 'strconv.Atoi: parsing "99999999999999999999": value out of range');
  });

  it('reads gRPC pagination', () => {
    assert.deepEqual(pageRequestFromProto({ pageSize: 0, pageToken: '' }), { size: 100 });
    assert.deepEqual(pageRequestFromProto({ pageSize: 20, pageToken: 't' }), { size: 20, token: 't' });
    assert.deepEqual(pageRequestFromProto({ pageSize: 2147483647 }), { size: 500 });
    assert.deepEqual(pageRequestFromProto({ pageSize: -5 }), { size: 100 });
    assert.deepEqual(pageRequestFromProto({}), { size: 100 });
  });

  it('clamps', () => {
    assert.deepEqual([-1, 0, 1, 499, 500, 501].map(clampPageSize), [100, 100, 1, 499, 500, 500]);
  });
});

describe('Go number helpers', () => {
  it('distinguishes ParseInt base 0 from Atoi', () => {
    assert.deepEqual(goParseIntBase0('0755'), { ok: true, value: 493 });
    assert.deepEqual(goAtoi('0755'), { ok: true, value: 755 });
    assert.deepEqual(goAtoi('-0'), { ok: true, value: 0 });
  });

  it('quotes as %q does', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\x07\b\f\n\r\t\v\x00\x7f'), '"\\a\\b\\f\\n\\r\\t\\v\\x00\\x7f"');
    assert.equal(goQuote('é名🦀 '), '"é名🦀 "');
    assert.equal(goQuote('\u0085\u200b\u00a0'), '"\\u0085\\u200b\\u00a0"');
    assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  });
});
