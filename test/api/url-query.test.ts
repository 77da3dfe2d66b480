import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  goQueryEscape,
  relationQueryFromUrlQuery,
  relationQueryToUrlQuery,
  relationTupleFromUrlQuery,
  relationTupleLocation,
  relationTupleToUrlQuery,
  subjectSetFromUrlQuery,
  validateDeleteQuery,
} from '../../src/api/url-query.js';
import type { RelationTuple } from '../../src/tuple.js';
import { throwsInvalid } from './throws-invalid.js';

const q = (s: string) => new URLSearchParams(s);
const GENERIC = 'The request was malformed or contained invalid parameters';

describe('URL query → relation query', () => {
  it('reads every key that is present, empty values included', () => {
    assert.deepEqual(relationQueryFromUrlQuery(q('namespace=n&object=o&relation=r&subject_id=s')), {
      namespace: 'n',
      object: 'o',
      relation: 'r',
      subject: { id: 's' },
    });
    assert.deepEqual(relationQueryFromUrlQuery(q('namespace=&object')), { namespace: '', object: '' });
    assert.deepEqual(relationQueryFromUrlQuery(q('')), {});
    assert.deepEqual(relationQueryFromUrlQuery(q('subject_id=')), { subject: { id: '' } });
  });

  it('reads a complete subject set, empty relation allowed', () => {
    assert.deepEqual(relationQueryFromUrlQuery(q('namespace=n&subject_set.namespace=User&subject_set.object=a&subject_set.relation=')), {
      namespace: 'n',
      subject: { set: { namespace: 'User', object: 'a', relation: '' } },
    });
  });

  it('takes the first value of a repeated key and ignores unknown keys', () => {
    assert.deepEqual(relationQueryFromUrlQuery(q('namespace=a&namespace=b&page_size=3&foo=bar')), { namespace: 'a' });
  });

  it('refuses subject_id together with any subject_set key', () => {
    for (const extra of ['subject_set.namespace=x', 'subject_set.object=', 'subject_set.relation=r']) {
      throwsInvalid(() => relationQueryFromUrlQuery(q(`subject_id=s&${extra}`)), 'exactly one of subject_set or subject_id has to be provided');
    }
  });

  it('refuses an incomplete subject set', () => {
    const message = 'incomplete subject, provide "subject_id" or a complete "subject_set.*"';
    throwsInvalid(() => relationQueryFromUrlQuery(q('subject_set.namespace=x')), message);
    throwsInvalid(() => relationQueryFromUrlQuery(q('subject_set.namespace=x&subject_set.object=y')), message);
    throwsInvalid(() => relationQueryFromUrlQuery(q('subject_set.relation=')), message);
  });

  it('refuses the legacy subject key before anything else', () => {
    throwsInvalid(() => relationQueryFromUrlQuery(q('subject=x')), GENERIC);
    throwsInvalid(() => relationQueryFromUrlQuery(q('subject=&subject_id=a&subject_set.namespace=b')), GENERIC);
  });

  it('decodes percent escapes and plus signs; unicode and SQL text pass verbatim', () => {
    assert.deepEqual(relationQueryFromUrlQuery(q('object=%27%3B+DROP+TABLE+x%3B--&relation=%E5%90%8D%F0%9F%A6%80&namespace=a%25_b')), {
      namespace: 'a%_b',
      object: "'; DROP TABLE x;--",
      relation: '名🦀',
    });
  });
});

describe('URL query → full tuple (check)', () => {
  it('reads a full tuple', () => {
    assert.deepEqual(relationTupleFromUrlQuery(q('namespace=n&object=o&relation=r&subject_id=s')), {
      namespace: 'n',
      object: 'o',
      relation: 'r',
      subject: { id: 's' },
    });
    assert.deepEqual(relationTupleFromUrlQuery(q('namespace=&object=&relation=&subject_id=')), {
      namespace: '',
      object: '',
      relation: '',
      subject: { id: '' },
    });
  });

  it('requires a subject first, then namespace, object and relation', () => {
    throwsInvalid(() => relationTupleFromUrlQuery(q('')), 'subject is not allowed to be nil');
    throwsInvalid(() => relationTupleFromUrlQuery(q('namespace=n&object=o&relation=r')), 'subject is not allowed to be nil');
    const incomplete = 'incomplete tuple, provide "namespace", "object", "relation", and a subject';
    throwsInvalid(() => relationTupleFromUrlQuery(q('object=o&relation=r&subject_id=s')), incomplete);
    throwsInvalid(() => relationTupleFromUrlQuery(q('namespace=n&relation=r&subject_id=s')), incomplete);
    throwsInvalid(() => relationTupleFromUrlQuery(q('namespace=n&object=o&subject_id=s')), incomplete);
  });

  it('reports subject key errors before missing fields', () => {
    throwsInvalid(() => relationTupleFromUrlQuery(q('subject_set.object=x')), 'incomplete subject, provide "subject_id" or a complete "subject_set.*"');
    throwsInvalid(() => relationTupleFromUrlQuery(q('subject=x')), GENERIC);
  });
});

