import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GATEHOUSE_BIN, startGatehouseProcess } from '../support/server.js';

const PASSWORD = 'Pw-s3cret';
/** True when the text shows five characters of the password in a row. */
const leaks = (text: string) => Array.from({ length: PASSWORD.length - 4 }, (_, i) => PASSWORD.slice(i, i + 5)).some((part) => text.includes(part));
const MALFORMED_DSNS = [
  `postgres:/user:${PASSWORD}@host/db`,
  `postgres:${PASSWORD}@host/db`,
  `user:${PASSWORD}@host`,
  `mysql:user:${PASSWORD}@tcp(h:3306)/db`,
  `root:${PASSWORD}@tcp(h:3306)/db?parseTime=true`,
  `postgres:host/db?password=${PASSWORD}`,
  `host=db user=u password=${PASSWORD}`,
];

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

test('a malformed DSN is never echoed by the CLI, from the environment or a config file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-dsn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const dsn of MALFORMED_DSNS) {
    const file = join(dir, 'config.yml');
    writeFileSync(file, `dsn: ${JSON.stringify(dsn)}\n`);
    for (const [args, env] of [
      [['migrate', 'status'], { DSN: dsn }],
      [['migrate', 'up', '--yes', '-c', file], {}],
      [['serve', '-c', file], {}],
    ] as const) {
      const run = spawnSync(process.execPath, [GATEHOUSE_BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
      assert.notEqual(run.status, 0, `${args.join(' ')} with ${dsn}`);
      assert.match(run.stderr, /dsn: must be/, `${args.join(' ')} with ${dsn}: ${run.stderr}`);
      assert.ok(!leaks(run.stdout + run.stderr), `${args.join(' ')} with ${dsn}: ${run.stdout}${run.stderr}`);
    }
  }
});

test('a malformed DSN saved to the watched config file is rejected without its password in the log', async (t) => {
  const gh = await startGatehouseProcess({ config: { log: { level: 'debug' } } });
  t.after(() => gh.stop('SIGKILL'));
  for (const dsn of MALFORMED_DSNS) {
    const before = gh.logs.length;
    writeFileSync(gh.configFile, JSON.stringify({ dsn, log: { level: 'debug' } }));
    for (let i = 0; i < 400 && !gh.logs.slice(before).some((l) => /configuration change rejected/.test(JSON.stringify(l))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const lines = gh.logs.slice(before).map((l) => JSON.stringify(l)).join('\n');
    assert.match(lines, /configuration change rejected/, dsn);
    assert.match(lines, /dsn: must be/, dsn);
  }
  assert.equal(await gh.stop(), 0);
  const all = gh.logs.map((l) => JSON.stringify(l)).join('\n') + gh.stderr();
  assert.ok(!leaks(all), all.split('\n').filter(leaks).join('\n'));
});
