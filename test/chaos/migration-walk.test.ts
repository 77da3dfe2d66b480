/**
 * The migrations walked down and up, on every SQL dialect: from the top down to each version
 * and back up, with tuples written before; the tuples survive every walk that stays above the
 * step creating their table, and a walk to zero leaves an empty database that migrates up into
 * a working store again (opened anew, as a server started after such a `migrate` run is).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS } from '../store/databases.js';

const fixture: RelationTuple[] = Array.from({ length: 20 }, (_, i) => ({
  namespace: 'files',
  object: `doc-${i % 4}`,
  relation: i % 2 === 0 ? 'view' : 'edit',
  subject: i % 5 === 0 ? { set: { namespace: 'groups', object: `g${i}`, relation: 'member' } } : { id: `user-${i}` },
}));
const sorted = (tuples: readonly RelationTuple[]) => tuples.map((t) => JSON.stringify(t)).sort();

for (const dialect of SQL_DIALECTS) {
  describe(`migrations walked down and up on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('down to each version and up again, then down to zero and up', async () => {
      const database = await dialect.database();
      const store = await openStore(database.dsn);
      try {
        const versions = (await store.migrations.up()).slice();
        assert.ok(versions.length > 0);
        await store.transact(fixture, []);
        for (let steps = 1; steps < versions.length; steps++) {
          assert.deepEqual(await store.migrations.down(steps), versions.slice(-steps).reverse(), `down ${steps}`);
          const states = (await store.migrations.status()).map((s) => s.state);
          assert.deepEqual(states, versions.map((_, i) => (i < versions.length - steps ? 'applied' : 'pending')));
          assert.deepEqual(await store.migrations.up(), versions.slice(-steps), `up after down ${steps}`);
          assert.deepEqual(sorted((await store.list({ namespace: 'files' })).tuples), sorted(fixture), `tuples after down ${steps} and up`);
        }
        assert.deepEqual(await store.migrations.down(versions.length), versions.slice().reverse());
        assert.deepEqual(
          (await store.migrations.status()).map((s) => s.state),
          versions.map(() => 'pending'),
        );
        assert.deepEqual(await store.migrations.up(), versions);
        // A process keeps its network for its life: after a walk to zero (a `migrate` run of its own), the server starts anew.
        const fresh = await openStore(database.dsn);
        try {
          assert.deepEqual((await fresh.list({ namespace: 'files' })).tuples, []);
          await fresh.transact(fixture.slice(0, 3), []);
          assert.deepEqual(sorted((await fresh.list({ namespace: 'files' })).tuples), sorted(fixture.slice(0, 3)));
        } finally {
          await fresh.close();
        }
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}
