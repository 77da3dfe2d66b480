import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { everyPage, LookupEngine, MAX_CANDIDATES_HELD } from '../../src/engine/lookup-engine.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { currentReads, type TupleSource } from '../../src/reader.js';
import type { RelationTuple } from '../../src/tuple.js';
import { and, computed, not, ns, or, permit, related, snapshot, traverse } from './hand-models.js';

/**
 * What a lookup holds and reads, however large the store: every object (subject) of a kind
 * is handed out a bounded chunk at a time, and over a database the reads of a page do not
 * grow with the number of candidates it confirms.
 */
const model = snapshot([
  ns('User'),
  ns('Group', related('member', 'User', 'Group#member')),
  ns('Folder', related('banned', 'User'), permit('notBanned', or(not(computed('banned'))))),
  ns(
    'Doc',
    related('viewer', 'User', 'Group#member'),
    related('banned', 'User', 'Group#member'),
    related('parent', 'Folder'),
    // A `!` that grants alone: every Doc is a candidate.
    permit('open', or(not(computed('banned')))),
    // Needs a stored path: the walk from the subject finds the candidates.
    permit('view', and(computed('viewer'), not(computed('banned')))),
    // Confirming a viewer walks the parent folder: the walk's rows must serve every candidate's traverse.
    permit('read', and(computed('viewer'), traverse('parent', 'notBanned'))),
  ),
]);

const docId = (i: number) => `d_${String(i).padStart(5, '0')}`;

/** Reads counted as a database would run them: a call is a query (a round trip), and the rows handed out by the reads of every object (subject) of a kind. */
class Counted {
  calls = 0;
  /** The most objects (subjects) of a kind one read handed out. */
  mostHandedOut = 0;
  readonly source: TupleSource;

  constructor(inner: TupleSource, asDatabase: boolean) {
    const counted = <A extends unknown[], R>(read: (...args: A) => R, rows?: (r: Awaited<R>) => number) =>
      async (...args: A): Promise<Awaited<R>> => {
        this.calls++;
        const result = await read(...args);
        if (rows !== undefined) this.mostHandedOut = Math.max(this.mostHandedOut, rows(result));
        return result;
      };
    const reads: TupleSource = {
      hasSubject: counted(inner.hasSubject.bind(inner)),
      subjectSets: counted(inner.subjectSets.bind(inner)),
      orderedSubjectSets: counted(inner.orderedSubjectSets.bind(inner)),
      subjects: counted(inner.subjects.bind(inner)),
      keysOf: counted(inner.keysOf.bind(inner)),
      objectsIn: counted(inner.objectsIn.bind(inner), (r) => r.length),
      subjectsOfKind: counted(inner.subjectsOfKind.bind(inner), (r) => r.length),
    };
    // As the index: its reads by node answer the checks, the counted ones the lookup's candidates.
    this.source = asDatabase ? reads : Object.assign(Object.create(inner) as TupleSource, { objectsIn: reads.objectsIn, subjectsOfKind: reads.subjectsOfKind });
  }
}

function lookupsOver(tuples: readonly RelationTuple[], asDatabase: boolean): { lookups: LookupEngine; counted: Counted } {
  const index = new TupleIndex();
  for (const t of tuples) index.insert(t);
  const counted = new Counted(index, asDatabase);
  const reads = currentReads(counted.source);
  const checks = new CheckEngine({ reads, model: () => model, settings: () => defaultCheckSettings });
  return { lookups: new LookupEngine({ reads, model: () => model, checks }), counted };
}

