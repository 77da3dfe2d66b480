import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { loadConfig } from '../../src/config/load.js';
import { redactedConfig } from '../../src/config/redact.js';
import type { EndpointName } from '../../src/config/types.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ListenerAuth } from '../../src/transport/auth.js';
import { GATEHOUSE_GRPC_METHODS, KETO_GRPC_METHODS } from '../../src/transport/keto-surface.js';
import { startGatehouseProcess } from '../support/server.js';
import { h2cRequest, http1Request } from './clients.js';
import { methodDefinition } from './grpc-clients.js';

const PORTS: readonly EndpointName[] = ['read', 'write', 'opl', 'metrics'];
const OLD_KEY = 'old-key-5f0c2a9e41d7b3';
const NEW_KEY = 'new-key-91be07d4c6a2f8';
const HASHED_KEY = 'hashed-key-3d7a90c1e5';
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const isHealthRoute = (route: string) => route.startsWith('GET /health/');
const isHealthMethod = (path: string) => path.startsWith('/grpc.health.v1.Health/');

/** The message types of any method a port serves, health and reflection included, from its path. */
function typesOf(path: string): { requestType: string; responseType: string } {
  const known = [...KETO_GRPC_METHODS, ...GATEHOUSE_GRPC_METHODS].find((m) => m.path === path);
  if (known !== undefined) return known;
  const [pkg, method] = [path.slice(1, path.lastIndexOf('.')), path.slice(path.lastIndexOf('/') + 1)];
  if (path.startsWith('/grpc.health.v1.')) return { requestType: 'grpc.health.v1.HealthCheckRequest', responseType: 'grpc.health.v1.HealthCheckResponse' };
  if (path.startsWith('/grpc.reflection.')) return { requestType: `${pkg}.ServerReflectionRequest`, responseType: `${pkg}.ServerReflectionResponse` };
  if (method === 'GetVersion') return { requestType: `${pkg}.GetVersionRequest`, responseType: `${pkg}.GetVersionResponse` };
  throw new Error(`no message types known for ${path}`);
}

/**
 * Calls any method (unary or streaming: the frames are the same) with one empty message and
 * half-closes. Resolves with the status, or with "answered" at the first response message
 * (a stream such as health Watch would go on), so a refusal is told from a served call.
 */
function probe(address: string, path: string, metadata: Record<string, string> = {}): Promise<number | 'answered'> {
  const { requestType, responseType } = typesOf(path);
  const Client = grpc.makeGenericClientConstructor({ call: methodDefinition(path, requestType, responseType, true) }, 'Probe');
  const client = new Client(address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [name, value] of Object.entries(metadata)) md.set(name, value);
  return new Promise((resolve) => {
    const call = (client as any).call(md) as grpc.ClientDuplexStream<object, object>;
    let settled = false;
    const settle = (result: number | 'answered') => {
      if (settled) return;
      settled = true;
      call.cancel();
      client.close();
      resolve(result);
    };
    call.on('data', () => settle('answered'));
    call.on('error', () => {});
    call.on('status', (status: grpc.StatusObject) => settle(status.code));
    call.write(path.includes('Watch') && !isHealthMethod(path) ? { snaptoken: 'probe' } : {});
    call.end();
  });
}

