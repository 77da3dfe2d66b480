import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import { openSqlDriver, openStore } from '../../src/store/open.js';
import type { SqlDriver, SqlExecutor } from '../../src/store/sql/driver.js';
import { storeSuite } from './conformance.js';
import { readerSuite, storeReaders } from './reader-suite.js';
import { sqliteFileDatabase } from './databases.js';

storeSuite('SQLite (file, WAL)', async () => sqliteFileDatabase());

test('the in-memory SQLite store migrates and round-trips a tuple', async () => {
  const store = await openStore('memory');
  await store.migrations.up();
  const t = { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } };
  assert.equal(await store.transact([t], []), 1);
  assert.deepEqual((await store.list({})).tuples, [t]);
  await store.close();
});

test('a DSN with an unknown scheme or an unreachable server fails with the DSN named, password masked', async () => {
  await assert.rejects(openStore('oracle://scott:tiger@db/x'), (error: unknown) => {
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.kind, 'invalid_argument');
    assert.match(error.message, /oracle:\/\/scott:\*\*\*@db\/x/);
    assert.doesNotMatch(error.message, /tiger/);
    return true;
  });
  for (const dsn of ['postgres://scott:tiger@127.0.0.1:1/x', 'mysql://scott:tiger@127.0.0.1:1/x']) {
    await assert.rejects(openStore(dsn, { acquireTimeoutMs: 2000 }), (error: unknown) => {
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.kind, 'unavailable');
      assert.ok(error.message.includes(dsn.replace('tiger', '***')), error.message);
      assert.doesNotMatch(error.message, /tiger/);
      return true;
    });
  }
});

test("the DSN's _synchronous (or _sync, as Keto's driver reads it) sets when SQLite syncs: FULL unless it says, a bad level refused", async () => {
  const database = sqliteFileDatabase();
  try {
    for (const [parameters, level] of [['', 2], ['&_synchronous=NORMAL', 1], ['&_sync=off', 0], ['&_synchronous=3', 3]] as const) {
      const { driver } = await openSqlDriver(database.dsn + parameters);
      try {
        assert.deepEqual(await driver.query('PRAGMA synchronous'), [{ synchronous: level }], parameters);
      } finally {
        await driver.close();
      }
    }
    await assert.rejects(openSqlDriver(`${database.dsn}&_synchronous=SOMETIMES`), (error: unknown) => {
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.kind, 'invalid_argument');
      assert.match(error.message, /_synchronous must be OFF, NORMAL, FULL, EXTRA or 0-3, not "SOMETIMES"/);
      return true;
    });
  } finally {
    await database.drop();
  }
});

test('temporary data stays in memory, but a schema change sorts its indexes in files, and migrations run as schema changes', async () => {
  const database = sqliteFileDatabase();
  const { driver, schema } = await openSqlDriver(database.dsn);
  try {
    // PRAGMA temp_store: 1 files, 2 memory.
    const tempStore = async (tx: SqlExecutor) => (await tx.query<{ temp_store: number }>('PRAGMA temp_store'))[0]!.temp_store;
    assert.equal(await tempStore(driver), 2);
    assert.equal(await driver.transaction(tempStore), 2);
    assert.equal(await driver.transaction(tempStore, { schema: true }), 1);
    assert.equal(await tempStore(driver), 2);
    await assert.rejects(driver.transaction(() => Promise.reject(new Error('step failed')), { schema: true }), GatehouseError);
    assert.equal(await tempStore(driver), 2);

    const stepsSeen: number[] = [];
    const watched: SqlDriver = {
      ...driver,
      dialect: driver.dialect,
      query: (sql, params) => driver.query(sql, params),
      execute: (sql, params) => driver.execute(sql, params),
      transaction: (work, options) => driver.transaction(async (tx) => (stepsSeen.push(await tempStore(tx)), work(tx)), options),
    };
    assert.ok((await new SqlMigrator(watched, schema).up()).length > 0);
    assert.ok(stepsSeen.length > 0 && stepsSeen.every((level) => level === 1), String(stepsSeen));
  } finally {
    await driver.close();
    await database.drop();
  }
});

test('an unmigrated database answers unavailable with the command to run', async () => {
  const store = await openStore('memory');
  try {
    await assert.rejects(store.list({}), (error: unknown) => error instanceof GatehouseError && error.kind === 'unavailable' && /gatehouse migrate up/.test(error.message));
  } finally {
    await store.close();
  }
});

readerSuite('SQLite (file, WAL)', storeReaders(async () => sqliteFileDatabase()), { runs: 40 });
