import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGatehouseProcess } from '../support/server.js';
import { postgresDatabase } from '../store/databases.js';

const dsn = process.env['TEST_POSTGRES_DSN'];

test(
  'concurrent writes on PostgreSQL print no pg warning into the log',
  { skip: dsn ? false : 'TEST_POSTGRES_DSN is not set' },
  async (t) => {
    const database = await postgresDatabase(dsn!);
    t.after(() => database.drop());
    // 100 writes queue for the pool at once: on a loaded machine the default 2 s wait for a connection can pass (503),
    // which is not what this test is about.
    const gh = await startGatehouseProcess({
      config: { dsn: database.dsn, namespaces: [{ name: 'files' }], database: { acquire_timeout: '60s' } },
      args: ['--migrate'],
    });
    t.after(() => gh.stop('SIGKILL'));
    const put = (i: number) =>
      fetch(`${gh.url.write}/admin/relation-tuples`, {
        method: 'PUT',
        body: JSON.stringify({ namespace: 'files', object: `o${i}`, relation: 'r', subject_id: 's' }),
      }).then((r) => r.status);
    for (let round = 0; round < 5; round++) {
      assert.deepEqual(new Set(await Promise.all(Array.from({ length: 100 }, (_, i) => put(round * 100 + i)))), new Set([201]));
    }
    assert.equal(await gh.stop(), 0);
    const output = `${gh.logs.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n${gh.stderr()}`;
    assert.doesNotMatch(output, /DeprecationWarning|already executing a query/);
  },
);
