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
import { CheckEngine } from '../../src/engine/check-engine.js';
import { GatehouseError } from '../../src/errors.js';
import { currentReads } from '../../src/reader.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { LiveIndex } from '../../src/index/live-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import { openStore } from '../../src/store/open.js';
import { snaptokensOf } from '../../src/store/snaptoken.js';
import { snaptokenConsistency } from '../../src/transport/consistency.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS } from '../store/databases.js';

const PAIRS = Number(process.env['GATEHOUSE_SNAPTOKEN_PAIRS'] ?? 2000);
const NAMESPACES = ['Doc', 'Group'];
const model: ModelSnapshot = {
  namespaces: NAMESPACES.map((name) => ({ name, relations: [] })),
  namespace: (name) => (NAMESPACES.includes(name) ? { name, relations: [] } : undefined),
};

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
      const [a, b] = [storeA, storeB].map(
        (store, i) => new LiveIndex({ store, memoryBudgetBytes: 2 ** 28, maxStalenessMs: i === 0 ? 0 : 60_000 }),
      ) as [LiveIndex, LiveIndex];
      cleanup.push(() => a.close(), () => b.close());
      await Promise.all([a.start(), b.start()]);
      const tokensA = snaptokenConsistency({ readers: a.reads, snaptokens: snaptokensOf(storeA) });
      const tokensB = snaptokenConsistency({ readers: b.reads, snaptokens: snaptokensOf(storeB) });
      const engineB = new CheckEngine({ reads: b.reads, model: () => model, settings: () => defaultCheckSettings });

      // Users 0..9 are viewers of docs 0..4 directly, or through membership of group g (viewers of doc 0 include g's members).
      const direct = (doc: number, user: number): RelationTuple => ({ namespace: 'Doc', object: `d${doc}`, relation: 'viewer', subject: { id: `u${user}` } });
      const member = (user: number): RelationTuple => ({ namespace: 'Group', object: 'g', relation: 'member', subject: { id: `u${user}` } });
      await a.store.transact([{ namespace: 'Doc', object: 'd0', relation: 'viewer', subject: { set: { namespace: 'Group', object: 'g', relation: 'member' } } }], []);
      const stored = new Set<string>();
      const key = (t: RelationTuple) => JSON.stringify(t);
      const allowed = (doc: number, user: number) => stored.has(key(direct(doc, user))) || (doc === 0 && stored.has(key(member(user))));

      let seed = 17;
      const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
      let stale = 0;
      let inserts = 0;
      let deletes = 0;
      for (let i = 0; i < PAIRS; i++) {
        const doc = next(5);
        const user = next(10);
        const t = next(4) === 0 ? member(user) : direct(doc, user);
        const present = stored.has(key(t));
        const revision = present ? await a.store.transact([], [t]) : await a.store.transact([t], []);
        if (present) {
          stored.delete(key(t));
          deletes++;
        } else {
          stored.add(key(t));
          inserts++;
        }
        const token = await tokensA.tokenOf(revision);
        const checked = 'set' in t.subject ? 0 : doc;
        const read = await tokensB.pin({ snaptoken: token });
        assert.equal(read.consistency.kind, 'at-least');
        assert.ok(read.consistency.kind === 'at-least' && read.consistency.revision >= revision);
        const answer = await engineB.check(direct(checked, user), undefined, read.consistency);
        if (answer !== allowed(checked, user)) stale++;
      }
      assert.ok(inserts > PAIRS / 4 && deletes > PAIRS / 4, `inserts ${inserts}, deletes ${deletes}`);
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
      await assert.rejects(indexReads.pin({ snaptoken: ahead }), unavailable);
      const storeReads = snaptokenConsistency({ readers: currentReads(storeB, () => storeB.headRevision()), snaptokens, waitMs: wait });
      await assert.rejects(storeReads.pin({ snaptoken: ahead }), unavailable);
      assert.equal((await storeReads.pin({ snaptoken: token })).snaptoken, token);
    });
  });
}
