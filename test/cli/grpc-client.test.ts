import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { GrpcConnection, splitRemote } from '../../src/client/connection.js';
import { KetoClient } from '../../src/client/keto.js';
import { GrpcCallError } from '../../src/client/status.js';
import { GrpcCode } from '../../src/grpc-code.js';
import { GrpcStatusError, startFakeGrpc, type FakeGrpc } from './fake-grpc.js';

const CHECK = '/ory.keto.relation_tuples.v1alpha2.CheckService/Check';
const LIST = '/ory.keto.relation_tuples.v1alpha2.ReadService/ListRelationTuples';

let fake: FakeGrpc;
let release: () => void = () => {};
const never = new Promise<object>((resolve) => (release = () => resolve({ allowed: false })));

before(async () => {
  fake = await startFakeGrpc({
    [CHECK]: (req) => {
      if (req.tuple.object === 'slow') return never;
      if (req.tuple.namespace === 'Unknown') throw new GrpcStatusError(GrpcCode.NOT_FOUND, 'Unknown namespace with name "Unknown".\nsecond line');
      return { allowed: req.tuple.subject.id === 'alice' };
    },
    [LIST]: () => ({ relationTuples: [{ namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'g', object: 'x', relation: '' } } }], nextPageToken: 'next' }),
  });
});
after(async () => {
  release();
  await fake.close();
});

const tuple = (namespace: string, object: string, id: string) => ({ namespace, object, relation: 'view', subject: { id } });

test('unary calls encode the request, decode the answer and send gRPC headers', async () => {
  const client = new KetoClient(
    await GrpcConnection.connect({ remote: fake.address, plaintext: true, authority: 'keto.example:443', bearerToken: 's3cret' }),
    { timeoutMs: 5000 },
  );
  try {
    assert.deepEqual(await client.check({ tuple: tuple('Doc', 'readme', 'alice'), maxDepth: 3 }), { allowed: true, snaptoken: '' });
    assert.equal((await client.check({ tuple: tuple('Doc', 'readme', 'bob') })).allowed, false);
    const page = await client.listRelationTuples({ relationQuery: { namespace: 'n' }, pageSize: 10, pageToken: '' });
    assert.equal(page.nextPageToken, 'next');
    assert.deepEqual(page.relationTuples[0]!.subject, { set: { namespace: 'g', object: 'x', relation: '' }, ref: 'set' });
  } finally {
    client.close();
  }
  const call = fake.calls.find((c) => c.path === CHECK)!;
  assert.equal(call.request.maxDepth, 3);
  assert.equal(call.headers['content-type'], 'application/grpc+proto');
  assert.equal(call.headers.te, 'trailers');
  assert.equal(call.headers['grpc-timeout'], '5000m');
  assert.equal(call.headers[':authority'], 'keto.example:443');
  assert.equal(call.headers.authorization, 'Bearer s3cret');
  const list = fake.calls.find((c) => c.path === LIST)!;
  assert.deepEqual(list.request.relationQuery.namespace, 'n');
  assert.equal(list.request.relationQuery.object, undefined);
});

test('an error status arrives as GrpcCallError with the decoded message on one line', async () => {
  const connection = await GrpcConnection.connect({ remote: fake.address, plaintext: true });
  try {
    await assert.rejects(new KetoClient(connection).check({ tuple: tuple('Unknown', 'x', 'alice') }), (err) => {
      assert.ok(err instanceof GrpcCallError);
      assert.equal(err.code, GrpcCode.NOT_FOUND);
      assert.equal(err.details, 'Unknown namespace with name "Unknown". second line');
      return true;
    });
    await assert.rejects(
      new KetoClient(connection).expand({ subject: { id: 'x' } }),
      // The fake serves no Expand: it answers what a gRPC server answers for a method it does not know.
      (err) => err instanceof GrpcCallError && err.code === GrpcCode.UNIMPLEMENTED && err.details === 'unknown method',
    );
  } finally {
    connection.close();
  }
});

test('a call past its deadline fails with DEADLINE_EXCEEDED', async () => {
  const client = new KetoClient(await GrpcConnection.connect({ remote: fake.address, plaintext: true }), { timeoutMs: 50 });
  try {
    await assert.rejects(client.check({ tuple: tuple('Doc', 'slow', 'alice') }), (err) => err instanceof GrpcCallError && err.code === GrpcCode.DEADLINE_EXCEEDED);
  } finally {
    client.close();
  }
});

test('a refused connection is UNAVAILABLE, transient, with a hint naming the remote flags', async () => {
  const server = http2.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(GrpcConnection.connect({ remote: `127.0.0.1:${port}`, plaintext: true }), (err) => {
    assert.ok(err instanceof GrpcCallError);
    assert.equal(err.code, GrpcCode.UNAVAILABLE);
    assert.equal(err.transient, true);
    assert.match(err.hint!, /--read-remote/);
    return true;
  });
});

test('TLS against a plaintext server fails with a hint to disable transport security', async () => {
  await assert.rejects(GrpcConnection.connect({ remote: fake.address }), (err) => {
    assert.ok(err instanceof GrpcCallError);
    assert.equal(err.code, GrpcCode.UNAVAILABLE);
    assert.match(err.hint!, /--insecure-disable-transport-security/);
    return true;
  });
});

test('an HTTP answer without gRPC status maps to the gRPC code for its HTTP status', async () => {
  const server = http2.createServer((_req, res) => {
    res.statusCode = 404;
    res.end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new KetoClient(await GrpcConnection.connect({ remote: `127.0.0.1:${port}`, plaintext: true }));
  try {
    await assert.rejects(client.check({ tuple: tuple('Doc', 'x', 'a') }), (err) => err instanceof GrpcCallError && err.code === GrpcCode.UNIMPLEMENTED && /HTTP status 404/.test(err.details));
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('remote addresses are host:port, with IPv6 in brackets', () => {
  assert.deepEqual(splitRemote('127.0.0.1:4466'), { host: '127.0.0.1', port: 4466 });
  assert.deepEqual(splitRemote('[::1]:4467'), { host: '::1', port: 4467 });
  assert.deepEqual(splitRemote('keto.example', 443), { host: 'keto.example', port: 443 });
  assert.throws(() => splitRemote('keto.example'), (err) => err instanceof GrpcCallError && /host:port/.test(err.hint!));
  assert.throws(() => splitRemote('a:99999'), GrpcCallError);
});

function selfSignedCertificate(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=gatehouse.test'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const certificate = selfSignedCertificate();

test('TLS: an untrusted certificate is refused unless verification is skipped', { skip: certificate ? false : 'openssl is not available to make a test certificate' }, async () => {
  const tlsFake = await startFakeGrpc({ [CHECK]: () => ({ allowed: true }) }, certificate!);
  try {
    await assert.rejects(GrpcConnection.connect({ remote: tlsFake.address }), (err) => err instanceof GrpcCallError && /insecure-skip-hostname-verification/.test(err.hint!));
    const client = new KetoClient(await GrpcConnection.connect({ remote: tlsFake.address, skipVerify: true }));
    try {
      assert.equal((await client.check({ tuple: tuple('Doc', 'x', 'a') })).allowed, true);
    } finally {
      client.close();
    }
    await assert.rejects(
      GrpcConnection.connect({ remote: tlsFake.address, plaintext: true }).then(async (c) => {
        try {
          await new KetoClient(c).check({ tuple: tuple('Doc', 'x', 'a') });
        } finally {
          c.close();
        }
      }),
      (err) => err instanceof GrpcCallError && err.code === GrpcCode.UNAVAILABLE,
    );
  } finally {
    await tlsFake.close();
  }
});
