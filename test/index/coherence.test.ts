import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import type { TupleSource } from '../../src/reader.js';
import { currentReads } from '../../src/reader.js';
import { ChangelogFollower } from '../../src/index/changelog-follower.js';
import { IndexCoverage } from '../../src/index/coverage.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { LiveIndex } from '../../src/index/live-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import type { ObjectRelation, RelationTuple, Subject } from '../../src/tuple.js';
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../store/databases.js';
import { sortedKeysOf } from './naive-rows.js';

const NAMESPACES = ['Doc', 'Group'];
const OBJECTS = ['a', 'b', 'ü'];
const RELATIONS = ['viewer', 'member'];
const KEYS: ObjectRelation[] = NAMESPACES.flatMap((namespace) =>
  OBJECTS.flatMap((object) => RELATIONS.map((relation) => ({ namespace, object, relation }))),
);
const SUBJECTS: Subject[] = [{ id: 'alice' }, { id: 'bob' }, ...KEYS.map((set) => ({ set }))];
const legacyModel: ModelSnapshot = {
  namespaces: NAMESPACES.map((name) => ({ name, relations: [] })),
  namespace: (name) => (NAMESPACES.includes(name) ? { name, relations: [] } : undefined),
};

/** Every read the engine makes, answered by the index and by the database, must be equal. */
async function assertIndexEqualsStore(index: TupleIndex, store: TupleSource): Promise<void> {
  for (const subject of SUBJECTS) {
    assert.deepEqual(index.hasSubject(KEYS, subject), await store.hasSubject(KEYS, subject), JSON.stringify(subject));
  }
  assert.deepEqual(index.subjectSets(KEYS, 1000), await store.subjectSets(KEYS, 1000));
  assert.deepEqual(index.orderedSubjectSets(KEYS), await store.orderedSubjectSets(KEYS));
  assert.deepEqual(index.subjects(KEYS, 1000), await store.subjects(KEYS, 1000));
  assert.deepEqual(sortedKeysOf(index.keysOf(SUBJECTS)), sortedKeysOf(await store.keysOf(SUBJECTS)));
}

