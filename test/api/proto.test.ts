import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  checkRequestTuple,
  deleteRequestQuery,
  expandRequestSubject,
  ketoTupleFromProto,
  listRequestQuery,
  maxDepthFromProto,
  relationQueryFromProto,
  relationQueryToProto,
  subjectFromProto,
  transactRequestDeltas,
  tupleFromProto,
  tupleToProto,
} from '../../src/api/proto.js';
import type { RelationQuery, RelationTuple } from '../../src/tuple.js';
import { loadKetoWire } from './keto-proto-wire.js';
import { throwsInvalid } from './throws-invalid.js';

let wire: Awaited<ReturnType<typeof loadKetoWire>>;

before(async () => {
  wire = await loadKetoWire();
});

const idTuple: RelationTuple = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };
const setTuple: RelationTuple = { namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'sn', object: 'so', relation: '' } } };

describe('proto RelationTuple', () => {
  it('reads both subject kinds', () => {
    assert.deepEqual(tupleFromProto(wire('RelationTuple', { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } })), idTuple);
    assert.deepEqual(
      tupleFromProto(wire('RelationTuple', { namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'sn', object: 'so' } } })),
      setTuple,
    );
  });

  it('keeps an explicitly empty subject id', () => {
    assert.deepEqual(tupleFromProto(wire('RelationTuple', { subject: { id: '' } })), {
      namespace: '',
      object: '',
      relation: '',
      subject: { id: '' },
    });
  });

  it('refuses a missing subject or an unset oneof', () => {
    throwsInvalid(() => tupleFromProto(wire('RelationTuple', { namespace: 'n', object: 'o', relation: 'r' })), 'subject is not allowed to be nil');
    throwsInvalid(() => tupleFromProto(wire('RelationTuple', { namespace: 'n', subject: {} })), 'subject is not allowed to be nil');
    throwsInvalid(() => tupleFromProto(null), 'subject is not allowed to be nil');
    throwsInvalid(() => tupleFromProto({ subject: { ref: 'set', set: null } }), 'subject is not allowed to be nil');
  });

  it('gives the unvalidated tuple for per-item batch errors', () => {
    assert.deepEqual(ketoTupleFromProto(wire('RelationTuple', { namespace: 'n' })), { namespace: 'n', object: '', relation: '' });
    assert.deepEqual(ketoTupleFromProto(wire('RelationTuple', { subject: { set: { namespace: 'a' } } })), {
      namespace: '',
      object: '',
      relation: '',
      subject_set: { namespace: 'a', object: '', relation: '' },
    });
  });

  it('writes a message that decodes to the same tuple', () => {
    for (const t of [idTuple, setTuple, { ...idTuple, object: "'; DROP TABLE x; -- 名🦀", subject: { id: '' } }]) {
      assert.deepEqual(tupleFromProto(wire('RelationTuple', tupleToProto(t))), t);
    }
    assert.deepEqual(wire('RelationTuple', tupleToProto(idTuple)), {
      namespace: 'n',
      object: 'o',
      relation: 'r',
      subject: { id: 's', ref: 'id' },
    });
  });

  it('reads subjects with and without the oneof marker', () => {
    assert.deepEqual(subjectFromProto({ id: 'x' }), { id: 'x' });
    assert.deepEqual(subjectFromProto({ set: { namespace: 'a', object: 'b', relation: 'c' } }), { set: { namespace: 'a', object: 'b', relation: 'c' } });
    assert.deepEqual(subjectFromProto({ ref: 'set', set: { namespace: 'a' } }), { set: { namespace: 'a', object: '', relation: '' } });
    assert.equal(subjectFromProto({}), undefined);
    assert.equal(subjectFromProto(undefined), undefined);
    assert.equal(subjectFromProto({ id: 5 }), undefined);
  });
});

describe('proto RelationQuery', () => {
  it('filters only on fields that are present, empty strings included', () => {
    assert.deepEqual(relationQueryFromProto(wire('RelationQuery', {})), {});
    assert.deepEqual(relationQueryFromProto(wire('RelationQuery', { namespace: '' })), { namespace: '' });
    assert.deepEqual(relationQueryFromProto(wire('RelationQuery', { object: 'o', subject: { id: '' } })), {
      object: 'o',
      subject: { id: '' },
    });
    assert.deepEqual(relationQueryFromProto(wire('RelationQuery', { relation: 'r', subject: {} })), { relation: 'r' });
  });

  it('round-trips, keeping presence', () => {
    const queries: RelationQuery[] = [
      {},
      { namespace: '' },
      { namespace: 'n', object: '', relation: 'r', subject: { set: { namespace: 'a', object: 'b', relation: '' } } },
      { subject: { id: 'x' } },
    ];
    for (const query of queries) assert.deepEqual(relationQueryFromProto(wire('RelationQuery', relationQueryToProto(query))), query);
  });
});

