import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { ALL_ROWS, type SubjectSetKind } from '../../src/reader.js';
import type { ObjectRelation, RelationTuple, Subject } from '../../src/tuple.js';
import { NaiveRows, sortedKeysOf } from './naive-rows.js';

const NAMESPACES = ['Doc', 'Group', 'ñandú', '🐱'];
const OBJECTS = ['a', 'b', 'ü', '', 'a#b', 'x:y'];
const RELATIONS = ['viewer', 'member', '', 'é'];
const IDS = ['alice', 'bob', '日本', 'a', ''];

const key: fc.Arbitrary<ObjectRelation> = fc
  .tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...OBJECTS), fc.constantFrom(...RELATIONS))
  .map(([namespace, object, relation]) => ({ namespace, object, relation }));
const subject: fc.Arbitrary<Subject> = fc.oneof(
  fc.constantFrom(...IDS).map((id) => ({ id })),
  key.map((set) => ({ set })),
);
const tuple: fc.Arbitrary<RelationTuple> = fc
  .tuple(key, subject)
  .map(([k, s]) => ({ ...k, subject: s }));

type Op =
  | { op: 'insert'; tuple: RelationTuple }
  | { op: 'delete'; tuple: RelationTuple }
  | { op: 'drop'; namespace: string }
  | { op: 'compact' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: tuple.map((t) => ({ op: 'insert' as const, tuple: t })) },
  { weight: 3, arbitrary: tuple.map((t) => ({ op: 'delete' as const, tuple: t })) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMESPACES).map((n) => ({ op: 'drop' as const, namespace: n })) },
  { weight: 1, arbitrary: fc.constant({ op: 'compact' as const }) },
);

/** Every read of the index equals the naive model's, over the whole (small) universe. */
function assertSame(index: TupleIndex, naive: NaiveRows, keys: ObjectRelation[], subjects: Subject[]): void {
  assert.equal(index.rows, naive.size);
  for (const ns of NAMESPACES) assert.equal(index.rowsIn(ns), naive.rowsIn(ns));
  for (const s of subjects) {
    assert.deepEqual(index.hasSubject(keys, s), naive.hasSubject(keys, s));
    assert.deepEqual(sortedKeysOf(index.keysOf([s])), naive.keysOf([s]));
    for (const ns of NAMESPACES) assert.deepEqual(sortedKeysOf(index.keysOf([s], ns)), naive.keysOf([s], ns));
  }
  // Every object (subject) of a kind, then two at a time after the first.
  const ranges = (first: string | undefined) => [{ limit: ALL_ROWS }, ...(first === undefined ? [] : [{ after: first, limit: 2 }])];
  for (const ns of NAMESPACES) {
    for (const range of ranges(naive.objectsIn(ns, { limit: 1 })[0])) assert.deepEqual(index.objectsIn(ns, range), naive.objectsIn(ns, range));
    for (const kind of [undefined, ...RELATIONS.map((relation) => ({ namespace: ns, relation }))]) {
      const first = naive.subjectsOfKind(kind, { limit: 1 })[0];
      for (const range of ranges(first === undefined ? undefined : 'id' in first ? first.id : first.set.object)) {
        assert.deepEqual(index.subjectsOfKind(kind, range), naive.subjectsOfKind(kind, range));
      }
    }
  }
  assert.deepEqual(index.orderedSubjectSets(keys), naive.orderedSubjectSets(keys, index.networkId));
  const byKind = (a: SubjectSetKind, b: SubjectSetKind) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0);
  for (const ns of NAMESPACES) {
    for (const relation of RELATIONS) assert.deepEqual(index.setKindsUnder(ns, relation).sort(byKind), naive.setKindsUnder(ns, relation));
  }
  for (const [i, s] of subjects.entries()) {
    const key = keys[i % keys.length]!;
    const nodes = new Int32Array(2);
    index.checkNodes({ ...key, subject: s }, nodes);
    assert.equal(nodes[0], index.setNode(key.namespace, key.object, key.relation));
    const node = nodes[1]!;
    const holders = node < 0 ? [] : Array.from({ length: index.holderCount(node) }, (_, i) => index.holderAt(node, i));
    const expected = naive.keysOf([s])[0]!.map((k) => index.setNode(k.namespace, k.object, k.relation));
    assert.deepEqual(holders.sort((a, b) => a - b), expected.sort((a, b) => a - b));
  }
  for (const limit of [0, 1, 2, 1000]) {
    assert.deepEqual(index.subjectSets(keys, limit), naive.subjectSets(keys, limit));
    assert.deepEqual(index.subjects(keys, limit), naive.subjects(keys, limit));
  }
}

