import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GrpcConnection } from '../../src/client/connection.js';
import { KetoClient } from '../../src/client/keto.js';
import { openStore } from '../../src/store/open.js';
import { migrate, sqliteFileDatabase, type TestDatabase } from '../store/databases.js';
import { startGatehouseProcess } from '../support/server.js';
import { knob, sleep } from './support/requests.js';

/**
 * The import path on SQLite, killed: a server taking 1000-tuple transactions from four
 * writers at once over gRPC (what `relation-tuple import` sends) is killed with SIGKILL at a
 * random moment. Reopened, the file holds every transaction the server acknowledged, and of
 * the others only whole ones. Run with the default settings and with `_synchronous=NORMAL`.
 */

const TRIALS = knob('GATEHOUSE_CHAOS_TRIALS', 6);
const BATCH = 1000;
const WRITERS = 4;

interface Trial {
  /** Batch numbers the server acknowledged before it was killed. */
  acknowledged: Set<number>;
  /** Batch numbers sent. */
  sent: number;
}

/** Writes batches `${tag}-${batch}-${n}` from WRITERS loops until the server dies; SIGKILL after `afterMs` of writing. */
async function importUntilKilled(dsn: string, tag: string, afterMs: number): Promise<Trial> {
  const server = await startGatehouseProcess({ config: { dsn, namespaces: [{ name: 'files' }] } });
  const connection = await GrpcConnection.connect({ remote: server.grpc.write, plaintext: true });
  const client = new KetoClient(connection);
  const trial: Trial = { acknowledged: new Set(), sent: 0 };
  let alive = true;
  const writer = async () => {
    while (alive) {
      const batch = trial.sent++;
      const relationTupleDeltas = Array.from({ length: BATCH }, (_, n) => ({
        action: 'ACTION_INSERT',
        relationTuple: { namespace: 'files', object: `${tag}-${batch}-${n}`, relation: 'view', subject: { id: `user-${n % 50}` } },
      }));
      try {
        await client.transactRelationTuples({ relationTupleDeltas });
        trial.acknowledged.add(batch);
      } catch {
        return; // the server is gone
      }
    }
  };
  const writing = Array.from({ length: WRITERS }, writer);
  await sleep(afterMs);
  server.child.kill('SIGKILL');
  const { signal } = await server.exited;
  alive = false;
  await Promise.all(writing);
  connection.close();
  await server.stop();
  assert.equal(signal, 'SIGKILL');
  return trial;
}

for (const [name, parameters] of [
  ['default settings', ''],
  ['_synchronous=NORMAL', '&_synchronous=NORMAL'],
] as const) {
  describe(`SQLite import, server killed (${name})`, () => {
    let database: TestDatabase;
    let dsn: string;

    before(async () => {
      database = sqliteFileDatabase();
      dsn = database.dsn + parameters;
      await migrate(dsn);
    });

    after(() => database?.drop());

    test('SIGKILL while importing: every acknowledged transaction is there, whole; the others all or nothing', async () => {
      let acknowledged = 0;
      for (let t = 0; t < TRIALS; t++) {
        const tag = `t${t}`;
        const trial = await importUntilKilled(dsn, tag, 300 + Math.random() * 1200);
        const store = await openStore(dsn);
        try {
          const tuples = (await store.list({ namespace: 'files' }, { size: 10_000_000 })).tuples;
          const perBatch = new Map<number, number>();
          for (const tuple of tuples) {
            const [trialTag, batch] = tuple.object.split('-');
            if (trialTag === tag) perBatch.set(Number(batch), (perBatch.get(Number(batch)) ?? 0) + 1);
          }
          for (const batch of trial.acknowledged) {
            assert.equal(perBatch.get(batch), BATCH, `trial ${t}: acknowledged batch ${batch} has ${perBatch.get(batch) ?? 0} tuples`);
          }
          for (const [batch, count] of perBatch) assert.equal(count, BATCH, `trial ${t}: batch ${batch} is partial (${count} tuples)`);
          assert.equal(tuples.length, BATCH * (await store.headRevision()), `trial ${t}: tuples and revisions disagree`);
        } finally {
          await store.close();
        }
        acknowledged += trial.acknowledged.size;
      }
      assert.ok(acknowledged > 0, 'no write was acknowledged before a kill: the test did not test anything');
    });
  });
}
