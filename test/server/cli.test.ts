import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { GATEHOUSE_BIN, startGatehouseProcess } from '../support/server.js';

function gatehouse(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [GATEHOUSE_BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('--help lists the commands', () => {
  const { code, stdout } = gatehouse(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /^ {2}serve {2,}Run the read, write, metrics and OPL servers$/m);
  assert.match(stdout, /^ {2}version {2,}Print the gatehouse version$/m);
});

test('version prints the package version', async () => {
  const { VERSION } = await import('../../src/version.js');
  const { code, stdout } = gatehouse(['version']);
  assert.equal(code, 0);
  assert.equal(stdout, `Version:    ${VERSION}\n`);
});

test('an unknown command exits 2 and says so', () => {
  const { code, stderr } = gatehouse(['frobnicate']);
  assert.equal(code, 2);
  assert.match(stderr, /^unknown command "frobnicate"/);
});

test('an invalid configuration exits non-zero naming the key, the value and the limit', () => {
  const { code, stderr } = gatehouse(['serve'], { DSN: 'memory', SERVE_READ_PORT: '70000' });
  assert.equal(code, 1);
  assert.match(stderr, /serve\.read\.port/);
  assert.match(stderr, /70000/);
  assert.match(stderr, /65535/);
});

test('serve refuses an unexpected argument', () => {
  const { code, stderr } = gatehouse(['serve', 'extra']);
  assert.equal(code, 2);
  assert.match(stderr, /^unexpected argument: extra/);
});

test('an environment variable overrides the port of the config file', async () => {
  const port = await freePort();
  const gh = await startGatehouseProcess({ env: { SERVE_READ_PORT: String(port) } });
  try {
    assert.equal(gh.ports.read, port);
    const res = await fetch(`http://127.0.0.1:${port}/health/alive`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  } finally {
    assert.equal(await gh.stop(), 0);
  }
});
