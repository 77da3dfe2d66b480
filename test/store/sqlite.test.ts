import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
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

test('an unmigrated database answers unavailable with the command to run', async () => {
  const store = await openStore('memory');
  try {
    await assert.rejects(store.list({}), (error: unknown) => error instanceof GatehouseError && error.kind === 'unavailable' && /gatehouse migrate up/.test(error.message));
  } finally {
    await store.close();
  }
});

readerSuite('SQLite (file, WAL)', storeReaders(async () => sqliteFileDatabase()), { runs: 40 });