describe('lookup bounds', () => {
  // 3 chunks and more of documents; alice is banned from all but every 3000th (where bob is).
  const docs = 3 * MAX_CANDIDATES_HELD + 7;
  const open = Array.from({ length: docs }, (_, i) => i).filter((i) => i % 3000 === 0).map(docId);
  const bans = Array.from({ length: docs }, (_, i): RelationTuple => ({ namespace: 'Doc', object: docId(i), relation: 'banned', subject: { id: i % 3000 === 0 ? 'bob' : 'alice' } }));

  for (const asDatabase of [false, true]) {
    it(`a relation a \`!\` grants alone: every object in pages, the store handing out at most ${MAX_CANDIDATES_HELD} at a time (${asDatabase ? 'database' : 'index'})`, async () => {
      const { lookups, counted } = lookupsOver(bans, asDatabase);
      const listed = await everyPage((after) => lookups.listObjects({ namespace: 'Doc', relation: 'open', subject: { id: 'alice' }, pageSize: 2, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(listed, open);
      assert.ok(docs > 3 * MAX_CANDIDATES_HELD);
      assert.ok(counted.mostHandedOut <= MAX_CANDIDATES_HELD, `one read handed out ${counted.mostHandedOut} documents`);
    });
  }

  it(`every subject of a kind, at most ${MAX_CANDIDATES_HELD} at a time`, async () => {
    const users = 2 * MAX_CANDIDATES_HELD + 3;
    const rows: RelationTuple[] = Array.from({ length: users }, (_, i) => ({ namespace: 'Doc', object: 'd', relation: i % 1000 === 0 ? 'viewer' : 'banned', subject: { id: `u_${String(i).padStart(5, '0')}` } }));
    const { lookups, counted } = lookupsOver(rows, true);
    const listed = await everyPage((after) => lookups.listSubjects({ namespace: 'Doc', object: 'd', relation: 'open', pageSize: 3, ...(after === undefined ? {} : { after }) }));
    assert.deepEqual(listed, Array.from({ length: users }, (_, i) => i).filter((i) => i % 1000 === 0).map((i) => ({ id: `u_${String(i).padStart(5, '0')}` })));
    assert.ok(counted.mostHandedOut <= MAX_CANDIDATES_HELD, `one read handed out ${counted.mostHandedOut} subjects`);
  });

  it('over a database, the reads of a page do not grow with the candidates it confirms', async () => {
    /** alice sees every document through her group; banned from all but the last two of `candidates`. */
    const world = (candidates: number): RelationTuple[] => [
      { namespace: 'Group', object: 'staff', relation: 'member', subject: { id: 'alice' } },
      ...Array.from({ length: candidates }, (_, i): RelationTuple[] => [
        { namespace: 'Doc', object: docId(i), relation: 'viewer', subject: { set: { namespace: 'Group', object: 'staff', relation: 'member' } } },
        ...(i < candidates - 2 ? [{ namespace: 'Doc', object: docId(i), relation: 'banned', subject: { id: 'alice' } }] : []),
      ]).flat(),
    ];
    const readsOfPage = async (candidates: number) => {
      const { lookups, counted } = lookupsOver(world(candidates), true);
      const page = await lookups.listObjects({ namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageSize: 2 });
      assert.deepEqual(page, { items: [docId(candidates - 2), docId(candidates - 1)] });
      return counted.calls;
    };
    const few = await readsOfPage(10);
    assert.equal(await readsOfPage(MAX_CANDIDATES_HELD), few);
  });

  it('over a database, the reads of a page of subjects do not grow with the candidates whose checks traverse', async () => {
    /** `viewers` users view d, in folder f, which bans the first of them. */
    const world = (viewers: number): RelationTuple[] => [
      { namespace: 'Doc', object: 'd', relation: 'parent', subject: { set: { namespace: 'Folder', object: 'f', relation: '' } } },
      { namespace: 'Folder', object: 'f', relation: 'banned', subject: { id: 'u_000' } },
      ...Array.from({ length: viewers }, (_, i): RelationTuple => ({ namespace: 'Doc', object: 'd', relation: 'viewer', subject: { id: `u_${String(i).padStart(3, '0')}` } })),
    ];
    const readsOfPage = async (viewers: number) => {
      const { lookups, counted } = lookupsOver(world(viewers), true);
      const page = await lookups.listSubjects({ namespace: 'Doc', object: 'd', relation: 'read', pageSize: 1000 });
      assert.deepEqual(page, { items: Array.from({ length: viewers - 1 }, (_, i) => ({ id: `u_${String(i + 1).padStart(3, '0')}` })) });
      return counted.calls;
    };
    const few = await readsOfPage(3);
    assert.equal(await readsOfPage(500), few);
  });
});
