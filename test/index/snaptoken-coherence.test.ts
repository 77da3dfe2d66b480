/**
 * Snaptokens across processes: two store handles and two live indexes on one database, the
 * reader configured with a bounded staleness of 60 s (it would answer from a minute-old index
 * without a token). Each write on A is followed by a check on B with A's token: B must answer
 * from data at least that fresh, every time, on every SQL dialect.
 *
 * GATEHOUSE_SNAPTOKEN_PAIRS sets the number of write-then-check pairs (default 2000).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { currentReads } from '../../src/reader.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { LiveIndex } from '../../src/index/live-index.js';
import { openStore } from '../../src/store/open.js';
import { snaptokensOf } from '../../src/store/snaptoken.js';
import { snaptokenConsistency } from '../../src/transport/consistency.js';
import { SQL_DIALECTS } from '../store/databases.js';
import { staleAnswersWithTokens } from './snaptoken-pairs.js';

const PAIRS = Number(process.env['GATEHOUSE_SNAPTOKEN_PAIRS'] ?? 2000);
for (const dialect of SQL_DIALECTS) {
  describe(`snaptokens across two processes on ${dialect.name}`, { skip: dialect.skip }, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    test(`${PAIRS} writes on A, each checked on B (max staleness 60 s) with A's token: no stale answer`, async () => {
      const db = await dialect.database();
      cleanup.push(() => db.drop());
      const [storeA, storeB] = [await openStore(db.dsn), await openStore(db.dsn)];
      cleanup.push(() => storeA.close(), () => storeB.close());
      await storeA.migrations.up();
      const stale = await staleAnswersWithTokens(storeA, storeB, PAIRS, cleanup);
      assert.equal(stale, 0, `${stale} of ${PAIRS} answers on B missed the write whose token they were given`);
    });

    test('a token B has seen needs no head probe; one the database has not reached fails within the wait', async () => {
      const db = await dialect.database();
      cleanup.push(() => db.drop());
      const [storeA, storeB] = [await openStore(db.dsn), await openStore(db.dsn)];
      cleanup.push(() => storeA.close(), () => storeB.close());
      await storeA.migrations.up();
      let probes = 0;
      const counted = new Proxy(storeB, {
        get(target, property, receiver) {
          if (property === 'headRevision') return () => (probes++, target.headRevision());
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as RelationTupleStore;
      const b = new LiveIndex({ store: counted, memoryBudgetBytes: 2 ** 28, maxStalenessMs: 0 });
      cleanup.push(() => b.close());
      await b.start();
      const snaptokens = snaptokensOf(storeA);
      const wait = 300;
      const indexReads = snaptokenConsistency({ readers: b.reads, snaptokens, waitMs: wait });
      const revision = await storeA.transact([{ namespace: 'Doc', object: 'x', relation: 'viewer', subject: { id: 'u' } }], []);
      const token = (await snaptokens()).issue(revision);
      await b.follower.reach(revision);
      probes = 0;
      const pinned = await indexReads.pin({ snaptoken: token });
      assert.deepEqual(pinned.consistency, { kind: 'at-least', revision: b.follower.applied });
      assert.equal(probes, 0, 'no head read for a revision the index already reflects');
      await indexReads.pin({});
      assert.equal(probes, 1, 'the default guarantee reads the head once');

      const ahead = (await snaptokens()).issue(revision + 5);
      const unavailable = (error: unknown) => error instanceof GatehouseError && error.kind === 'unavailable' && /has not reached/.test(error.message);
      await assert.rejects(async () => indexReads.pin({ snaptoken: ahead }), unavailable);
      const storeReads = snaptokenConsistency({ readers: currentReads(storeB, () => storeB.headRevision()), snaptokens, waitMs: wait });
      await assert.rejects(async () => storeReads.pin({ snaptoken: ahead }), unavailable);
      assert.equal((await storeReads.pin({ snaptoken: token })).snaptoken, token);
    });
  });
}
