import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKetoTuple,
  parseKetoTuple,
  relationTuplesPageToKeto,
  tupleFromKeto,
  tupleToKeto,
} from '../../src/api/keto-json.js';
import type { RelationTuple } from '../../src/tuple.js';
import { throwsInvalid } from './throws-invalid.js';

const idTuple: RelationTuple = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };
const setTuple: RelationTuple = {
  namespace: 'n',
  object: 'o',
  relation: 'r',
  subject: { set: { namespace: 'sn', object: 'so', relation: 'sr' } },
};

describe('Keto JSON tuple: parse', () => {
  it('reads a tuple with a subject id', () => {
    assert.deepEqual(parseKetoTuple({ namespace: 'n', object: 'o', relation: 'r', subject_id: 's' }), idTuple);
  });

  it('reads a tuple with a subject set', () => {
    const body = { namespace: 'n', object: 'o', relation: 'r', subject_set: { namespace: 'sn', object: 'so', relation: 'sr' } };
    assert.deepEqual(parseKetoTuple(body), setTuple);
  });

  it('refuses a tuple with neither subject', () => {
    throwsInvalid(() => parseKetoTuple({ namespace: 'n', object: 'o', relation: 'r' }), 'subject is not allowed to be nil');
    throwsInvalid(() => parseKetoTuple({ namespace: 'n', subject_id: null, subject_set: null }), 'subject is not allowed to be nil');
    throwsInvalid(() => parseKetoTuple({}), 'subject is not allowed to be nil');
    throwsInvalid(() => parseKetoTuple(null), 'subject is not allowed to be nil');
  });

  it('keeps subject_id when both subjects are given', () => {
    const body = { namespace: 'n', object: 'o', relation: 'r', subject_set: { namespace: 'x' }, subject_id: 's' };
    assert.deepEqual(parseKetoTuple(body), idTuple);
  });

  it('reads missing or null strings as empty, including the subject set fields', () => {
    assert.deepEqual(parseKetoTuple({ subject_id: '' }), { namespace: '', object: '', relation: '', subject: { id: '' } });
    assert.deepEqual(parseKetoTuple({ namespace: null, object: 'o', subject_set: {} }), {
      namespace: '',
      object: 'o',
      relation: '',
      subject: { set: { namespace: '', object: '', relation: '' } },
    });
  });

  it('ignores unknown keys and matches keys case-insensitively, an exact key preferred', () => {
    assert.deepEqual(parseKetoTuple({ Namespace: 'n', OBJECT: 'o', relation: 'r', Subject_Id: 's', extra: [1, 2] }), idTuple);
    // U+212A KELVIN SIGN and U+017F LATIN SMALL LETTER LONG S fold onto k and s
    assert.deepEqual(parseKetoTuple({ namespace: 'n', object: 'o', relation: 'r', '\u017fubject_id': 's' }), idTuple);
    assert.deepEqual(decodeKetoTuple({ namespace: 'a', NAMESPACE: 'b' }).namespace, 'b');
    assert.deepEqual(decodeKetoTuple({ subject_id: 'x', SUBJECT_ID: null }).subject_id, undefined);
  });

  it('passes unicode, SQL metacharacters and control characters through verbatim', () => {
    const weird = ["'; DROP TABLE keto_relation_tuples; --", '%_\\', 'Ünïcødé 🦀 名前', 'a\u0000b', ' spaced ', ':#@()'];
    for (const s of weird) {
      const t = parseKetoTuple({ namespace: s, object: s, relation: s, subject_set: { namespace: s, object: s, relation: s } });
      assert.deepEqual(t, { namespace: s, object: s, relation: s, subject: { set: { namespace: s, object: s, relation: s } } });
    }
  });

  it('replaces unpaired surrogates with U+FFFD as Go does', () => {
    assert.deepEqual(parseKetoTuple(JSON.parse('{"subject_id":"a\\ud800b\\udc00"}')).subject, { id: 'a\ufffdb\ufffd' });
    assert.deepEqual(parseKetoTuple(JSON.parse('{"subject_id":"\\ud83e\\udd80"}')).subject, { id: '🦀' });
  });

  it('reports the first type mismatch with Go’s message and field path', () => {
    throwsInvalid(() => parseKetoTuple({ namespace: 1 }), 'json: cannot unmarshal number into Go struct field RelationTuple.namespace of type string');
    throwsInvalid(() => parseKetoTuple({ object: true }), 'json: cannot unmarshal bool into Go struct field RelationTuple.object of type string');
    throwsInvalid(() => parseKetoTuple({ relation: [] }), 'json: cannot unmarshal array into Go struct field RelationTuple.relation of type string');
    throwsInvalid(() => parseKetoTuple({ subject_id: {} }), 'json: cannot unmarshal object into Go struct field RelationTuple.subject_id of type string');
    throwsInvalid(
      () => parseKetoTuple({ subject_set: 'x' }),
      'json: cannot unmarshal string into Go struct field RelationTuple.subject_set of type ketoapi.SubjectSet',
    );
    throwsInvalid(
      () => parseKetoTuple({ subject_set: { relation: 5 } }),
      'json: cannot unmarshal number into Go struct field SubjectSet.subject_set.relation of type string',
    );
    throwsInvalid(() => parseKetoTuple({ object: 1, namespace: 2 }), 'json: cannot unmarshal number into Go struct field RelationTuple.object of type string');
  });

  it('reports a body that is not an object', () => {
    throwsInvalid(() => parseKetoTuple([]), 'json: cannot unmarshal array into Go value of type ketoapi.RelationTuple');
    throwsInvalid(() => parseKetoTuple('n:o#r@s'), 'json: cannot unmarshal string into Go value of type ketoapi.RelationTuple');
    throwsInvalid(() => parseKetoTuple(3), 'json: cannot unmarshal number into Go value of type ketoapi.RelationTuple');
    throwsInvalid(() => parseKetoTuple(false), 'json: cannot unmarshal bool into Go value of type ketoapi.RelationTuple');
  });

  it('names the enclosing field when the tuple sits inside a larger body', () => {
    const place = { struct: 'PatchDelta', fields: ['relation_tuple'] };
    throwsInvalid(
      () => parseKetoTuple(7, place),
      'json: cannot unmarshal number into Go struct field PatchDelta.relation_tuple of type ketoapi.RelationTuple',
    );
    throwsInvalid(
      () => parseKetoTuple({ subject_set: { object: 1 } }, place),
      'json: cannot unmarshal number into Go struct field SubjectSet.relation_tuple.subject_set.object of type string',
    );
  });

  it('decodes into Keto’s key order, keeping both subjects for an echo of the body', () => {
    const body = { subject_set: { relation: 'r', namespace: 'a' }, Subject_Id: 's', relation: 'x', NameSpace: 'n' };
    assert.equal(
      JSON.stringify(decodeKetoTuple(body)),
      '{"namespace":"n","object":"","relation":"x","subject_id":"s","subject_set":{"namespace":"a","object":"","relation":"r"}}',
    );
  });

  it('leaves subject validation to tupleFromKeto', () => {
    const decoded = decodeKetoTuple({ namespace: 'n' });
    assert.deepEqual(decoded, { namespace: 'n', object: '', relation: '' });
    throwsInvalid(() => tupleFromKeto(decoded), 'subject is not allowed to be nil');
  });
});

