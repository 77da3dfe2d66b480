import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { SQL_DIALECTS } from './databases.js';

/** Processes that start together on a database with no network yet must agree on one. */
for (const dialect of SQL_DIALECTS) {
  describe(`the network of a new ${dialect.name} database`, { skip: dialect.skip }, () => {
    it('eight stores opened at once all take the same network', async () => {
      const database = await dialect.database();
      try {
        const first = await openStore(database.dsn);
        await first.migrations.up();
        await first.close();
        const stores = await Promise.all(Array.from({ length: 8 }, () => openStore(database.dsn)));
        try {
          const networks = await Promise.all(stores.map((s) => s.networkId()));
          assert.equal(new Set(networks).size, 1, networks.join(', '));
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      } finally {
        await database.drop();
      }
    });
  });
}
