/**
 * Write throughput: 100 000 tuples written as PATCH-style transactions of BATCH inserts
 * each, then a tenth of them deleted again in transactions of BATCH deletes, on SQLite (file, WAL, synchronous=FULL) and, when TEST_POSTGRES_DSN /
 * TEST_MYSQL_DSN name a server, on a fresh PostgreSQL / MySQL database made for the run.
 *
 *   node dist/bench/write.js [TOTAL] [BATCH]
 */
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { openStore } from '../src/store/open.js';
import type { RelationTuple } from '../src/tuple.js';

const total = Number(process.argv[2] ?? 100_000);
const batch = Number(process.argv[3] ?? 1_000);

function tupleAt(i: number): RelationTuple {
  return i % 4 === 0
    ? { namespace: 'groups', object: `group-${i % 997}`, relation: 'member', subject: { set: { namespace: 'groups', object: `group-${i % 13}`, relation: 'member' } } }
    : { namespace: 'documents', object: `doc-${i}`, relation: 'viewer', subject: { id: `user-${i % 5003}` } };
}

async function measure(name: string, database: TestDatabase): Promise<void> {
  const store = await openStore(database.dsn);
  try {
    await store.migrations.up();
    const started = process.hrtime.bigint();
    for (let start = 0; start < total; start += batch) {
      const tuples = Array.from({ length: Math.min(batch, total - start) }, (_, k) => tupleAt(start + k));
      await store.transact(tuples, []);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const written = (await store.changesSince(0, 1_000_000)).reduce((n, c) => n + c.inserted.length, 0);
    console.log(
      `${name.padEnd(10)} ${total} tuples in ${total / batch} transactions of ${batch}: ${seconds.toFixed(2)} s, ` +
        `${Math.round(total / seconds)} tuples/s (changelog holds ${written})`,
    );
    const deletes = Math.floor(total / 10);
    const deleteStarted = process.hrtime.bigint();
    for (let start = 0; start < deletes; start += batch) {
      const tuples = Array.from({ length: Math.min(batch, deletes - start) }, (_, k) => tupleAt((start + k) * 10));
      await store.transact([], tuples);
    }
    const deleteSeconds = Number(process.hrtime.bigint() - deleteStarted) / 1e9;
    console.log(
      `${name.padEnd(10)} ${deletes} tuples deleted in transactions of ${batch}: ${deleteSeconds.toFixed(2)} s, ` +
        `${Math.round(deletes / deleteSeconds)} tuples/s`,
    );
  } finally {
    await store.close();
    await database.drop();
  }
}

await measure('sqlite', sqliteFileDatabase());
const postgres = process.env['TEST_POSTGRES_DSN'];
if (postgres) await measure('postgres', await postgresDatabase(postgres));
else console.log('postgres   skipped: TEST_POSTGRES_DSN is not set');
const mysql = process.env['TEST_MYSQL_DSN'];
if (mysql) await measure('mysql', await mysqlDatabase(mysql));
else console.log('mysql      skipped: TEST_MYSQL_DSN is not set');
