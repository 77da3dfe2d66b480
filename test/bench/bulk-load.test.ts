import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset, writeDataset } from '../../bench/dataset.js';
import { openSqlDriver, openStore } from '../../src/store/open.js';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';

const TUPLES = 12_000;
const NETWORK = '4c1b8a86-9b5e-4f0e-8d43-2f5a0c1e7d21';

/** What a database holds, but for the values drawn anew on each write: shard ids and times. */
async function contents(driver: SqlDriver): Promise<unknown> {
  const rows = (sql: string) => driver.query(sql).then((r) => JSON.parse(JSON.stringify(r)) as unknown);
  return {
    tuples: await rows(
      `SELECT nid, namespace, object, relation, subject_id, subject_set_namespace, subject_set_object, subject_set_relation
       FROM keto_relation_tuples ORDER BY shard_id`,
    ),
    mappings: await rows('SELECT id, string_representation FROM keto_uuid_mappings ORDER BY id'),
    changelog: await rows('SELECT nid, revision, changes FROM gatehouse_changelog ORDER BY revision'),
    head: await rows('SELECT nid, revision FROM gatehouse_head'),
  };
}

/** The tuple table's indexes as the database describes them (their order aside). */
async function indexes(driver: SqlDriver): Promise<string[]> {
  const dialect = driver.dialect.name;
  if (dialect === 'postgres') {
    const rows = await driver.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'keto_relation_tuples'");
    return rows.map((r) => r.indexdef).sort();
  }
  if (dialect === 'sqlite') {
    const rows = await driver.query<{ sql: string | null }>("SELECT sql FROM sqlite_master WHERE tbl_name = 'keto_relation_tuples'");
    return rows.map((r) => String(r.sql)).sort();
  }
  const rows = await driver.query<Record<string, string>>('SHOW CREATE TABLE keto_relation_tuples');
  return rows[0]!['Create Table']!.split('\n').map((line) => line.trim().replace(/,$/, '')).sort();
}

/** A migrated database with the network `NETWORK`, written by `write`; its contents and indexes. */
async function written(database: TestDatabase, write: (dsn: string) => Promise<void>): Promise<{ contents: unknown; indexes: string[] }> {
  const store = await openStore(database.dsn);
  const { driver } = await openSqlDriver(database.dsn);
  try {
    await store.migrations.up();
    const now = driver.dialect.timestamp(new Date());
    await driver.execute('INSERT INTO networks (id, created_at, updated_at) VALUES (?, ?, ?)', [NETWORK, now, now]);
    assert.equal(await store.networkId(), NETWORK);
    await write(database.dsn);
    return { contents: await contents(driver), indexes: await indexes(driver) };
  } finally {
    await driver.close();
    await store.close();
  }
}

for (const dialect of SQL_DIALECTS) {
  describe(`the bench's bulk load on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('writes the rows and leaves the schema that writing through the store does', async () => {
      const [plain, bulk] = [await dialect.database(), await dialect.database()];
      try {
        const viaStore = await written(plain, async (dsn) => {
          const store = await openStore(dsn);
          await writeDataset(store, TUPLES).finally(() => store.close());
        });
        const viaBulk = await written(bulk, (dsn) => loadDataset(dsn, TUPLES));
        assert.equal((viaStore.contents as { tuples: unknown[] }).tuples.length, TUPLES);
        assert.deepEqual(viaBulk.contents, viaStore.contents);
        assert.deepEqual(viaBulk.indexes, viaStore.indexes);
      } finally {
        await plain.drop();
        await bulk.drop();
      }
    });
  });
}