describe('Keto JSON tuple: encode', () => {
  it('writes keys in Keto’s order with exactly one subject key', () => {
    assert.equal(JSON.stringify(tupleToKeto(idTuple)), '{"namespace":"n","object":"o","relation":"r","subject_id":"s"}');
    assert.equal(
      JSON.stringify(tupleToKeto(setTuple)),
      '{"namespace":"n","object":"o","relation":"r","subject_set":{"namespace":"sn","object":"so","relation":"sr"}}',
    );
  });

  it('keeps an empty subject set relation', () => {
    const t: RelationTuple = { namespace: 'g', object: 'x', relation: 'm', subject: { set: { namespace: 'User', object: 'a', relation: '' } } };
    assert.equal(
      JSON.stringify(tupleToKeto(t)),
      '{"namespace":"g","object":"x","relation":"m","subject_set":{"namespace":"User","object":"a","relation":""}}',
    );
  });

  it('round-trips through JSON text', () => {
    for (const t of [idTuple, setTuple, { ...idTuple, object: "o'; --\u00e9🦀", subject: { id: '' } }]) {
      assert.deepEqual(parseKetoTuple(JSON.parse(JSON.stringify(tupleToKeto(t)))), t);
    }
  });

  it('writes a list page', () => {
    assert.equal(
      JSON.stringify(relationTuplesPageToKeto([idTuple], 'tok')),
      '{"relation_tuples":[{"namespace":"n","object":"o","relation":"r","subject_id":"s"}],"next_page_token":"tok"}',
    );
    assert.equal(JSON.stringify(relationTuplesPageToKeto([], '')), '{"relation_tuples":[],"next_page_token":""}');
  });
});