const allKeys: ObjectRelation[] = NAMESPACES.flatMap((namespace) =>
  OBJECTS.flatMap((object) => RELATIONS.map((relation) => ({ namespace, object, relation }))),
);
const allSubjects: Subject[] = [...IDS.map((id) => ({ id })), ...allKeys.map((set) => ({ set }))];

function apply(index: TupleIndex, naive: NaiveRows, o: Op): void {
  switch (o.op) {
    case 'insert':
      index.insert(o.tuple);
      naive.insert(o.tuple);
      break;
    case 'delete':
      assert.equal(index.delete(o.tuple), naive.delete(o.tuple));
      break;
    case 'drop':
      index.dropNamespace(o.namespace);
      naive.dropNamespace(o.namespace);
      break;
    case 'compact':
      index.compact();
  }
}

describe('TupleIndex', () => {
  it('answers every read like the naive model (rows in arrival order) through random inserts, deletes, drops and repacks', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const index = new TupleIndex();
        const naive = new NaiveRows();
        for (const o of ops) apply(index, naive, o);
        assertSame(index, naive, allKeys, allSubjects);
      }),
      { numRuns: 250 },
    );
  });

  it('keeps duplicates as rows and deletes all of them at once', () => {
    const index = new TupleIndex();
    const t: RelationTuple = { namespace: 'Doc', object: 'd', relation: 'viewer', subject: { id: 'alice' } };
    index.insert(t);
    index.insert(t);
    index.insert({ ...t, subject: { set: { namespace: 'Group', object: 'g', relation: 'member' } } });
    assert.equal(index.rows, 3);
    assert.deepEqual(index.subjects([t], 10)[0], [{ id: 'alice' }, { id: 'alice' }, { set: { namespace: 'Group', object: 'g', relation: 'member' } }]);
    assert.deepEqual(index.keysOf([{ id: 'alice' }]), [[{ namespace: 'Doc', object: 'd', relation: 'viewer' }]]);
    assert.equal(index.delete(t), 2);
    assert.deepEqual(index.hasSubject([t], { id: 'alice' }), [false]);
    assert.deepEqual(index.keysOf([{ id: 'alice' }]), [[]]);
    assert.equal(index.delete(t), 0);
    assert.equal(index.rows, 1);
  });

  it('tells a subject id from a subject set with the same text, and an empty relation from none', () => {
    const index = new TupleIndex();
    const k = { namespace: 'Doc', object: 'd', relation: 'viewer' };
    index.insert({ ...k, subject: { set: { namespace: 'User', object: 'alice', relation: '' } } });
    assert.deepEqual(index.hasSubject([k], { id: 'alice' }), [false]);
    assert.deepEqual(index.hasSubject([k], { id: 'User:alice' }), [false]);
    assert.deepEqual(index.hasSubject([k], { set: { namespace: 'User', object: 'alice', relation: '' } }), [true]);
    assert.deepEqual(index.hasSubject([k], { set: { namespace: 'User', object: 'alice', relation: 'x' } }), [false]);
    assert.deepEqual(index.hasSubject([{ ...k, namespace: 'doc' }], { set: { namespace: 'User', object: 'alice', relation: '' } }), [false]);
  });

  it('counts the traverse orders it caches in its size, and gives their bytes back when the key changes', () => {
    const index = new TupleIndex();
    const k = { namespace: 'Doc', object: 'd', relation: 'parent' };
    for (let i = 0; i < 100; i++) index.insert({ ...k, subject: { set: { namespace: 'Folder', object: `f${i}`, relation: '' } } });
    const before = index.estimatedBytes();
    index.orderedSubjectSets([k]);
    const cached = index.estimatedBytes() - before;
    assert.equal(cached, 100 * Int32Array.BYTES_PER_ELEMENT + 96);
    index.orderedSubjectSets([k]);
    assert.equal(index.estimatedBytes() - before, cached);
    index.delete({ ...k, subject: { set: { namespace: 'Folder', object: 'f0', relation: '' } } });
    index.insert({ ...k, subject: { set: { namespace: 'Folder', object: 'f0', relation: '' } } });
    assert.equal(index.estimatedBytes(), before);
  });
});
