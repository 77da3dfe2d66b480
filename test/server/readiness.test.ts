import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