describe('preshared keys on every port', () => {
  let gh: RunningGatehouse;
  let dir: string;
  const url = (port: EndpointName) => `http://127.0.0.1:${gh.addresses[port].port}`;
  const address = (port: EndpointName) => `127.0.0.1:${gh.addresses[port].port}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-auth-'));
    writeFileSync(join(dir, 'old.key'), `${OLD_KEY}\n`);
    const auth = { preshared_keys: [{ path: join(dir, 'old.key') }, { env: 'GATEHOUSE_TEST_NEW_KEY' }, { sha256: sha256(HASHED_KEY) }] };
    const serve = Object.fromEntries(PORTS.map((p) => [p, { host: '127.0.0.1', port: 0, auth }]));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ dsn: `sqlite://${join(dir, 'db.sqlite')}`, namespaces: [{ name: 'files' }], serve, log: { level: 'error', format: 'json' } }),
    );
    gh = await startGatehouse({ files: [config], env: { GATEHOUSE_TEST_NEW_KEY: NEW_KEY } }, { migrate: true });
  });
  after(async () => {
    await gh.stop();
    assert.equal(await gh.stopped, 0);
    rmSync(dir, { recursive: true, force: true });
  });

  test("every REST route of each port's table but health answers 401 without a valid key, over HTTP/1.1 and h2c", async () => {
    const refusedPerPort: Record<string, number> = {};
    for (const port of PORTS) {
      let refused = 0;
      for (const route of gh.served[port].rest) {
        const [method, path] = route.split(' ') as [string, string];
        const target = `${path}${path.endsWith('/watch') ? '?snaptoken=probe' : ''}`;
        for (const headers of [{}, bearer('wrong-key'), { authorization: OLD_KEY }, { authorization: `Basic ${OLD_KEY}` }]) {
          const one = await http1Request(`${url(port)}${target}`, { method, headers: { ...headers, 'x-request-id': 'a' } });
          const two = await h2cRequest(url(port), target, { method, headers });
          if (isHealthRoute(route)) {
            assert.notEqual(one.status, 401, `${route} on ${port}`);
            assert.notEqual(two.status, 401, `${route} on ${port} over h2c`);
            continue;
          }
          assert.equal(one.status, 401, `${route} on ${port}: ${one.status} ${one.body}`);
          assert.equal(one.headers['www-authenticate'], 'Bearer');
          assert.equal(JSON.parse(one.body).error.code, 401);
          assert.equal(JSON.parse(one.body).error.status, 'Unauthorized');
          assert.equal(JSON.parse(one.body).error.request, 'a');
          assert.equal(two.status, 401, `${route} on ${port} over h2c: ${two.status} ${two.body}`);
        }
        if (!isHealthRoute(route)) refused++;
        for (const key of [OLD_KEY, NEW_KEY, HASHED_KEY]) {
          const res = await http1Request(`${url(port)}${target}`, { method, headers: bearer(key) });
          assert.notEqual(res.status, 401, `${route} on ${port} with a valid key: ${res.body}`);
        }
      }
      refusedPerPort[port] = refused;
    }
    // version, and each port's own routes: 11 read, 3 write, 1 OPL, the metrics route
    assert.deepEqual(refusedPerPort, { read: 13, write: 5, opl: 3, metrics: 2 });
  });

  test("every gRPC method of each port's table but health answers UNAUTHENTICATED without a valid key", async () => {
    const refusedPerPort: Record<string, number> = {};
    for (const port of ['read', 'write', 'opl'] as const) {
      let refused = 0;
      for (const method of gh.served[port].grpc) {
        for (const metadata of [{}, bearer('wrong-key'), { authorization: NEW_KEY }]) {
          const code = await probe(address(port), method, metadata);
          if (isHealthMethod(method)) assert.notEqual(code, grpc.status.UNAUTHENTICATED, `${method} on ${port}`);
          else assert.equal(code, grpc.status.UNAUTHENTICATED, `${method} on ${port}`);
        }
        if (!isHealthMethod(method)) refused++;
        for (const key of [OLD_KEY, NEW_KEY, HASHED_KEY]) {
          assert.notEqual(await probe(address(port), method, bearer(key)), grpc.status.UNAUTHENTICATED, `${method} on ${port} with a valid key`);
        }
      }
      refusedPerPort[port] = refused;
    }
    // version, reflection (v1 and v1alpha) and each port's own methods: 6 read, 2 write, 1 OPL
    assert.deepEqual(refusedPerPort, { read: 12, write: 5, opl: 4 });
  });

  test('a valid key is answered as without auth', async () => {
    const check = await http1Request(`${url('read')}/relation-tuples/check?namespace=files&object=a&relation=view&subject_id=b`, {
      headers: bearer(NEW_KEY),
    });
    assert.deepEqual({ status: check.status, body: JSON.parse(check.body) }, { status: 403, body: { allowed: false } });
  });
});

test('off by default: no route or method of any port answers 401 / UNAUTHENTICATED without a key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-noauth-'));
  const config = join(dir, 'config.json');
  const serve = Object.fromEntries(PORTS.map((p) => [p, { host: '127.0.0.1', port: 0 }]));
  writeFileSync(config, JSON.stringify({ dsn: 'memory', namespaces: [{ name: 'files' }], serve, log: { level: 'error', format: 'json' } }));
  const gh = await startGatehouse({ files: [config], env: {} });
  t.after(async () => {
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const port of PORTS) {
    for (const route of gh.served[port].rest) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await http1Request(`http://127.0.0.1:${gh.addresses[port].port}${path}${path.endsWith('/watch') ? '?snaptoken=probe' : ''}`, { method });
      assert.notEqual(res.status, 401, `${route} on ${port}`);
    }
    for (const method of gh.served[port].grpc) {
      assert.notEqual(await probe(`127.0.0.1:${gh.addresses[port].port}`, method), grpc.status.UNAUTHENTICATED, `${method} on ${port}`);
    }
  }
});

