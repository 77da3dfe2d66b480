import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { unaryCall } from './grpc-clients.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** Makes a CA (self-signed) and, signed by it, a certificate for `cn` with the given extensions. */
function makePki(dir: string) {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`);
  const leaf = (name: string, issuer: string, ext: string) => {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  };
  ca('clients-ca');
  ca('other-ca');
  ca('server-ca');
  leaf('server', 'server-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'clients-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('intruder', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    serverCa: read('server-ca.pem'),
    client: { cert: read('client.pem'), key: read('client.key') },
    intruder: { cert: read('intruder.pem'), key: read('intruder.key') },
  };
}

type Identity = { cert: Buffer; key: Buffer } | undefined;

function httpsGet(url: string, ca: Buffer, identity: Identity): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, ...identity, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

function h2Get(origin: string, path: string, ca: Buffer, identity: Identity): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca, ...identity });
    session.on('error', reject);
    const stream = session.request({ ':path': path });
    stream.on('response', (h) => {
      session.close();
      resolve(Number(h[':status']));
    });
    stream.resume();
  });
}

describe('client certificates (mutual TLS)', { skip: hasOpenssl ? false : 'openssl is not installed; it makes the test certificates' }, () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  let gh: RunningGatehouse;
  const origin = () => `https://127.0.0.1:${gh.addresses.read.port}`;
  const check = '/relation-tuples/check?namespace=files&object=a&relation=view&subject_id=b';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-mtls-'));
    pki = makePki(dir);
    const tls = { cert: { path: join(dir, 'server.pem') }, key: { path: join(dir, 'server.key') } };
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dsn: `sqlite://${join(dir, 'db.sqlite')}`,
        namespaces: [{ name: 'files' }],
        serve: {
          read: { host: '127.0.0.1', port: 0, tls, auth: { client_ca: { path: join(dir, 'clients-ca.pem') } } },
          write: { host: '127.0.0.1', port: 0 },
          opl: { host: '127.0.0.1', port: 0 },
          metrics: { host: '127.0.0.1', port: 0 },
        },
        log: { level: 'error', format: 'json' },
      }),
    );
    gh = await startGatehouse({ files: [config], env: {} }, { migrate: true });
  });
  after(async () => {
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a certificate from the client CA is served; none, or one from another CA, gets 401 (HTTP/1.1 and HTTP/2)', async () => {
    const served = await httpsGet(`${origin()}${check}`, pki.serverCa, pki.client);
    assert.deepEqual({ status: served.status, body: JSON.parse(served.body) }, { status: 403, body: { allowed: false } });
    for (const identity of [undefined, pki.intruder]) {
      const refused = await httpsGet(`${origin()}${check}`, pki.serverCa, identity);
      assert.equal(refused.status, 401);
      const { request: _, ...error } = JSON.parse(refused.body).error;
      assert.deepEqual(error, {
        code: 401,
        status: 'Unauthorized',
        message: 'A client certificate signed by a trusted authority is required.',
      });
      assert.equal(await h2Get(origin(), check, pki.serverCa, identity), 401);
    }
    assert.equal(await h2Get(origin(), check, pki.serverCa, pki.client), 403);
  });

  test('health answers probes without a certificate; version needs one', async () => {
    assert.equal((await httpsGet(`${origin()}/health/alive`, pki.serverCa, undefined)).status, 200);
    assert.equal((await httpsGet(`${origin()}/health/ready`, pki.serverCa, undefined)).status, 200);
    assert.equal((await httpsGet(`${origin()}/version`, pki.serverCa, undefined)).status, 401);
    assert.equal((await httpsGet(`${origin()}/version`, pki.serverCa, pki.client)).status, 200);
  });

  test('gRPC: UNAUTHENTICATED without a certificate from the client CA', async () => {
    const call = (identity: Identity) =>
      unaryCall(
        `127.0.0.1:${gh.addresses.read.port}`,
        '/ory.keto.relation_tuples.v1alpha2.CheckService/Check',
        'ory.keto.relation_tuples.v1alpha2.CheckRequest',
        'ory.keto.relation_tuples.v1alpha2.CheckResponse',
        { tuple: { namespace: 'files', object: 'a', relation: 'view', subject: { id: 'b' } } },
        { credentials: grpc.credentials.createSsl(pki.serverCa, identity?.key ?? null, identity?.cert ?? null) },
      );
    assert.equal((await call(pki.client)).allowed, false);
    for (const identity of [undefined, pki.intruder]) {
      await assert.rejects(call(identity), { code: grpc.status.UNAUTHENTICATED, details: 'A client certificate signed by a trusted authority is required.' });
    }
  });
});

test('a client CA without TLS on that listener refuses the start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mtls-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ dsn: 'memory', namespaces: [], serve: { write: { port: 0, auth: { client_ca: { path: join(dir, 'ca.pem') } } } }, log: { level: 'error' } }),
    );
    await assert.rejects(startGatehouse({ files: [config], env: {} }), {
      message: 'serve.write.auth.client_ca: client certificates need TLS (serve.write.tls)',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
