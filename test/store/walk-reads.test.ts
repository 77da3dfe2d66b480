/**
 * What a walk of the store sends: its pages read as arrays of values, each page once. A page
 * whose rows the walk cannot read is read again with its strings joined row by row; the tuples
 * are then still right, so only the statements sent show a walk that fell back on every page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import type { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS } from './databases.js';
import { recordedStore, type SentQuery } from './recording-driver.js';

const TUPLES: readonly RelationTuple[] = Array.from({ length: 5 }, (_, i) => ({
  namespace: 'documents',
  object: `doc-${i}`,
  relation: 'viewer',
  subject: i % 2 === 0 ? { id: `user-${i}` } : { set: { namespace: 'groups', object: `group-${i}`, relation: 'member' } },
}));

for (const dialect of SQL_DIALECTS) {
  describe(`a walk's reads on ${dialect.name}`, { skip: dialect.skip }, () => {
    let driver: SqlDriver;
    let store: SqlRelationTupleStore;
    let sent: SentQuery[];
    let close = async () => {};

    before(async () => {
      ({ driver, store, sent, close } = await recordedStore(dialect));
      await store.transact(TUPLES, []);
    });
    after(() => close());

    test('queryArrays answers each row as its values in the selection order, and query still answers objects', async () => {
      const sql = "SELECT relation, namespace FROM keto_relation_tuples WHERE namespace = ? AND relation = 'viewer' ORDER BY shard_id";
      assert.deepEqual(await driver.queryArrays(sql, ['documents']), TUPLES.map(() => ['viewer', 'documents']));
      assert.deepEqual(await driver.query(sql, ['documents']), TUPLES.map(() => ({ relation: 'viewer', namespace: 'documents' })));
      assert.deepEqual(await driver.queryArrays(sql, ['documents']), TUPLES.map(() => ['viewer', 'documents']));
    });

    test('every tuple is walked in store order, each page read once as arrays, none joined again', async () => {
      sent.length = 0;
      const walked: RelationTuple[] = [];
      await store.walk(2, (page) => {
        walked.push(...page);
        return true;
      });
      assert.deepEqual(walked, TUPLES);
      assert.deepEqual(
        sent.filter(({ sql }) => sql.includes('keto_uuid_mappings m')),
        [],
      );
      // PostgreSQL walks by COPY (copy-walk.ts); the others read the mapping table in one page, then 2 + 2 + 1 tuples.
      const pages = driver.dialect.storeOrderWalk.copy ? 0 : 4;
      assert.equal(sent.filter(({ method }) => method === 'queryArrays').length, pages);
    });
  });
}
