import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { expandTreeToKeto } from '../../src/api/expand-tree.js';
import { expandNode, type ExpandTree } from '../../src/engine/expand-tree.js';
import { goAtoi, goParseIntBase0 } from '../../src/api/go-number.js';
import { decodeBatchCheckBody, parsePatchDeltas } from '../../src/api/keto-bodies.js';
import { parseKetoTuple, tupleToKeto } from '../../src/api/keto-json.js';
import { relationQueryFromProto, relationQueryToProto, tupleFromProto, tupleToProto } from '../../src/api/proto.js';
import { maxDepthFromUrlQuery, pageRequestFromUrlQuery } from '../../src/api/request-params.js';
import { formatTuple, parseTupleString } from '../../src/api/tuple-string.js';
import { relationQueryFromUrlQuery, relationQueryToUrlQuery, relationTupleFromUrlQuery, relationTupleToUrlQuery } from '../../src/api/url-query.js';
import { GatehouseError } from '../../src/errors.js';
import type { RelationQuery, RelationTuple, Subject } from '../../src/tuple.js';
import { loadKetoWire } from './keto-proto-wire.js';

const RUNS = { numRuns: 300 };
const text = fc.string({ unit: 'binary', maxLength: 12 });
const subjectOf = (s: fc.Arbitrary<string>): fc.Arbitrary<Subject> =>
  fc.oneof(
    s.map((id) => ({ id })),
    fc.record({ namespace: s, object: s, relation: s }, { noNullPrototype: true }).map((set) => ({ set })),
  );
const tupleOf = (s: fc.Arbitrary<string>): fc.Arbitrary<RelationTuple> =>
  fc.record({ namespace: s, object: s, relation: s, subject: subjectOf(s) }, { noNullPrototype: true });
const queryOf = (s: fc.Arbitrary<string>): fc.Arbitrary<RelationQuery> =>
  fc.record({ namespace: s, object: s, relation: s, subject: subjectOf(s) }, { requiredKeys: [], noNullPrototype: true });

/** Runs `f`; anything it throws must be an invalid_argument GatehouseError. */
function failsCleanly(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GatehouseError && e.kind === 'invalid_argument', `unexpected ${String(e)}`);
  }
}

describe('codec round trips', () => {
  let wire: Awaited<ReturnType<typeof loadKetoWire>>;
  before(async () => {
    wire = await loadKetoWire();
  });

  it('Keto JSON', () => {
    fc.assert(fc.property(tupleOf(text), (t) => assert.deepEqual(parseKetoTuple(JSON.parse(JSON.stringify(tupleToKeto(t)))), t)), RUNS);
  });

  it('URL query (tuples and queries)', () => {
    fc.assert(fc.property(tupleOf(text), (t) => assert.deepEqual(relationTupleFromUrlQuery(new URLSearchParams(relationTupleToUrlQuery(t))), t)), RUNS);
    fc.assert(fc.property(queryOf(text), (q) => assert.deepEqual(relationQueryFromUrlQuery(new URLSearchParams(relationQueryToUrlQuery(q))), q)), RUNS);
  });

  it('proto messages', () => {
    fc.assert(fc.property(tupleOf(text), (t) => assert.deepEqual(tupleFromProto(wire('RelationTuple', tupleToProto(t))), t)), RUNS);
    fc.assert(fc.property(queryOf(text), (q) => assert.deepEqual(relationQueryFromProto(wire('RelationQuery', relationQueryToProto(q))), q)), RUNS);
  });

  it('string form, for identifiers without separators', () => {
    const plain = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/[:#@()]/.test(s));
    fc.assert(fc.property(tupleOf(plain), (t) => assert.deepEqual(parseTupleString(formatTuple(t)), t)), RUNS);
  });
});

describe('codecs never fail uncleanly', () => {
  it('on arbitrary JSON bodies', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        failsCleanly(() => parseKetoTuple(v));
        failsCleanly(() => parsePatchDeltas(v));
        failsCleanly(() => decodeBatchCheckBody(v));
        failsCleanly(() => parsePatchDeltas([{ action: 'insert', relation_tuple: v }]));
        failsCleanly(() => decodeBatchCheckBody({ tuples: [v] }));
      }),
      RUNS,
    );
  });

  it('on arbitrary query strings', () => {
    const key = fc.constantFrom('namespace', 'object', 'relation', 'subject_id', 'subject_set.namespace', 'subject_set.object', 'subject_set.relation', 'subject', 'max-depth', 'page_size', 'page_token');
    const query = fc.array(fc.tuple(key, text), { maxLength: 8 }).map((pairs) => new URLSearchParams(pairs));
    fc.assert(
      fc.property(query, (q) => {
        failsCleanly(() => relationQueryFromUrlQuery(q));
        failsCleanly(() => relationTupleFromUrlQuery(q));
        failsCleanly(() => maxDepthFromUrlQuery(q));
        failsCleanly(() => pageRequestFromUrlQuery(q));
      }),
      RUNS,
    );
  });

  it('on arbitrary tuple strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => failsCleanly(() => parseTupleString(s))), RUNS);
  });

  it('on arbitrary proto-like objects', () => {
    fc.assert(fc.property(fc.anything(), (v) => failsCleanly(() => tupleFromProto(v))), RUNS);
  });
});

describe('number parsing agrees with exact integer arithmetic', () => {
  it('for decimal strings', () => {
    const decimal = fc.tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,21}$/)).map(([sign, digits]) => sign + digits);
    fc.assert(
      fc.property(decimal, (s) => {
        const exact = BigInt(s.replace('+', ''));
        const inRange = exact >= -(1n << 63n) && exact < 1n << 63n;
        const atoi = goAtoi(s);
        assert.deepEqual(atoi, inRange ? { ok: true, value: Number(exact) } : { ok: false, error: `strconv.Atoi: parsing "${s}": value out of range` });
        const octal = /^[+-]?0[0-9]/.test(s);
        if (!octal) assert.deepEqual(goParseIntBase0(s).ok, inRange);
      }),
      RUNS,
    );
  });
});

describe('expand trees', () => {
  it('never emit a childless non-leaf in REST JSON', () => {
    const type = fc.constantFrom('union', 'exclusion', 'intersection', 'leaf', 'tuple_to_subject_set', 'computed_subject_set', 'not', 'unspecified' as const);
    const subject = fc.option(subjectOf(text), { nil: undefined });
    const tree: fc.Arbitrary<ExpandTree> = fc.letrec<{ node: ExpandTree }>((tie) => ({
      node: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'tree' },
        fc.tuple(type, subject).map(([t, s]) => expandNode(t, s)),
        fc.tuple(type, subject, fc.array(tie('node'), { maxLength: 3 })).map(([t, s, children]) => expandNode(t, s, children)),
      ),
    })).node;
    const check = (json: ReturnType<typeof expandTreeToKeto>): void => {
      if (json.children === undefined) assert.equal(json.type, 'leaf');
      else {
        assert.ok(json.children.length > 0);
        json.children.forEach(check);
      }
    };
    fc.assert(fc.property(tree, (t) => check(expandTreeToKeto(t))), { numRuns: 100 });
  });
});
