import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LiveIndex } from '../../src/index/live-index.js';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { describeTally, emptyTally, runCase } from '../conformance/corpus-runner.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { corpusSkip, loadConformanceCases } from '../support/conformance.js';

/**
 * The whole conformance corpus through the engine with the index on, over each SQL
 * dialect: every case's tuples are written to the store (and the previous case's deleted)
 * and reach the index only through the changelog; every read is answered from memory.
 */
const cases = loadConformanceCases();

for (const dialect of SQL_DIALECTS) {
  const skip = corpusSkip(cases) || dialect.skip;
  describe(`conformance corpus, index on over the ${dialect.name} store`, { skip }, () => {
    let database: TestDatabase;
    let store: RelationTupleStore;
    let live: LiveIndex;
    before(async () => {
      database = await dialect.database();
      store = await openStore(database.dsn);
      await store.migrations.up();
      live = new LiveIndex({ store, memoryBudgetBytes: 64 * 2 ** 20, maxStalenessMs: 0 });
      await live.start();
    });
    after(async () => {
      await live?.close();
      await store?.close();
      await database?.drop();
    });

    it('every check, error check, limit check and lookup agrees, answered from memory', async () => {
      const tally = emptyTally();
      let previous: RelationTuple[] = [];
      for (const c of cases ?? []) {
        await runCase(
          c,
          async (tuples) => {
            for (const namespace of new Set(previous.map((t) => t.namespace))) await live.store.deleteMatching({ namespace });
            await live.store.transact(tuples, []);
            previous = tuples;
            await live.gate.ready();
            assert.equal(live.index.rows, tuples.length);
            assert.ok(live.coverage.isWarm);
            return live.source;
          },
          tally,
        );
      }
      console.log(`corpus (index on, ${dialect.name}): ${cases?.length} cases; ${describeTally(tally)}`);
      assert.ok(tally.checks > 0);
    });
  });
}
