import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { mysqlDatabase, type TestDatabase } from '../store/databases.js';
import { FaultProxy } from './support/fault-proxy.js';
import { knob, sleep } from './support/requests.js';
import { ThrowawayPostgres, throwawayPostgresUnavailable } from './support/throwaway-postgres.js';

/**
 * Every connection between the store and its database reset (TCP RST, through the fault
 * proxy) at a random moment of 1000-tuple transactions: each write either commits or fails
 * as unavailable, the table holds all of it or none of it, nothing escapes as an unhandled
 * error (it would end this test process), and the pool serves the next write. And a
 * database behind a blackhole: statements fail as unavailable at the statement timeout.
 */

const TRIALS = knob('GATEHOUSE_CHAOS_TRIALS', 12);
const STATEMENT_MS = 500;
/** pg's client-side timeout comes 500 ms after the statement timeout; the rest is slack for a loaded machine. */
const STALL_BOUND_MS = STATEMENT_MS + 500 + 1500;

const tuples = (tag: string, count: number): RelationTuple[] =>
  Array.from({ length: count }, (_, i) => ({ namespace: 'files', object: `${tag}-${i}`, relation: 'view', subject: { id: `user-${i % 50}` } }));

interface Target {
  name: string;
  skip: string | false;
  /** The database's host port and a DSN of it with the port replaced. */
  open(): Promise<{ port: number; dsn: (port: number) => string; close(): Promise<void> }>;
}

const mysqlDsn = process.env['TEST_MYSQL_DSN'];
const TARGETS: Target[] = [
  {
    name: 'PostgreSQL',
    skip: throwawayPostgresUnavailable(),
    async open() {
      const server = await ThrowawayPostgres.start();
      await server.createDatabase('resets');
      return { port: server.port, dsn: (port) => server.dsn('resets', port), close: () => server.destroy() };
    },
  },
  {
    name: 'MySQL',
    skip: mysqlDsn ? false : 'TEST_MYSQL_DSN is not set',
    async open() {
      const database: TestDatabase = await mysqlDatabase(mysqlDsn!);
      const url = new URL(database.dsn);
      const port = Number(url.port || 3306);
      return {
        port,
        dsn: (p) => {
          const u = new URL(database.dsn);
          u.port = String(p);
          return u.toString();
        },
        close: () => database.drop(),
      };
    },
  },
];

for (const target of TARGETS) {
  describe(`connections to ${target.name} reset or blackholed`, { skip: target.skip }, () => {
    let database: Awaited<ReturnType<Target['open']>>;
    let proxy: FaultProxy;
    let store: RelationTupleStore;
    let direct: RelationTupleStore;
    let bounded: RelationTupleStore;
    const count = async () => (await direct.list({ namespace: 'files' }, { size: 100_000 })).tuples.length;

    before(async () => {
      database = await target.open();
      proxy = await FaultProxy.start(database.port);
      direct = await openStore(database.dsn(database.port));
      await direct.migrations.up();
      store = await openStore(database.dsn(proxy.port));
      bounded = await openStore(database.dsn(proxy.port), { statementTimeoutMs: STATEMENT_MS, acquireTimeoutMs: STATEMENT_MS });
    });

    after(async () => {
      await store?.close().catch(() => undefined);
      await bounded?.close().catch(() => undefined);
      await direct?.close().catch(() => undefined);
      await proxy?.close();
      await database?.close();
    });

    test('each 1000-tuple write is all or nothing, failures are unavailable, the pool recovers', async () => {
      let failed = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const before = await count();
        const write = store.transact(tuples(`t${trial}`, 1000), []).then(
          () => 'committed' as const,
          (error: unknown) => error,
        );
        await sleep(Math.random() * 40);
        proxy.resetAll();
        const outcome = await write;
        const now = await count();
        assert.ok(now === before || now === before + 1000, `trial ${trial}: ${now - before} of 1000 tuples written`);
        if (outcome === 'committed') assert.equal(now, before + 1000, `trial ${trial}: committed but not there`);
        else {
          assert.ok(outcome instanceof GatehouseError, String(outcome));
          assert.equal(outcome.kind, 'unavailable', `trial ${trial}: ${outcome.message}`);
          failed++;
        }
      }
      assert.ok(failed > 0, 'no write was interrupted: the test did not test anything');
      const revision = await store.transact(tuples('after', 3), []);
      assert.ok(revision > 0);
    });

    test('blackholed: reads and writes fail as unavailable within the statement timeout, then the pool serves again', async () => {
      await bounded.transact(tuples('warm', 2), []);
      proxy.blackhole();
      try {
        const started = performance.now();
        const outcomes = await Promise.all(
          [bounded.headRevision(), bounded.transact(tuples('stalled', 10), []), bounded.list({ namespace: 'files' }, { size: 5 })].map((p) =>
            p.then(
              () => 'answered',
              (error: unknown) => error,
            ),
          ),
        );
        const tookMs = performance.now() - started;
        for (const outcome of outcomes) {
          assert.ok(outcome instanceof GatehouseError, String(outcome));
          assert.equal(outcome.kind, 'unavailable');
        }
        assert.ok(tookMs <= STALL_BOUND_MS, `failed after ${Math.round(tookMs)} ms`);
      } finally {
        proxy.heal();
      }
      const deadline = performance.now() + 5000;
      for (;;) {
        const ok = await bounded.transact(tuples('healed', 2), []).then(
          () => true,
          () => false,
        );
        if (ok) break;
        assert.ok(performance.now() < deadline, 'the pool did not recover within 5 s');
        await sleep(100);
      }
    });
  });
}
