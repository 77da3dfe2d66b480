import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBatchCheckBody, decodeCheckBody, parsePatchDeltas } from '../../src/api/keto-bodies.js';
import { decodeKetoTuple } from '../../src/api/keto-json.js';
import { GatehouseError } from '../../src/errors.js';
import { throwsInvalid } from './throws-invalid.js';

const tuple = { namespace: 'n', object: 'o', relation: 'r', subject_id: 's' };
const domain = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };

describe('PATCH deltas', () => {
  it('reads inserts and deletes in order', () => {
    const set = { namespace: 'n', object: 'o', relation: 'r', subject_set: { namespace: 'a', object: 'b', relation: '' } };
    assert.deepEqual(
      parsePatchDeltas([
        { action: 'insert', relation_tuple: tuple },
        { Action: 'delete', relation_tuple: set },
      ]),
      [
        { action: 'insert', tuple: domain },
        { action: 'delete', tuple: { ...domain, subject: { set: { namespace: 'a', object: 'b', relation: '' } } } },
      ],
    );
    assert.deepEqual(parsePatchDeltas([]), []);
    assert.deepEqual(parsePatchDeltas(null), []);
  });

  it('type-checks the whole body before validating any delta', () => {
    throwsInvalid(() => parsePatchDeltas({}), 'json: cannot unmarshal object into Go value of type []*ketoapi.PatchDelta');
    throwsInvalid(
      () => parsePatchDeltas([{ action: 'bogus' }, 'x']),
      'json: cannot unmarshal string into Go value of type ketoapi.PatchDelta',
    );
    throwsInvalid(
      () => parsePatchDeltas([{ action: 1, relation_tuple: tuple }]),
      'json: cannot unmarshal number into Go struct field PatchDelta.action of type ketoapi.PatchAction',
    );
    throwsInvalid(
      () => parsePatchDeltas([{ action: 'bogus' }, { action: 'insert', relation_tuple: { namespace: 1 } }]),
      'json: cannot unmarshal number into Go struct field RelationTuple.relation_tuple.namespace of type string',
    );
  });

  it('validates each delta in order: tuple present, subject present, known action', () => {
    throwsInvalid(() => parsePatchDeltas([{ action: 'insert' }]), 'relation_tuple is missing');
    throwsInvalid(() => parsePatchDeltas([{ action: 'insert', relation_tuple: null }]), 'relation_tuple is missing');
    throwsInvalid(() => parsePatchDeltas([null]), 'relation_tuple is missing');
    throwsInvalid(() => parsePatchDeltas([{ action: 'bogus', relation_tuple: { namespace: 'n' } }]), 'subject is not allowed to be nil');
    throwsInvalid(() => parsePatchDeltas([{ action: 'Insert', relation_tuple: tuple }]), 'unknown action Insert');
    throwsInvalid(() => parsePatchDeltas([{ relation_tuple: tuple }]), 'unknown action ');
    throwsInvalid(
      () => parsePatchDeltas([{ action: 'insert', relation_tuple: tuple }, { action: 'delete' }, { action: 'x', relation_tuple: tuple }]),
      'relation_tuple is missing',
    );
  });
});

describe('batch check body', () => {
  it('returns the tuples unvalidated', () => {
    assert.deepEqual(decodeBatchCheckBody({ tuples: [tuple, { namespace: 'x' }, null] }), [
      tuple,
      { namespace: 'x', object: '', relation: '' },
      { namespace: '', object: '', relation: '' },
    ]);
    assert.deepEqual(decodeBatchCheckBody({}), []);
    assert.deepEqual(decodeBatchCheckBody({ tuples: null }), []);
    assert.deepEqual(decodeBatchCheckBody(null), []);
    assert.deepEqual(decodeBatchCheckBody({ TUPLES: [tuple], other: 1 }), [tuple]);
  });

  it('reports type mismatches with Keto’s field paths', () => {
    throwsInvalid(() => decodeBatchCheckBody([]), 'json: cannot unmarshal array into Go value of type check.batchCheckPermissionBody');
    throwsInvalid(
      () => decodeBatchCheckBody({ tuples: {} }),
      'json: cannot unmarshal object into Go struct field batchCheckPermissionBody.tuples of type []*ketoapi.RelationTuple',
    );
    throwsInvalid(
      () => decodeBatchCheckBody({ tuples: [tuple, 3] }),
      'json: cannot unmarshal number into Go struct field batchCheckPermissionBody.tuples of type ketoapi.RelationTuple',
    );
    throwsInvalid(
      () => decodeBatchCheckBody({ tuples: [{ subject_set: { namespace: false } }] }),
      'json: cannot unmarshal bool into Go struct field SubjectSet.tuples.subject_set.namespace of type string',
    );
  });
});

describe('check body decoding', () => {
  it('prefixes decoding failures as the check routes do', () => {
    assert.deepEqual(decodeCheckBody(() => decodeKetoTuple({ namespace: 'n' })), { namespace: 'n', object: '', relation: '' });
    throwsInvalid(
      () => decodeCheckBody(() => decodeKetoTuple({ namespace: 1 })),
      'could not unmarshal json: json: cannot unmarshal number into Go struct field RelationTuple.namespace of type string',
    );
    throwsInvalid(
      () => decodeCheckBody(() => decodeBatchCheckBody([])),
      'could not unmarshal json: json: cannot unmarshal array into Go value of type check.batchCheckPermissionBody',
    );
    throwsInvalid(
      () =>
        decodeCheckBody(() => {
          throw new GatehouseError('invalid_argument', 'unexpected EOF');
        }),
      'could not unmarshal json: unexpected EOF',
    );
    assert.throws(
      () =>
        decodeCheckBody(() => {
          throw new GatehouseError('payload_too_large', 'too big');
        }),
      { kind: 'payload_too_large', message: 'too big' },
    );
  });
});