describe('request messages', () => {
  it('CheckRequest: the tuple when set, else the deprecated fields', () => {
    const tuple = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };
    assert.deepEqual(checkRequestTuple(wire('CheckRequest', { tuple, namespace: 'x', subject: { id: 'y' } })), idTuple);
    assert.deepEqual(checkRequestTuple(wire('CheckRequest', { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } })), idTuple);
    throwsInvalid(() => checkRequestTuple(wire('CheckRequest', { tuple: { namespace: 'n' }, subject: { id: 'y' } })), 'subject is not allowed to be nil');
    throwsInvalid(() => checkRequestTuple(wire('CheckRequest', {})), 'subject is not allowed to be nil');
  });

  it('ListRelationTuplesRequest: relation_query, else the deprecated query with "" as unset', () => {
    assert.deepEqual(listRequestQuery(wire('ListRelationTuplesRequest', { relationQuery: { namespace: '' } })), { namespace: '' });
    assert.deepEqual(listRequestQuery(wire('ListRelationTuplesRequest', { relationQuery: {}, query: { namespace: 'n' } })), {});
    assert.deepEqual(listRequestQuery(wire('ListRelationTuplesRequest', { query: { namespace: 'n', object: '', subject: { id: 's' } } })), {
      namespace: 'n',
      subject: { id: 's' },
    });
    assert.deepEqual(listRequestQuery(wire('ListRelationTuplesRequest', { query: {} })), {});
    throwsInvalid(() => listRequestQuery(wire('ListRelationTuplesRequest', { pageSize: 3 })), 'you must provide a query');
  });

  it('DeleteRelationTuplesRequest: the same, with Keto’s reason when no query is given', () => {
    assert.deepEqual(deleteRequestQuery(wire('DeleteRelationTuplesRequest', { relationQuery: { namespace: 'n', relation: 'r' } })), {
      namespace: 'n',
      relation: 'r',
    });
    assert.deepEqual(deleteRequestQuery(wire('DeleteRelationTuplesRequest', { query: { relation: 'r' } })), { relation: 'r' });
    throwsInvalid(
      () => deleteRequestQuery(wire('DeleteRelationTuplesRequest', {})),
      'The request was malformed or contained invalid parameters',
      'invalid request',
    );
  });

  it('TransactRelationTuplesRequest: inserts and deletes, unspecified actions ignored', () => {
    const deltas = wire('TransactRelationTuplesRequest', {
      relationTupleDeltas: [
        { action: 'ACTION_DELETE', relationTuple: { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } } },
        { action: 'ACTION_INSERT', relationTuple: { namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'sn', object: 'so' } } } },
        { action: 'ACTION_UNSPECIFIED', relationTuple: {} },
      ],
    });
    assert.deepEqual(transactRequestDeltas(deltas), { insert: [setTuple], delete: [idTuple] });
    assert.deepEqual(transactRequestDeltas({ relationTupleDeltas: [{ action: 1, relationTuple: tupleToProto(idTuple) }] }), {
      insert: [idTuple],
      delete: [],
    });
    assert.deepEqual(transactRequestDeltas(wire('TransactRelationTuplesRequest', {})), { insert: [], delete: [] });
    throwsInvalid(
      () => transactRequestDeltas(wire('TransactRelationTuplesRequest', { relationTupleDeltas: [{ action: 'ACTION_DELETE' }] })),
      'subject is not allowed to be nil',
    );
  });

  it('ExpandRequest: the subject, which must be set', () => {
    assert.deepEqual(expandRequestSubject(wire('ExpandRequest', { subject: { set: { namespace: 'a', object: 'b', relation: 'c' } } })), {
      set: { namespace: 'a', object: 'b', relation: 'c' },
    });
    assert.deepEqual(expandRequestSubject(wire('ExpandRequest', { subject: { id: 'u' } })), { id: 'u' });
    throwsInvalid(() => expandRequestSubject(wire('ExpandRequest', { maxDepth: 3 })), 'subject is not allowed to be nil');
    throwsInvalid(() => expandRequestSubject(wire('ExpandRequest', { subject: {} })), 'subject is not allowed to be nil');
  });

  it('max_depth', () => {
    assert.equal(maxDepthFromProto(wire('ExpandRequest', { maxDepth: 7 })), 7);
    assert.equal(maxDepthFromProto(wire('CheckRequest', { maxDepth: -2 })), -2);
    assert.equal(maxDepthFromProto(wire('CheckRequest', {})), 0);
    assert.equal(maxDepthFromProto(null), 0);
  });
});
