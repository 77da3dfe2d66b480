/**
 * Two gatehouse processes over one database, each with its in-memory index and Keto's default
 * consistency: every check sent to B after the answer to a write sent to A sees that write
 * (inserts and deletes), as Keto, which reads the database on every check, guarantees.
 *
 * GATEHOUSE_REPLICA_PAIRS sets the number of write-then-check pairs per dialect (`npm run chaos`: 10000).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import type { GatehouseProcess } from '../support/server.js';
import { staleChecksAfterWrites, startReplicas } from './support/replica-pairs.js';
import { knob } from './support/requests.js';

const PAIRS = knob('GATEHOUSE_REPLICA_PAIRS', 100);

for (const dialect of SQL_DIALECTS) {
  describe(`two replicas on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let a: GatehouseProcess;
    let b: GatehouseProcess;
    before(async () => {
      database = await dialect.database();
      [a, b] = await startReplicas(database.dsn, database.dsn);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
    });

    test(`${PAIRS} writes on A, each checked on B after the write's answer: no stale answer`, async () => {
      const stale = await staleChecksAfterWrites(a, b, PAIRS);
      assert.equal(stale, 0, `${stale} of ${PAIRS} checks on B missed the write just answered by A`);
    });
  });
}