function coherenceSuite(dialect: string, create: () => Promise<TestDatabase>): void {
  describe(`index coherence across two processes' store handles on ${dialect}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    async function twoReplicas(maxStalenessMs: number, memoryBudgetBytes = 64 * 2 ** 20) {
      const db = await create();
      cleanup.push(() => db.drop());
      const stores: RelationTupleStore[] = [];
      for (let i = 0; i < 2; i++) {
        const s = await openStore(db.dsn);
        cleanup.push(() => s.close());
        stores.push(s);
      }
      await stores[0]!.migrations.up();
      await stores[0]!.transact(
        [
          { namespace: 'Doc', object: 'a', relation: 'viewer', subject: { set: { namespace: 'Group', object: 'b', relation: 'member' } } },
          { namespace: 'Group', object: 'b', relation: 'member', subject: { id: 'alice' } },
        ],
        [],
      );
      const replicas = stores.map((store) => new LiveIndex({ store, memoryBudgetBytes, maxStalenessMs }));
      for (const r of replicas) cleanup.push(() => r.close());
      await Promise.all(replicas.map((r) => r.start()));
      return { stores, replicas };
    }

    it('answers exactly as the database after every write made on the other replica', async () => {
      const { stores, replicas } = await twoReplicas(0);
      let seed = 3;
      const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
      const tuple = (): RelationTuple => ({ ...KEYS[next(KEYS.length)]!, subject: SUBJECTS[next(SUBJECTS.length)]! });
      for (let step = 0; step < 40; step++) {
        const writer = step % 2;
        const reader = 1 - writer;
        const op = next(6);
        if (op < 3) {
          const t = tuple();
          await replicas[writer]!.store.transact([t, ...(op === 0 ? [t] : []), tuple()], []);
        } else if (op < 5) {
          await replicas[writer]!.store.transact([tuple()], [tuple(), tuple()]);
        } else {
          await replicas[writer]!.store.deleteMatching({ namespace: NAMESPACES[next(2)]!, object: OBJECTS[next(3)]! });
        }
        await replicas[reader]!.gate.ready();
        await assertIndexEqualsStore(replicas[reader]!.index, stores[reader]!);
      }
    });

    it('warms up while the other replica writes, then equals the database', async () => {
      const { stores } = await twoReplicas(0);
      const index = new TupleIndex();
      const coverage = new IndexCoverage();
      const follower = new ChangelogFollower(stores[1]!, index, coverage, { pollIntervalMs: 1000, memoryBudgetBytes: 2 ** 30, batch: 2 });
      let writing = true;
      const writes = (async () => {
        for (let i = 0; writing || i < 20; i++) {
          const t: RelationTuple = { namespace: 'Doc', object: OBJECTS[i % 3]!, relation: RELATIONS[i % 2]!, subject: { id: `u${i}` } };
          await stores[0]!.transact([t], i % 4 === 3 ? [{ ...t, subject: { id: `u${i - 2}` } }] : []);
          // As writes arriving over the network do, each lets the event loop turn (SQLite answers at once).
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await follower.warmUp();
      writing = false;
      await writes;
      await follower.reach(await stores[1]!.headRevision());
      follower.stop();
      assert.ok(coverage.isWarm);
      await assertIndexEqualsStore(index, stores[1]!);
    });

    it("lets a check sent after a write's response, to the other replica, see that write", async () => {
      const { replicas } = await twoReplicas(0);
      const engines = replicas.map(
        (r) => new CheckEngine({ reads: r.reads, model: () => legacyModel, settings: () => defaultCheckSettings }),
      );
      const t: RelationTuple = { namespace: 'Doc', object: 'b', relation: 'viewer', subject: { id: 'bob' } };
      for (let round = 0; round < 10; round++) {
        const writer = round % 2;
        if (round % 4 < 2) await replicas[writer]!.store.transact([t], []);
        else await replicas[writer]!.store.transact([], [t]);
        assert.equal(await engines[1 - writer]!.check(t), round % 4 < 2);
      }
      assert.equal(await engines[0]!.check({ ...t, subject: { id: 'alice' }, relation: 'viewer', object: 'a' }), true);
    });

    it('in bounded-staleness mode answers from memory without asking the database, and catches up', async () => {
      const { replicas } = await twoReplicas(60_000);
      const [a, b] = replicas as [LiveIndex, LiveIndex];
      assert.equal(b.gate.ready(), undefined);
      const t: RelationTuple = { namespace: 'Group', object: 'ü', relation: 'member', subject: { id: 'bob' } };
      const revision = await a.store.transact([t], []);
      await b.follower.reach(revision);
      assert.deepEqual(b.index.hasSubject([t], t.subject), [true]);
    });

    it('leaves namespaces that do not fit the memory budget to the database, with the same answers', async () => {
      const { stores, replicas } = await twoReplicas(0, 1);
      const [a, b] = replicas as [LiveIndex, LiveIndex];
      assert.deepEqual(b.coverage.excludedNamespaces(), ['Doc', 'Group']);
      await a.store.transact([{ namespace: 'Doc', object: 'ü', relation: 'member', subject: { id: 'bob' } }], []);
      await b.gate.ready();
      const plain = new CheckEngine({ reads: currentReads(stores[1]!), model: () => legacyModel, settings: () => defaultCheckSettings });
      const routed = new CheckEngine({ reads: currentReads(b.source), model: () => legacyModel, settings: () => defaultCheckSettings });
      for (const key of KEYS) {
        for (const subject of SUBJECTS) {
          const t = { ...key, subject };
          assert.equal(await routed.check(t), await plain.check(t), JSON.stringify(t));
        }
      }
    });
  });
}

coherenceSuite('SQLite', async () => sqliteFileDatabase());
for (const [dialect, env, create] of [
  ['PostgreSQL', 'TEST_POSTGRES_DSN', postgresDatabase],
  ['MySQL', 'TEST_MYSQL_DSN', mysqlDatabase],
] as const) {
  const dsn = process.env[env];
  if (dsn === undefined || dsn === '') {
    it(`index coherence on ${dialect}`, { skip: `${env} is not set: the ${dialect} coherence tests did not run` }, () => {});
  } else {
    coherenceSuite(dialect, () => create(dsn));
  }
}
