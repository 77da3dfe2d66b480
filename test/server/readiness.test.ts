import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { postgresDatabase } from '../store/databases.js';
import { startGatehouseProcess } from '../support/server.js';

test('readiness is 503 while migrations are pending, alive stays 200; serve --migrate applies them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ready-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dsn = `sqlite://${join(dir, 'db.sqlite')}`;

  const pending = await startGatehouseProcess({ config: { dsn }, waitReady: false });
  t.after(() => pending.stop('SIGKILL'));
  const ready = await fetch(`${pending.url.read}/health/ready`);
  assert.equal(ready.status, 503);
  assert.deepEqual(await ready.json(), { errors: { migrations: 'migrations have not yet been fully applied' } });
  assert.equal((await fetch(`${pending.url.read}/health/alive`)).status, 200);
  assert.equal(await pending.stop(), 0);

  const migrated = await startGatehouseProcess({ config: { dsn }, args: ['--migrate'] });
  t.after(() => migrated.stop('SIGKILL'));
  const after = await fetch(`${migrated.url.write}/health/ready`);
  assert.equal(after.status, 200);
  assert.deepEqual(await after.json(), { status: 'ok' });
  assert.equal(await migrated.stop(), 0);
});

test(
  'readiness says "database unreachable" while the database is down, and is ready again once it is back',
  { skip: process.env['TEST_POSTGRES_DSN'] ? false : 'TEST_POSTGRES_DSN is not set' },
  async (t) => {
    const database = await postgresDatabase(process.env['TEST_POSTGRES_DSN']!);
    t.after(() => database.drop());
    const target = new URL(database.dsn);
    // A TCP relay to PostgreSQL that the test can take down and bring back: the database "goes away".
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as net.AddressInfo).port;
    t.after(() => {
      relay.close();
      for (const s of sockets) s.destroy();
    });
    const dsn = new URL(database.dsn);
    dsn.host = `127.0.0.1:${relayPort}`;
    dsn.password = 'relay-pw-7f3e';
    const gh = await startGatehouseProcess({ config: { dsn: dsn.toString() }, args: ['--migrate'] });
    t.after(() => gh.stop('SIGKILL'));

    const closed = new Promise<void>((resolve) => relay.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
    const down = await fetch(`${gh.url.read}/health/ready`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { errors: { database: 'database unreachable', migrations: 'database unreachable' } });

    await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = (await fetch(`${gh.url.read}/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 200);
    assert.equal(await gh.stop(), 0);
    assert.ok(!JSON.stringify(gh.logs).includes('relay-pw-7f3e'));
  },
);
