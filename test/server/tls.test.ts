import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { VERSION } from '../../src/version.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { unaryCall } from './grpc-clients.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, ALPNProtocols: ['http/1.1'] } as https.RequestOptions, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body, alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol ?? false }),
      );
    });
    req.on('error', reject);
  });
}

describe('TLS', { skip: hasOpenssl ? false : 'openssl is not installed; it makes the test certificate' }, () => {
  let dir: string;
  let ca: Buffer;
  let gh: GatehouseProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'cert.pem'));
    const keyBase64 = readFileSync(join(dir, 'key.pem')).toString('base64');
    const tls = { cert: { path: join(dir, 'cert.pem') }, key: { base64: keyBase64 } };
    gh = await startGatehouseProcess({ config: { serve: { read: { tls }, write: { tls } } }, waitReady: false });
  });
  after(async () => {
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('HTTPS with HTTP/1.1', async () => {
    assert.equal(gh.url.read.startsWith('https://'), true);
    const res = await httpsGet(`${gh.url.read}/health/alive`, ca);
    assert.deepEqual({ status: res.status, body: JSON.parse(res.body), alpn: res.alpn }, {
      status: 200,
      body: { status: 'ok' },
      alpn: 'http/1.1',
    });
  });

  test('HTTPS with HTTP/2 negotiated by ALPN', async () => {
    const session = http2.connect(gh.url.write, { ca });
    const stream = session.request({ ':path': '/version' });
    let body = '';
    let status = 0;
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8').on('data', (c: string) => (body += c));
    await new Promise((resolve) => stream.on('end', resolve));
    assert.equal(session.alpnProtocol, 'h2');
    session.close();
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), { version: VERSION });
  });

  test('gRPC over TLS', async () => {
    const credentials = grpc.credentials.createSsl(ca);
    const health = await unaryCall(
      gh.grpc.read,
      '/grpc.health.v1.Health/Check',
      'grpc.health.v1.HealthCheckRequest',
      'grpc.health.v1.HealthCheckResponse',
      { service: '' },
      { credentials },
    );
    assert.deepEqual(health, { status: 'SERVING' });
    const version = await unaryCall(
      gh.grpc.write,
      '/ory.keto.relation_tuples.v1alpha2.VersionService/GetVersion',
      'ory.keto.relation_tuples.v1alpha2.GetVersionRequest',
      'ory.keto.relation_tuples.v1alpha2.GetVersionResponse',
      {},
      { credentials },
    );
    assert.deepEqual(version, { version: VERSION });
  });

  test('the ports without TLS settings stay cleartext', async () => {
    assert.equal(gh.url.opl.startsWith('http://'), true);
    const res = await fetch(`${gh.url.opl}/health/alive`);
    assert.equal(res.status, 200);
  });
});
