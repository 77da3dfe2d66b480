import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelationTuple } from '../../src/tuple.js';
import { migratedStore, SQL_DIALECTS } from '../store/databases.js';
import { corpusSkip, loadConformanceCases } from '../support/conformance.js';
import { describeTally, emptyTally, runCase } from './corpus-runner.js';

/**
 * The whole conformance corpus through the engine over each SQL dialect's store: one
 * database per dialect, emptied between cases. SQLite always; PostgreSQL and MySQL when
 * TEST_POSTGRES_DSN / TEST_MYSQL_DSN name a server.
 */
const cases = loadConformanceCases();

for (const dialect of SQL_DIALECTS) {
  const skip = corpusSkip(cases) || dialect.skip;
  describe(`conformance corpus, ${dialect.name} store`, { skip }, () => {
    const storeOf = migratedStore(dialect);

    it('every check, error check, limit check and lookup agrees', async () => {
      const store = storeOf();
      const tally = emptyTally();
      let previous: RelationTuple[] = [];
      for (const c of cases ?? []) {
        await runCase(
          c,
          async (tuples) => {
            for (const namespace of new Set(previous.map((t) => t.namespace))) await store.deleteMatching({ namespace });
            await store.transact(tuples, []);
            previous = tuples;
            return store;
          },
          tally,
        );
      }
      console.log(`corpus (${dialect.name}): ${cases?.length} cases; ${describeTally(tally)}`);
      assert.ok(tally.checks > 0);
    });
  });
}
