import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IndexCoverage } from '../../src/index/coverage.js';
import { IndexedTupleSource } from '../../src/index/indexed-source.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import type { OrderedRange, SubjectSetKind } from '../../src/reader.js';
import type { ObjectRelation, RelationTuple, Subject } from '../../src/tuple.js';
import { NaiveRows } from './naive-rows.js';

const member = (ns: string, object: string) => ({ namespace: ns, object, relation: 'member' });
const rows: RelationTuple[] = [
  { ...member('Doc', 'd'), subject: { set: member('Group', 'g') } },
  { ...member('Group', 'g'), subject: { id: 'alice' } },
  { ...member('Group', 'g'), subject: { set: member('Doc', 'd') } },
  { ...member('Doc', 'e'), subject: { id: 'alice' } },
];

/** The index and an asynchronous "database" holding the same rows. */
function setUp() {
  const index = new TupleIndex();
  const naive = new NaiveRows();
  for (const t of rows) {
    index.insert(t);
    naive.insert(t);
  }
  const asked: string[] = [];
  const database = {
    hasSubject: async (keys: readonly ObjectRelation[], s: RelationTuple['subject']) => (asked.push(...keys.map((k) => k.namespace)), naive.hasSubject(keys, s)),
    subjectSets: async (keys: readonly ObjectRelation[], limit: number) => (asked.push(...keys.map((k) => k.namespace)), naive.subjectSets(keys, limit)),
    orderedSubjectSets: async (keys: readonly ObjectRelation[]) => (asked.push(...keys.map((k) => k.namespace)), naive.orderedSubjectSets(keys)),
    subjects: async (keys: readonly ObjectRelation[], limit: number) => (asked.push(...keys.map((k) => k.namespace)), naive.subjects(keys, limit)),
    keysOf: async (s: readonly Subject[], namespace?: string) => (asked.push(namespace ?? '*'), naive.keysOf(s, namespace)),
    objectsIn: async (namespace: string, range: OrderedRange) => (asked.push(namespace), naive.objectsIn(namespace, range)),
    subjectsOfKind: async (kind: SubjectSetKind | undefined, range: OrderedRange) => (asked.push(kind?.namespace ?? '*'), naive.subjectsOfKind(kind, range)),
  };
  const coverage = new IndexCoverage();
  return { source: new IndexedTupleSource(index, database, coverage), coverage, asked, naive };
}

const keys = [member('Doc', 'd'), member('Group', 'g'), member('Doc', 'e'), member('Group', 'x')];

describe('IndexedTupleSource', () => {
  it('asks the database until the index is warm', async () => {
    const { source, asked } = setUp();
    assert.deepEqual(await source.hasSubject(keys, { id: 'alice' }), [false, true, true, false]);
    assert.deepEqual(asked, ['Doc', 'Group', 'Doc', 'Group']);
  });

  it('answers synchronously from memory once warm', () => {
    const { source, coverage, asked, naive } = setUp();
    coverage.markWarm();
    assert.deepEqual(source.hasSubject(keys, { id: 'alice' }), naive.hasSubject(keys, { id: 'alice' }));
    assert.deepEqual(source.subjectSets(keys, 10), naive.subjectSets(keys, 10));
    assert.deepEqual(source.subjects([member('Group', 'g')], 10), naive.subjects([member('Group', 'g')], 10));
    assert.deepEqual(asked, []);
  });

  it('splits a frontier between memory and database by namespace and keeps the keys in order', async () => {
    const { source, coverage, asked, naive } = setUp();
    coverage.markWarm();
    coverage.exclude('Group');
    assert.deepEqual(await source.hasSubject(keys, { id: 'alice' }), naive.hasSubject(keys, { id: 'alice' }));
    assert.deepEqual(await source.subjectSets(keys, 10), naive.subjectSets(keys, 10));
    assert.deepEqual(await source.subjects([member('Group', 'g')], 10), naive.subjects([member('Group', 'g')], 10));
    assert.deepEqual(source.subjects([member('Doc', 'd')], 10), naive.subjects([member('Doc', 'd')], 10));
    assert.deepEqual(asked, ['Group', 'Group', 'Group', 'Group', 'Group']);
  });
});
