/**
 * The changelog beyond gatehouse's own writes, on every SQL dialect: snaptokens signed for
 * one database, pruning and its horizon, and the writes of Keto processes sharing the
 * database reaching the changelog through the triggers gatehouse's migrations install.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { Snaptokens, snaptokensOf } from '../../src/store/snaptoken.js';
import { ChangelogPruned, type RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS, type TestDatabase } from './databases.js';
import { ketoWriter } from './keto-writer.js';

const isInvalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof GatehouseError && error.kind === 'invalid_argument' && pattern.test(error.message);

/** Every token that differs from `token` in one bit of one base64url character. */
function bitFlips(token: string): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const out: string[] = [];
  for (let i = 0; i < token.length; i++) {
    const at = alphabet.indexOf(token[i]!);
    if (at < 0) continue;
    for (let bit = 0; bit < 6; bit++) out.push(token.slice(0, i) + alphabet[at ^ (1 << bit)] + token.slice(i + 1));
  }
  return out;
}

const t = (object: string, subject: RelationTuple['subject']): RelationTuple => ({ namespace: 'doc', object, relation: 'viewer', subject });

for (const dialect of SQL_DIALECTS) {
  describe(`the changelog on ${dialect.name}`, { skip: dialect.skip }, () => {
    const databases: TestDatabase[] = [];
    const stores: RelationTupleStore[] = [];
    const open = async (database: TestDatabase, secrets: readonly string[] = []) => {
      const store = await openStore(database.dsn, { paginationSecrets: secrets });
      stores.push(store);
      return store;
    };
    let database: TestDatabase;
    let store: RelationTupleStore;

    before(async () => {
      database = await dialect.database();
      databases.push(database);
      store = await open(database);
      await store.migrations.up();
    });
    after(async () => {
      for (const s of stores) await s.close();
      for (const d of databases) await d.drop();
    });

    test('snaptokens round-trip; a forged or bit-flipped token, or one of another database, is refused', async () => {
      const tokens = await snaptokensOf(store)();
      const revision = await store.transact([t('a', { id: 'alice' })], []);
      const token = tokens.issue(revision);
      assert.deepEqual(tokens.read(token), { revision });
      assert.equal(tokens.issue(revision), token);
      assert.deepEqual(tokens.read(token), { revision }, 'read again, once known');
      for (let r = 1; r <= 1100; r++) tokens.read(tokens.issue(revision + r));
      assert.deepEqual(tokens.read(token), { revision }, 'known no more after 1,100 others, and checked again');
      assert.deepEqual(tokens.read(tokens.issue(revision, 2)), { revision, within: 2 });
      assert.deepEqual((await snaptokensOf(store)()).read(token), { revision }, 'another handle on the same database');

      for (const forged of [...bitFlips(token), '', 'x', `${token}x`, token.replace('.', ''), `${'a'.repeat(600)}.${'b'.repeat(43)}`]) {
        assert.throws(() => tokens.read(forged), isInvalid(/snaptoken is invalid/), forged);
      }
      const [payload] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const raised = Buffer.from(JSON.stringify({ ...claims, r: revision + 1 })).toString('base64url');
      assert.throws(() => tokens.read(`${raised}.${token.split('.')[1]}`), isInvalid(/snaptoken is invalid/));

      // Another database: its own random key fails the signature ...
      const other = await dialect.database();
      databases.push(other);
      const otherStore = await open(other);
      await otherStore.migrations.up();
      const otherTokens = await snaptokensOf(otherStore)();
      assert.throws(() => otherTokens.read(token), isInvalid(/snaptoken is invalid/));
      assert.throws(() => tokens.read(otherTokens.issue(1)), isInvalid(/snaptoken is invalid/));
      // ... and with the same configured secret, the network it names does.
      const shared = ['a shared pagination secret'];
      const sameKeyHere = await snaptokensOf(await open(database, shared))();
      const sameKeyThere = await snaptokensOf(await open(other, shared))();
      assert.deepEqual(sameKeyHere.read(sameKeyHere.issue(7)), { revision: 7 });
      assert.throws(() => sameKeyHere.read(sameKeyThere.issue(7)), isInvalid(/issued for another database/));
      const otherKey = new Snaptokens(['another secret'], await store.networkId());
      assert.throws(() => otherKey.read(sameKeyHere.issue(7)), isInvalid(/snaptoken is invalid/));
    });

    test('pruning deletes the oldest entries in batches, keeps the newest, and says when a position is gone', async () => {
      const start = await store.headRevision();
      const revisions: number[] = [];
      for (let i = 0; i < 5; i++) revisions.push(await store.transact([t(`p${i}`, { id: 'bob' })], []));
      assert.equal(await store.pruneChangelog(new Date(Date.now() - 3_600_000), 100), 0, 'nothing is an hour old');
      const future = new Date(Date.now() + 60_000);
      let pruned = 0;
      for (let round = 0; round < 10; round++) {
        const n = await store.pruneChangelog(future, 2);
        assert.ok(n <= 2, `a batch deletes at most 2, deleted ${n}`);
        if (n === 0) break;
        pruned += n;
      }
      const head = await store.headRevision();
      assert.equal(head, revisions[4]);
      assert.equal(pruned, head - 1, 'every entry but the newest');
      assert.deepEqual((await store.changesSince(head - 1, 10)).map((e) => e.revision), [head]);
      assert.deepEqual(await store.changesSince(head, 10), []);
      await assert.rejects(store.changesSince(start, 10), (error: unknown) => {
        assert.ok(error instanceof ChangelogPruned);
        assert.equal(error.position, start);
        assert.equal(error.prunedThrough, head - 1);
        return true;
      });
      await assert.rejects(store.changesSince(-1, 10), ChangelogPruned);
      // Writes go on; the horizon only moves forward.
      const next = await store.transact([t('after', { id: 'bob' })], []);
      assert.deepEqual((await store.changesSince(head, 10)).map((e) => e.revision), [next]);
      const concurrent = await Promise.all([store.pruneChangelog(future, 1000), (await open(database)).pruneChangelog(future, 1000)]);
      assert.equal(concurrent[0] + concurrent[1], 1, 'the entry before the newest is deleted once');
      await assert.rejects(store.changesSince(head - 1, 10), ChangelogPruned);
    });

    test("a Keto process's writes reach the changelog, strings and all, one revision per row; gatehouse's are logged once", async () => {
      const keto = await ketoWriter(database.dsn, await store.networkId());
      try {
        const start = await store.headRevision();
        const byId = t('ü file', { id: 'Alice' });
        const bySet = t('readme', { set: { namespace: 'group', object: 'dev team', relation: 'member' } });
        const typed = t('readme', { set: { namespace: 'user', object: 'bob', relation: '' } });
        await keto.insert([byId, bySet]);
        await keto.insert([typed]);
        await keto.delete([byId, typed]);
        const own = await store.transact([t('own', { id: 'carol' })], [bySet]);
        const log = await store.changesSince(start, 100);
        // One DELETE statement removes its rows in whatever order the database visits them.
        const [first, second] = [log[3]!.deleted[0]!, log[4]!.deleted[0]!];
        const deletedOrder = 'id' in first.subject ? [byId, typed] : [typed, byId];
        assert.deepEqual([first, second], deletedOrder);
        assert.deepEqual(log, [
          { revision: start + 1, inserted: [byId], deleted: [] },
          { revision: start + 2, inserted: [bySet], deleted: [] },
          { revision: start + 3, inserted: [typed], deleted: [] },
          { revision: start + 4, inserted: [], deleted: [deletedOrder[0]] },
          { revision: start + 5, inserted: [], deleted: [deletedOrder[1]] },
          { revision: start + 6, inserted: [t('own', { id: 'carol' })], deleted: [bySet] },
        ]);
        assert.equal(own, start + 6);
        assert.equal(await store.headRevision(), own);
        assert.deepEqual((await store.list({ namespace: 'doc', object: 'own' })).tuples, [t('own', { id: 'carol' })]);

        // `migrate down` of the step (and the one after it) removes the triggers: Keto's writes are no longer logged.
        assert.deepEqual(await store.migrations.down(2), ['20261204000001000000', '20261201000002000000']);
        await keto.insert([t('unlogged', { id: 'dave' })]);
        assert.equal(await store.headRevision(), own);
        assert.deepEqual(await store.migrations.up(), ['20261201000002000000', '20261204000001000000']);
        await keto.delete([t('unlogged', { id: 'dave' })]);
        assert.deepEqual(await store.changesSince(own, 10), [{ revision: own + 1, inserted: [], deleted: [t('unlogged', { id: 'dave' })] }]);
      } finally {
        await keto.close();
      }
    });
  });
}
