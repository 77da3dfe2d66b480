/**
 * gatehouse on a three-node MariaDB Galera cluster (a multi-writer, synchronous cluster),
 * started on loopback for this file: the shared store suite through one node, migrations
 * and writes from processes on different nodes at once, changelog readers on every node,
 * and checks on one node of writes answered by another.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { ChangeEntry, RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { staleChecksAfterWrites, startReplicas } from '../chaos/support/replica-pairs.js';
import { staleAnswersWithTokens } from '../index/snaptoken-pairs.js';
import { GaleraCluster, galeraUnavailable } from '../support/galera-cluster.js';
import { storeSuite } from './conformance.js';
import { ketoWriter } from './keto-writer.js';

const run = promisify(execFile);
const WRITES_PER_PROCESS = 60;
const PAIRS = 100;

describe('a three-node Galera cluster', { skip: galeraUnavailable() }, () => {
  let cluster: GaleraCluster;
  const cleanup: (() => Promise<void>)[] = [];
  before(async () => {
    cluster = await GaleraCluster.start(3);
  });
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await cluster?.destroy();
  });

  /** A store on `dsn`, closed after the file. */
  const open = async (dsn: string): Promise<RelationTupleStore> => {
    const store = await openStore(dsn);
    cleanup.push(() => store.close());
    return store;
  };
  const fresh = async () => {
    const database = await cluster.database();
    cleanup.push(() => database.drop());
    return database;
  };

  // The database is made through node 0, the suite runs through node 1.
  storeSuite('a Galera node', () => cluster.databaseOn(1));

  test('migrations run at once through every node: one schema, every step recorded once', async () => {
    const database = await fresh();
    const stores = await Promise.all([0, 1, 2].map((node) => open(database.on(node))));
    const applied = await Promise.all(stores.map((store) => store.migrations.up()));
    const all = applied.flat().sort();
    const statuses = await Promise.all(stores.map((store) => store.migrations.status()));
    const steps = statuses[0]!.map((step) => step.version).sort();
    assert.deepEqual(all, steps, 'every step applied by exactly one of the three runs');
    for (const status of statuses) assert.ok(status.every((step) => step.state === 'applied'));
  });

  test('three processes writing through three nodes: every change read once on every node, in one order', async () => {
    const database = await fresh();
    // Each node hands out AUTO_INCREMENT values with an offset of its own: gatehouse's revisions must not rely on them.
    assert.deepEqual(await Promise.all([0, 1, 2].map((node) => cluster.variable(node, 'auto_increment_increment'))), ['3', '3', '3']);
    const stores = await Promise.all([0, 1, 2].map((node) => open(database.on(node))));
    await stores[0]!.migrations.up();
    const total = 3 * WRITES_PER_PROCESS;
    // Changelog readers on every node, following the changelog while the writers write.
    const readers = stores.map(async (store) => {
      const seen: ChangeEntry[] = [];
      while (seen.length < total) {
        const batch = await store.changesSince(seen.at(-1)?.revision ?? 0, 25);
        seen.push(...batch);
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return seen;
    });
    const writer = fileURLToPath(new URL('./concurrent-writer.js', import.meta.url));
    const outputs = await Promise.all(
      [0, 1, 2].map((node) => run(process.execPath, [writer, database.on(node), String(WRITES_PER_PROCESS), `node${node}`])),
    );
    const revisions = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[]).sort((a, b) => a - b);
    assert.deepEqual(revisions, Array.from({ length: total }, (_, i) => i + 1), 'distinct, gapless revisions');

    const logs = await Promise.all(readers);
    const written = new Map<number, string>();
    for (const entry of logs[0]!) {
      assert.equal(entry.inserted.length + entry.deleted.length, 1);
      written.set(entry.revision, entry.inserted[0]!.object);
    }
    assert.equal(written.size, total);
    assert.deepEqual(
      [...written.values()].sort(),
      [0, 1, 2].flatMap((node) => Array.from({ length: WRITES_PER_PROCESS }, (_, i) => `node${node}-${i}`)).sort(),
      'every write in the changelog exactly once',
    );
    for (const log of logs) {
      assert.deepEqual(
        log.map((entry) => entry.revision),
        revisions,
        'each reader saw every revision once, in order',
      );
      assert.deepEqual(log, logs[0], 'every node reads the same changelog');
    }
  });

  test("a Keto process's writes through node 1 and gatehouse's through node 2 reach the changelog read on node 0", async () => {
    const database = await fresh();
    const [reader, writer] = [await open(database.on(0)), await open(database.on(2))];
    await reader.migrations.up();
    const keto = await ketoWriter(database.on(1), await writer.networkId());
    const t = (object: string): RelationTuple => ({ namespace: 'doc', object, relation: 'viewer', subject: { id: 'alice' } });
    try {
      await keto.insert([t('a')]);
      await keto.insert([t('b')]);
      await keto.delete([t('a')]);
      assert.equal(await writer.transact([t('c')], [t('b')]), 4);
      assert.deepEqual(await reader.changesSince(0, 100), [
        { revision: 1, inserted: [t('a')], deleted: [] },
        { revision: 2, inserted: [t('b')], deleted: [] },
        { revision: 3, inserted: [], deleted: [t('a')] },
        { revision: 4, inserted: [t('c')], deleted: [t('b')] },
      ]);
    } finally {
      await keto.close();
    }
  });

  test(`${PAIRS} writes answered by a gatehouse on node 0, each checked on node 1 with Keto's default consistency: no stale answer`, async () => {
    const database = await fresh();
    const [a, b] = await startReplicas(database.on(0), database.on(1));
    cleanup.push(async () => void (await a.stop()), async () => void (await b.stop()));
    const stale = await staleChecksAfterWrites(a, b, PAIRS);
    assert.equal(stale, 0, `${stale} of ${PAIRS} checks on node 1 missed the write node 0 just answered`);
  });

  test(`${PAIRS} writes on node 0, each checked on node 2 with the write's snaptoken: no stale answer`, async () => {
    const database = await fresh();
    const [storeA, storeB] = [await open(database.on(0)), await open(database.on(2))];
    await storeA.migrations.up();
    const stale = await staleAnswersWithTokens(storeA, storeB, PAIRS, cleanup);
    assert.equal(stale, 0, `${stale} of ${PAIRS} answers on node 2 missed the write whose token they were given`);
  });
});
