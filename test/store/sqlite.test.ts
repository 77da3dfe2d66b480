import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { storeSuite } from './conformance.js';
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
