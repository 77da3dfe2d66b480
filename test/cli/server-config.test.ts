/**
 * The CLI on the server's own machine: `-c` with the server's config files gives the address and
 * whether it serves TLS, so no --read-remote or --insecure-disable-transport-security is needed;
 * `--keto-exit-codes` exits 0 after a denied check, as Keto's CLI does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run as checkCommand } from '../../src/cli/check.js';
import { parseArgs } from '../../src/cli/flags.js';
import { REMOTE_FLAGS, resolveRemote } from '../../src/cli/remote.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { captureIo } from './capture-io.js';

let server: GatehouseProcess;
let dir: string;
/** The server's config as an operator would have written it: the ports it listens on. */
let serverConfig: string;

before(async () => {
  server = await startGatehouseProcess({ config: { namespaces: [{ name: 'Doc' }] } });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-config-'));
  serverConfig = join(dir, 'gatehouse.yml');
  const served = JSON.parse(readFileSync(server.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    serverConfig,
    JSON.stringify({
      ...served,
      serve: { read: { host: '0.0.0.0', port: server.ports.read }, write: { host: '127.0.0.1', port: server.ports.write } },
    }),
  );
  const put = await fetch(`${server.url.write}/admin/relation-tuples`, {
    method: 'PUT',
    body: JSON.stringify({ namespace: 'Doc', object: 'readme', relation: 'view', subject_id: 'alice' }),
  });
  assert.equal(put.status, 201);
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function check(args: string[], env: Record<string, string> = {}) {
  const io = captureIo({ env });
  const code = await checkCommand(args, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

test('check -c SERVER_CONFIG reaches the server in plaintext, with no remote flags', async () => {
  assert.deepEqual(await check(['alice', 'view', 'Doc:readme', '-c', serverConfig]), { code: 0, stdout: 'Allowed\n', stderr: '' });
  assert.deepEqual(await check(['bob', 'view', 'Doc:readme', '-c', serverConfig]), { code: 1, stdout: 'Denied\n', stderr: '' });
});

test('--keto-exit-codes, or GATEHOUSE_KETO_EXIT_CODES=true, exits 0 after a denied check, as Keto', async () => {
  assert.deepEqual(await check(['bob', 'view', 'Doc:readme', '-c', serverConfig, '--keto-exit-codes']), {
    code: 0,
    stdout: 'Denied\n',
    stderr: '',
  });
  assert.deepEqual(await check(['bob', 'view', 'Doc:readme', '-c', serverConfig], { GATEHOUSE_KETO_EXIT_CODES: 'true' }), {
    code: 0,
    stdout: 'Denied\n',
    stderr: '',
  });
  assert.deepEqual(await check(['alice', 'view', 'Doc:readme', '-c', serverConfig, '--keto-exit-codes']), {
    code: 0,
    stdout: 'Allowed\n',
    stderr: '',
  });
});

function remoteOf(endpoint: 'read' | 'write', argv: string[], env: Record<string, string> = {}) {
  return resolveRemote(endpoint, parseArgs(argv, REMOTE_FLAGS), captureIo({ env }));
}

function configFile(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

test('the address comes from the config: every interface is reached on loopback, TLS when the server serves it', async () => {
  const tls = { cert: { base64: 'Y2VydA==' }, key: { base64: 'a2V5' } };
  const file = configFile('tls.json', {
    dsn: 'memory',
    serve: { read: { host: '::', port: 5466, tls }, write: { host: 'authz.internal', port: 5467 } },
  });
  assert.deepEqual(await remoteOf('read', ['-c', file]), { address: '[::1]:5466', plaintext: false });
  assert.deepEqual(await remoteOf('write', ['-c', file]), { address: 'authz.internal:5467', plaintext: true });
  // The environment overrides the files for the CLI as it does for the server.
  assert.deepEqual(await remoteOf('write', ['-c', file], { SERVE_WRITE_PORT: '6467' }), {
    address: 'authz.internal:6467',
    plaintext: true,
  });
  // Keto's defaults when the config names no serve keys: every interface, 4466 and 4467.
  const bare = configFile('bare.json', { dsn: 'memory' });
  assert.deepEqual(await remoteOf('read', ['-c', bare]), { address: '127.0.0.1:4466', plaintext: true });
});

test('--read-remote and the remote env vars win over -c, as Keto ignores -c on its client commands', async () => {
  const file = configFile('ports.json', { dsn: 'memory', serve: { read: { host: '127.0.0.1', port: 5466 } } });
  assert.deepEqual(await remoteOf('read', ['-c', file, '--read-remote', 'other:1']), { address: 'other:1', plaintext: false });
  assert.deepEqual(await remoteOf('read', ['-c', file], { KETO_READ_REMOTE: 'other:2' }), { address: 'other:2', plaintext: false });
  assert.deepEqual(await remoteOf('read', ['-c', file], { GATEHOUSE_READ_REMOTE: 'other:3' }), { address: 'other:3', plaintext: false });
  assert.deepEqual(await remoteOf('read', ['-c', file]), { address: '127.0.0.1:5466', plaintext: true });
});

test('an invalid server config is reported, with no connection attempted', async () => {
  const file = configFile('bad.json', { dsn: 'memory', serve: { read: { port: 'many' } } });
  const result = await check(['alice', 'view', 'Doc:readme', '-c', file]);
  assert.equal(result.code, 3);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^Error: invalid configuration:\n  serve\.read\.port: /);
});