test("preshared keys follow a configuration reload; an unreadable key keeps that listener's previous ones", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotate-'));
  const config = join(dir, 'config.json');
  writeFileSync(join(dir, 'old.key'), OLD_KEY);
  writeFileSync(join(dir, 'new.key'), NEW_KEY);
  const keys = (files: string[]) => ({ preshared_keys: files.map((f) => ({ path: join(dir, f) })) });
  const write = (writeKeys: string[], readKeys: string[] = []) =>
    writeFileSync(
      config,
      JSON.stringify({
        dsn: 'memory',
        namespaces: [{ name: 'files' }],
        serve: { write: { host: '127.0.0.1', port: 0, auth: keys(writeKeys) }, read: { host: '127.0.0.1', port: 0, auth: keys(readKeys) } },
        log: { level: 'fatal' },
      }),
    );
  write(['old.key']);
  const gh = await startGatehouse({ files: [config], env: {} });
  t.after(async () => {
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const status = async (port: 'read' | 'write', key: string) =>
    (await http1Request(`http://127.0.0.1:${gh.addresses[port].port}/version`, { headers: bearer(key) })).status;
  /** Waits (up to 10 s) for a reload to show: asks until the answer is `expected`. */
  const until = async (port: 'read' | 'write', key: string, expected: number) => {
    for (let i = 0; i < 200 && (await status(port, key)) !== expected; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return status(port, key);
  };
  assert.deepEqual([await status('write', OLD_KEY), await status('write', NEW_KEY)], [200, 401]);
  write(['old.key', 'new.key']);
  assert.equal(await until('write', NEW_KEY, 200), 200);
  assert.equal(await status('write', OLD_KEY), 200);
  write(['new.key']);
  assert.equal(await until('write', OLD_KEY, 401), 401);
  assert.equal(await status('write', NEW_KEY), 200);
  // One edit: the write listener's keys cannot be read, the read listener gets a key (which shows the reload happened).
  write(['old.key', 'missing.key'], ['old.key']);
  assert.equal(await until('read', 'no-key', 401), 401);
  assert.equal(await status('read', OLD_KEY), 200);
  assert.deepEqual([await status('write', NEW_KEY), await status('write', OLD_KEY)], [200, 401]);
});

describe('ListenerAuth', () => {
  const auth = ListenerAuth.fromConfig('read', { preshared_keys: [{ env: 'A' }, { sha256: sha256('second-key') }] }, { A: ' first-key\n' });
  const refused = (authorization: string | undefined) => auth.refusal({ authorization, peerCertified: false })?.message;

  test('accepts each configured key, whatever the case of "Bearer"', () => {
    for (const header of ['Bearer first-key', 'bearer second-key', 'BEARER  first-key ']) assert.equal(refused(header), undefined, header);
  });

  test('10,000 wrong keys are all refused', () => {
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = i % 2 === 0 ? randomBytes(1 + (i % 40)).toString('base64url') : `first-key${i % 7 === 0 ? '' : 'x'}`.slice(0, 9 + (i % 3));
      if (key === 'first-key' || key === 'second-key') continue;
      if (refused(`Bearer ${key}`) === undefined) accepted++;
    }
    assert.equal(accepted, 0);
  });

  test('refuses a missing, malformed or partial header', () => {
    for (const header of [undefined, '', 'first-key', 'Basic first-key', 'Bearer', 'Bearer first-key extra', 'Bearer first-ke', 'Bearer first-key2']) {
      assert.ok(refused(header) !== undefined, String(header));
    }
  });

  test('no keys and no client CA: nothing is required', () => {
    const none = ListenerAuth.fromConfig('opl', { preshared_keys: [] }, {});
    assert.equal(none.required, false);
    assert.equal(none.refusal({ authorization: undefined, peerCertified: false }), undefined);
  });

  test('a client CA alone requires a certified peer, and no key', () => {
    const mtls = ListenerAuth.fromConfig('write', { preshared_keys: [], client_ca: { path: '/unused' } }, {});
    assert.equal(mtls.refusal({ authorization: undefined, peerCertified: true }), undefined);
    assert.equal(mtls.refusal({ authorization: 'Bearer x', peerCertified: false })?.kind, 'unauthenticated');
  });

  test('an unset variable, an unreadable or empty file refuses the start, naming the key but no value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    writeFileSync(join(dir, 'empty'), ' \n');
    try {
      assert.throws(() => ListenerAuth.fromConfig('write', { preshared_keys: [{ env: 'NOPE' }] }, {}), {
        message: 'serve.write.auth.preshared_keys.0.env: the environment variable NOPE is unset or empty',
      });
      assert.throws(() => ListenerAuth.fromConfig('read', { preshared_keys: [{ sha256: sha256('k') }, { path: join(dir, 'missing') }] }, {}), {
        message: `serve.read.auth.preshared_keys.1.path: cannot read ${join(dir, 'missing')}: ENOENT`,
      });
      assert.throws(() => ListenerAuth.fromConfig('read', { preshared_keys: [{ path: join(dir, 'empty') }] }, {}), {
        message: `serve.read.auth.preshared_keys.0.path: ${join(dir, 'empty')} holds no key`,
      });
      assert.throws(() => ListenerAuth.fromConfig('read', { preshared_keys: [{ env: 'K' }] }, { K: 'two words' }), {
        message: 'serve.read.auth.preshared_keys.0: a key cannot contain white space',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configuration of the keys', () => {
  test('the schema refuses a key given inline or two sources in one entry', () => {
    const problems: Record<string, string> = {
      '{"key":"k"}': 'serve.read.auth.preshared_keys[0].key: unknown key, did you mean serve.read.tls.key?',
      '{"path":"/a","env":"B"}': 'serve.read.auth.preshared_keys[0]: must NOT have more than 1 properties, got {"path":"/a","env":"B"}',
      '{"sha256":"abc"}': 'serve.read.auth.preshared_keys[0].sha256: must match pattern "^[0-9a-f]{64}$", got "abc"',
      '{}': 'serve.read.auth.preshared_keys[0]: must NOT have fewer than 1 properties, got {}',
    };
    for (const [entry, problem] of Object.entries(problems)) {
      assert.throws(() => loadConfig({ env: { DSN: 'memory', SERVE_READ_AUTH_PRESHARED_KEYS: `[${entry}]` } }), {
        message: `invalid configuration:\n  ${problem}`,
      });
    }
  });

  test('digests are redacted, where to read the keys is shown', () => {
    const config = loadConfig({
      env: { DSN: 'memory', SERVE_WRITE_AUTH_PRESHARED_KEYS: JSON.stringify([{ sha256: sha256(HASHED_KEY) }, { env: 'NEW_KEY' }, { path: '/run/key' }]) },
    });
    const redacted = redactedConfig(config) as { serve: { write: { auth: unknown } } };
    assert.deepEqual(redacted.serve.write.auth, { preshared_keys: [{ sha256: '***' }, { env: 'NEW_KEY' }, { path: '/run/key' }] });
    assert.equal(JSON.stringify(config).includes(sha256(HASHED_KEY)), false);
  });

  test('keys never reach the log, metrics or answers, even at debug level with requests carrying right and wrong keys', async (t) => {
    const gh = await startGatehouseProcess({
      config: { serve: { read: { auth: { preshared_keys: [{ env: 'GATEHOUSE_KEY' }] } } }, log: { level: 'debug' } },
      env: { GATEHOUSE_KEY: NEW_KEY },
    });
    t.after(() => gh.stop('SIGKILL'));
    const target = `${gh.url.read}/relation-tuples/check?namespace=n&object=o&relation=r&subject_id=s`;
    const answers: string[] = [];
    for (const [url, key, status] of [
      [target, NEW_KEY, 403],
      [target, OLD_KEY, 401],
      [`${gh.url.read}/version`, NEW_KEY, 200],
      [`${gh.url.read}/relation-tuples?namespace=n&page_token=forged`, NEW_KEY, 404],
      [`${gh.url.metrics}/metrics/prometheus`, NEW_KEY, 200],
    ] as const) {
      const res = await fetch(url, { headers: bearer(key) });
      assert.equal(res.status, status, url);
      answers.push(JSON.stringify([...res.headers]), await res.text());
    }
    assert.equal(await probe(gh.grpc.read, '/ory.keto.relation_tuples.v1alpha2.CheckService/Check', bearer(OLD_KEY)), grpc.status.UNAUTHENTICATED);
    assert.equal(await gh.stop(), 0);
    const logs = gh.logs.map((l) => JSON.stringify(l)).join('\n') + gh.stderr();
    assert.match(logs, /configuration in force/);
    assert.match(logs, /"status":401/);
    for (const secret of [NEW_KEY, OLD_KEY, sha256(NEW_KEY)]) {
      assert.equal(logs.includes(secret), false, secret);
      assert.equal(answers.join('\n').includes(secret), false, secret);
    }
  });
});