describe('URL query → expand subject set', () => {
  it('reads namespace, object and relation, missing ones as ""', () => {
    assert.deepEqual(subjectSetFromUrlQuery(q('namespace=n&object=o&relation=r&max-depth=3')), { namespace: 'n', object: 'o', relation: 'r' });
    assert.deepEqual(subjectSetFromUrlQuery(q('')), { namespace: '', object: '', relation: '' });
  });
});

describe('DELETE query checks', () => {
  it('accepts relation query keys with a namespace and no body', () => {
    validateDeleteQuery(q('namespace=n&object=o&subject_set.namespace=a&subject_set.object=b&subject_set.relation=c'), new Uint8Array());
    validateDeleteQuery(q('namespace=n&subject=x'), Buffer.alloc(0));
  });

  it('collects every failure into the reason', () => {
    throwsInvalid(() => validateDeleteQuery(q('object=o'), Buffer.alloc(0)), GENERIC, 'query parameters must specify at least one of the following: namespace');
    throwsInvalid(() => validateDeleteQuery(q('namespace=n&page_size=1'), Buffer.alloc(0)), GENERIC, 'query parameter key "page_size" unknown');
    throwsInvalid(() => validateDeleteQuery(q('namespace=n'), Buffer.from('{}')), GENERIC, 'body is not empty');
    throwsInvalid(
      () => validateDeleteQuery(q('x%0A%22=1'), Buffer.from(' ')),
      GENERIC,
      'query parameter key "x\\n\\"" unknown; query parameters must specify at least one of the following: namespace; body is not empty',
    );
  });
});

describe('tuple → URL query', () => {
  const idTuple: RelationTuple = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };
  const setTuple: RelationTuple = { namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'sn', object: 'so', relation: '' } } };

  it('writes keys sorted as Keto does', () => {
    assert.equal(relationTupleToUrlQuery(idTuple), 'namespace=n&object=o&relation=r&subject_id=s');
    assert.equal(
      relationTupleToUrlQuery(setTuple),
      'namespace=n&object=o&relation=r&subject_set.namespace=sn&subject_set.object=so&subject_set.relation=',
    );
    assert.equal(relationTupleLocation(idTuple), '/relation-tuples?namespace=n&object=o&relation=r&subject_id=s');
  });

  it('writes only the keys a query sets', () => {
    assert.equal(relationQueryToUrlQuery({}), '');
    assert.equal(relationQueryToUrlQuery({ relation: 'r', namespace: '' }), 'namespace=&relation=r');
    assert.equal(relationQueryToUrlQuery({ subject: { id: 'a b' } }), 'subject_id=a+b');
  });

  it('escapes as Go’s QueryEscape does', () => {
    assert.equal(goQueryEscape('AZaz09-_.~'), 'AZaz09-_.~');
    assert.equal(goQueryEscape(' !*\'()+,/:;=?@#&%'), '+%21%2A%27%28%29%2B%2C%2F%3A%3B%3D%3F%40%23%26%25');
    assert.equal(goQueryEscape('é名🦀'), '%C3%A9%E5%90%8D%F0%9F%A6%80');
    assert.equal(goQueryEscape('\ud800'), '%EF%BF%BD');
  });

  it('round-trips through the query string', () => {
    const weird = "'; DROP TABLE t; -- % + & = # ? é 🦀";
    for (const t of [idTuple, setTuple, { namespace: weird, object: '', relation: weird, subject: { set: { namespace: weird, object: weird, relation: weird } } }]) {
      assert.deepEqual(relationTupleFromUrlQuery(q(relationTupleToUrlQuery(t))), t);
    }
  });
});
