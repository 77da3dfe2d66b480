import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { startGatehouseProcess } from '../support/server.js';

const accessLine = (logs: unknown[], prefix: string) =>
  logs.some((l) => typeof l === 'object' && l !== null && String((l as { request_id?: unknown }).request_id).startsWith(prefix));

test('log.level follows the config file without a restart', async (t) => {
  const gh = await startGatehouseProcess({ config: { log: { level: 'warn' } } });
  t.after(() => gh.stop('SIGKILL'));
  await fetch(`${gh.url.read}/health/alive`, { headers: { 'x-request-id': 'before-reload' } });

  writeFileSync(gh.configFile, JSON.stringify({ dsn: 'memory', log: { level: 'info' } }));
  let seen = false;
  for (let i = 0; i < 200 && !seen; i++) {
    await fetch(`${gh.url.read}/health/alive`, { headers: { 'x-request-id': `after-reload-${i}` } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = accessLine(gh.logs, 'after-reload-');
  }
  assert.ok(seen, 'an access line appears once the level is info');
  assert.equal(accessLine(gh.logs, 'before-reload'), false);
  assert.equal(await gh.stop(), 0);
});
