import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGatehouseProcess } from '../support/server.js';

test('a pagination secret never reaches logs, metrics or answers, even at debug level', async (t) => {
  const secret = 'pagination-secret-f00dfeed-4e5a';
  const gh = await startGatehouseProcess({
    config: { secrets: { pagination: [secret] }, log: { level: 'debug' } },
  });
  t.after(() => gh.stop('SIGKILL'));
  const bodies = await Promise.all(
    [
      `${gh.url.read}/version`,
      `${gh.url.read}/health/ready`,
      `${gh.url.read}/relation-tuples?namespace=nope&page_token=forged`,
      `${gh.url.metrics}/metrics/prometheus`,
    ].map((url) => fetch(url).then((r) => r.text())),
  );
  for (const body of bodies) assert.equal(body.includes(secret), false);
  assert.equal(await gh.stop(), 0);
  const logs = gh.logs.map((l) => JSON.stringify(l)).join('\n');
  assert.match(logs, /configuration in force/);
  assert.equal(logs.includes(secret), false);
  assert.equal(gh.stderr().includes(secret), false);
});
