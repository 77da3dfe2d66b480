/**
 * Retention: the background pruner deletes old changelog entries, and an index whose
 * position was pruned (it fell behind by more than the retention) loads every tuple again
 * and then equals the database, on every SQL dialect.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ChangelogFollower } from '../../src/index/changelog-follower.js';
import { IndexCoverage } from '../../src/index/coverage.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { ChangelogPruner } from '../../src/store/changelog-pruner.js';
import { openStore } from '../../src/store/open.js';
import type { ChangelogPruned, RelationTupleStore } from '../../src/store/store.js';
import type { ObjectRelation, RelationTuple, Subject } from '../../src/tuple.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';

const KEYS: ObjectRelation[] = ['a', 'b', 'c'].flatMap((object) => ['viewer', 'owner'].map((relation) => ({ namespace: 'doc', object, relation })));
const SUBJECTS: Subject[] = [{ id: 'alice' }, { id: 'bob' }, { set: { namespace: 'group', object: 'g', relation: 'member' } }];

async function assertIndexEqualsStore(index: TupleIndex, store: RelationTupleStore): Promise<void> {
  for (const subject of SUBJECTS) assert.deepEqual(index.hasSubject(KEYS, subject), await store.hasSubject(KEYS, subject), JSON.stringify(subject));
  assert.deepEqual(index.subjects(KEYS, 100), await store.subjects(KEYS, 100));
}

for (const dialect of SQL_DIALECTS) {
  describe(`a pruned changelog on ${dialect.name}`, { skip: dialect.skip }, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    test('the pruner keeps the retention; an index behind the horizon loads again and equals the database', async () => {
      const db: TestDatabase = await dialect.database();
      cleanup.push(() => db.drop());
      const [writer, reader] = [await openStore(db.dsn), await openStore(db.dsn)];
      cleanup.push(() => writer.close(), () => reader.close());
      await writer.migrations.up();
      const tuple = (i: number): RelationTuple => ({ ...KEYS[i % KEYS.length]!, subject: SUBJECTS[i % SUBJECTS.length]! });
      await writer.transact([tuple(0), tuple(1), tuple(2)], []);

      const index = new TupleIndex();
      const reloads: ChangelogPruned[] = [];
      const applied: number[] = [];
      const follower = new ChangelogFollower(reader, index, new IndexCoverage(), {
        pollIntervalMs: 3_600_000,
        memoryBudgetBytes: 2 ** 30,
        batch: 3,
        onReload: (error) => reloads.push(error),
      });
      cleanup.push(async () => follower.stop());
      follower.onApplied((revision) => applied.push(revision));
      await follower.warmUp();
      const warmAt = follower.applied;
      await assertIndexEqualsStore(index, reader);

      // The follower does not poll meanwhile: it falls behind, and its position is pruned.
      for (let i = 3; i < 12; i++) await writer.transact([tuple(i), tuple(i + 5)], i % 3 === 0 ? [tuple(i - 2)] : []);
      await writer.deleteMatching({ namespace: 'doc', object: 'b' });
      const head = await writer.headRevision();

      const kept = new ChangelogPruner(writer, { retentionMs: () => 3_600_000, batch: 2 });
      assert.equal(await kept.run(), 0, 'nothing is older than an hour');
      const disabled = new ChangelogPruner(writer, { retentionMs: () => 0, batch: 2 });
      assert.equal(await disabled.run(), 0, 'a retention of 0 keeps every entry');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const pruner = new ChangelogPruner(writer, { retentionMs: () => 1, batch: 2 });
      assert.equal(await pruner.run(), head - 1, 'every entry but the newest, two per batch');
      await pruner.stop();

      await follower.reach(head);
      assert.equal(reloads.length, 1);
      assert.equal(reloads[0]!.position, warmAt);
      assert.equal(follower.applied, head);
      assert.deepEqual(applied, [head]);
      await assertIndexEqualsStore(index, reader);

      // Following resumes from there.
      const next = await writer.transact([tuple(20)], [tuple(0)]);
      await follower.reach(next);
      assert.equal(reloads.length, 1);
      assert.deepEqual(applied, [head, next]);
      await assertIndexEqualsStore(index, reader);
    });
  });
}
