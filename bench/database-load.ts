/**
 * What one gatehouse replica costs PostgreSQL, measured on the server's side: the CPU time
 * of the backend that runs each statement, read from /proc (Linux, a server on this
 * machine), before and after a run of them.
 *  - the head probe of the default freshness guarantee (`SELECT revision FROM
 *    gatehouse_head WHERE nid = $1`), one at a time as a process sends it, as an unnamed
 *    statement and as a prepared one, with its round trip seen by the client;
 *  - the changelog read a follower makes when a notification wakes it, unnamed and prepared;
 *  - one NOTIFY on the changelog channel, to one listener and to many: the sender's
 *    backend (it signals every listener), and each listening backend that passes it on.
 * docs/scale.md turns these into replicas per PostgreSQL server.
 *
 *   node dist/bench/database-load.js [probes=20000] [listeners=20] [notifies=2000]
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { CHANGELOG_CHANNEL } from '../src/store/postgres/notifications.js';
import { openStore } from '../src/store/open.js';
import { postgresDatabase } from '../test/store/databases.js';
import { printFigure, quantile } from './figure.js';

const probes = Number(process.argv[2] ?? 20_000);
const listeners = Number(process.argv[3] ?? 20);
const notifies = Number(process.argv[4] ?? 2000);
const part = 'PostgreSQL load per replica';
const HEAD_SQL = 'SELECT revision FROM gatehouse_head WHERE nid = $1';
// The statement src/store/sql/changelog.ts readChanges sends, with its page size.
const CHANGES_SQL = `SELECT c.revision, c.changes FROM (
       SELECT revision, changes FROM gatehouse_changelog WHERE nid = $1 AND revision > $2 ORDER BY revision LIMIT 5000
     ) c
     UNION ALL
     SELECT -1 - h.pruned_through, NULL FROM gatehouse_changelog_horizon h WHERE h.nid = $3 AND h.pruned_through > $4`;

/** CPU time a process has run, in µs: the scheduler's nanosecond count. */
function cpuMicros(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

async function connect(dsn: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

/** Runs `query` `n` times one after the other; the backend's CPU per run and the client's round trips. */
async function oneAtATime(dsn: string, n: number, query: (client: pg.Client) => Promise<unknown>): Promise<{ cpu: number; p50: number; p99: number }> {
  const { client, pid } = await connect(dsn);
  try {
    for (let i = 0; i < 500; i++) await query(client);
    const trips = new Float64Array(n);
    const before = cpuMicros(pid);
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await query(client);
      trips[i] = (performance.now() - started) * 1000;
    }
    const cpu = (cpuMicros(pid) - before) / n;
    trips.sort();
    return { cpu, p50: quantile(trips, 0.5), p99: quantile(trips, 0.99) };
  } finally {
    await client.end();
  }
}

/** `notifies` NOTIFYs one after the other to `listeners` listening connections: the sender's backend CPU per NOTIFY, and each listener's. */
async function notifyCost(dsn: string, listeners: number): Promise<{ sender: number; perListener: number }> {
  const listening = await Promise.all(Array.from({ length: listeners }, () => connect(dsn)));
  const notifier = await connect(dsn);
  try {
    let received = 0;
    let wake: (() => void) | undefined;
    for (const { client } of listening) {
      client.on('notification', () => {
        if (++received === notifies * listeners) wake?.();
      });
      await client.query(`LISTEN ${CHANGELOG_CHANNEL}`);
    }
    const all = new Promise<void>((resolve) => (wake = resolve));
    const backends = () => listening.reduce((sum, l) => sum + cpuMicros(l.pid), 0);
    const listenersBefore = backends();
    const senderBefore = cpuMicros(notifier.pid);
    for (let i = 0; i < notifies; i++) await notifier.client.query(`NOTIFY ${CHANGELOG_CHANNEL}`);
    const sender = (cpuMicros(notifier.pid) - senderBefore) / notifies;
    await all;
    return { sender, perListener: (backends() - listenersBefore) / (notifies * listeners) };
  } finally {
    for (const { client } of [...listening, notifier]) await client.end();
  }
}

const round = (µs: number) => Math.round(µs * 10) / 10;

/** How a statement is sent: unnamed (parsed and planned each time), or prepared once under a name. */
const SENT_AS = [['unnamed statement', false], ['prepared statement', true]] as const;
const sent = (name: string, text: string, values: unknown[], prepared: boolean) => (client: pg.Client) =>
  client.query(prepared ? { name, text, values } : { text, values });

async function main(): Promise<void> {
  const adminDsn = process.env['TEST_POSTGRES_DSN'];
  if (!adminDsn) {
    process.stderr.write('TEST_POSTGRES_DSN is not set: the PostgreSQL load figures were not measured\n');
    return;
  }
  const db = await postgresDatabase(adminDsn);
  const store = await openStore(db.dsn);
  try {
    await store.migrations.up();
    await store.transact([{ namespace: 'Doc', object: 'd', relation: 'owner', subject: { id: 'u' } }], []);
    const nid = await store.networkId();
    const head = await store.headRevision();

    for (const [kind, prepared] of SENT_AS) {
      const probe = await oneAtATime(db.dsn, probes, sent('head', HEAD_SQL, [nid], prepared));
      printFigure({ part, name: `head probe (${kind}): server CPU per probe`, value: round(probe.cpu), unit: 'µs' });
      printFigure({ part, name: `head probe (${kind}), one at a time: round trip p50`, value: round(probe.p50), unit: 'µs' });
      printFigure({ part, name: `head probe (${kind}), one at a time: round trip p99`, value: round(probe.p99), unit: 'µs' });
    }
    for (const [kind, prepared] of SENT_AS) {
      const changes = await oneAtATime(db.dsn, probes / 4, sent('changes', CHANGES_SQL, [nid, head - 1, nid, head - 1], prepared));
      printFigure({ part, name: `changelog read of one entry (a woken follower, ${kind}): server CPU per read`, value: round(changes.cpu), unit: 'µs' });
      printFigure({ part, name: `changelog read of one entry (${kind}): round trip p50`, value: round(changes.p50), unit: 'µs' });
    }

    for (const n of [1, listeners]) {
      const { sender, perListener } = await notifyCost(db.dsn, n);
      printFigure({ part, name: `NOTIFY to ${n} listener(s): sender's server CPU per NOTIFY`, value: round(sender), unit: 'µs' });
      printFigure({ part, name: `NOTIFY to ${n} listener(s): server CPU per listener per NOTIFY`, value: round(perListener), unit: 'µs' });
    }
  } finally {
    await store.close();
    await db.drop();
  }
}

await main();
