import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { grpcTimeoutMs } from '../../src/transport/grpc/server.js';
import { KETO_GRPC_METHODS } from '../../src/transport/keto-surface.js';
import { VERSION } from '../../src/version.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { streamCall, unaryCall } from './grpc-clients.js';

const require = createRequire(import.meta.url);
const descriptor = require('protobufjs/ext/descriptor') as {
  FileDescriptorProto: protobuf.Type;
};

const HEALTH = 'grpc.health.v1';
const RT = 'ory.keto.relation_tuples.v1alpha2';

const healthCheck = (address: string, service = '') =>
  unaryCall(address, `/${HEALTH}.Health/Check`, `${HEALTH}.HealthCheckRequest`, `${HEALTH}.HealthCheckResponse`, {
    service,
  });

const reflect = (address: string, version: 'v1' | 'v1alpha', requests: object[]) =>
  streamCall(
    address,
    `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
    `grpc.reflection.${version}.ServerReflectionRequest`,
    `grpc.reflection.${version}.ServerReflectionResponse`,
    requests,
  );

describe('gRPC on the shared ports', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { limit: { max_request_body_size: 65536 } } });
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });

  test('grpc.health.v1 Check answers SERVING on the read, write and OPL ports', async () => {
    for (const port of ['read', 'write', 'opl'] as const) {
      assert.deepEqual(await healthCheck(gh.grpc[port]), { status: 'SERVING' });
    }
    assert.deepEqual(await healthCheck(gh.grpc.read, `${RT}.CheckService`), { status: 'SERVING' });
    await assert.rejects(healthCheck(gh.grpc.read, 'no.such.Service'), { code: grpc.status.NOT_FOUND });
  });

  test('grpc.health.v1 Watch sends the current status', async () => {
    const got = await streamCall(
      gh.grpc.read,
      `/${HEALTH}.Health/Watch`,
      `${HEALTH}.HealthCheckRequest`,
      `${HEALTH}.HealthCheckResponse`,
      [{ service: '' }],
      { take: 1 },
    );
    assert.deepEqual(got, [{ status: 'SERVING' }]);
  });

  test("server reflection v1 and v1alpha list the port's services", async () => {
    const everywhere = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
    const expected = {
      read: ['gatehouse.v1.ExplainService', 'gatehouse.v1.LookupService', 'gatehouse.v1.WatchService', ...everywhere, `${RT}.CheckService`, `${RT}.ExpandService`, `${RT}.NamespacesService`, `${RT}.ReadService`, `${RT}.VersionService`],
      write: [...everywhere, `${RT}.VersionService`, `${RT}.WriteService`],
      opl: [...everywhere, 'ory.keto.opl.v1alpha1.SyntaxService', `${RT}.VersionService`],
    };
    for (const port of ['read', 'write', 'opl'] as const) {
      for (const version of ['v1', 'v1alpha'] as const) {
        const [answer] = await reflect(gh.grpc[port], version, [{ listServices: '*' }]);
        const names = answer.listServicesResponse.service.map((s: { name: string }) => s.name);
        assert.deepEqual(names, expected[port], `${version} on ${port}`);
      }
    }
    const [otherPort] = await reflect(gh.grpc.write, 'v1', [{ fileContainingSymbol: `${RT}.CheckService` }]);
    assert.equal(otherPort.errorResponse.errorCode, grpc.status.NOT_FOUND);
    await assert.rejects(healthCheck(gh.grpc.write, `${RT}.CheckService`), { code: grpc.status.NOT_FOUND });
  });

  test('server reflection hands out file descriptors with their dependencies', async () => {
    const [bySymbol, byFile, missing] = await reflect(gh.grpc.read, 'v1', [
      { fileContainingSymbol: `${RT}.CheckService` },
      { fileByFilename: 'ory/keto/relation_tuples/v1alpha2/read_service.proto' },
      { fileContainingSymbol: 'no.such.Symbol' },
    ]);
    const files = (answer: any) =>
      answer.fileDescriptorResponse.fileDescriptorProto.map((bytes: Uint8Array) =>
        descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)),
      );
    const checkFiles = files(bySymbol);
    assert.deepEqual(
      checkFiles.map((f: { name: string }) => f.name),
      [
        'ory/keto/relation_tuples/v1alpha2/check_service.proto',
        'ory/keto/relation_tuples/v1alpha2/relation_tuples.proto',
        'ory/keto/relation_tuples/v1alpha2/batch_check.proto',
      ],
    );
    const service = checkFiles[0].service[0];
    assert.equal(service.name, 'CheckService');
    assert.deepEqual(
      service.method.map((m: { name: string; inputType: string }) => [m.name, m.inputType]),
      [
        ['Check', `.${RT}.CheckRequest`],
        ['BatchCheck', `.${RT}.BatchCheckRequest`],
      ],
    );
    const batch = checkFiles[2].messageType.find((m: { name: string }) => m.name === 'BatchCheckRequest');
    assert.deepEqual(
      batch.field.map((f: { name: string; number: number }) => [f.name, f.number]),
      [
        ['tuples', 1],
        ['latest', 2],
        ['snaptoken', 3],
        ['max_depth', 4],
      ],
    );
    assert.deepEqual(
      files(byFile).map((f: { name: string }) => f.name),
      [
        'ory/keto/relation_tuples/v1alpha2/read_service.proto',
        'ory/keto/relation_tuples/v1alpha2/relation_tuples.proto',
        'google/protobuf/field_mask.proto',
      ],
    );
    assert.equal(missing.errorResponse.errorCode, grpc.status.NOT_FOUND);
  });

  test("Keto's VersionService answers through @ory/keto-grpc-client", async () => {
    const stubs = require('@ory/keto-grpc-client/ory/keto/relation_tuples/v1alpha2/version_grpc_pb.js');
    const messages = require('@ory/keto-grpc-client/ory/keto/relation_tuples/v1alpha2/version_pb.js');
    const ketoGrpc = require(require.resolve('@grpc/grpc-js', { paths: [require.resolve('@ory/keto-grpc-client')] }));
    for (const port of ['read', 'write', 'opl'] as const) {
      const client = new stubs.VersionServiceClient(gh.grpc[port], ketoGrpc.credentials.createInsecure());
      const version = await new Promise<string>((resolve, reject) =>
        client.getVersion(new messages.GetVersionRequest(), (err: Error | null, res: any) =>
          err ? reject(err) : resolve(res.getVersion()),
        ),
      );
      client.close();
      assert.equal(version, VERSION);
    }
  });

  test("every Keto method is served on its API's port; an unknown method is UNIMPLEMENTED", async () => {
    // What an empty request gets from an empty memory store with no namespaces.
    const invalid = (details: string) => ({ code: grpc.status.INVALID_ARGUMENT, details });
    const answers: Record<string, { ok: object } | { code: number; details: string }> = {
      [`/${RT}.CheckService/Check`]: invalid('subject is not allowed to be nil'),
      [`/${RT}.CheckService/BatchCheck`]: { ok: { results: [] } },
      [`/${RT}.ExpandService/Expand`]: invalid('subject is not allowed to be nil'),
      [`/${RT}.ReadService/ListRelationTuples`]: invalid('you must provide a query'),
      [`/${RT}.WriteService/TransactRelationTuples`]: { ok: { snaptokens: [] } },
      [`/${RT}.WriteService/DeleteRelationTuples`]: invalid(
        'The request was malformed or contained invalid parameters: invalid request',
      ),
      [`/${RT}.NamespacesService/ListNamespaces`]: { ok: { namespaces: [] } },
      ['/ory.keto.opl.v1alpha1.SyntaxService/Check']: { ok: { parseErrors: [] } },
    };
    assert.deepEqual(Object.keys(answers).sort(), KETO_GRPC_METHODS.map((m) => m.path).sort());
    for (const method of KETO_GRPC_METHODS) {
      const got = await unaryCall(gh.grpc[method.api], method.path, method.requestType, method.responseType, {}).then(
        (ok: object) => ({ ok }),
        (e: grpc.ServiceError) => ({ code: e.code, details: e.details }),
      );
      assert.deepEqual(got, answers[method.path], `${method.path} on ${method.api}`);
    }
    await assert.rejects(
      unaryCall(gh.grpc.read, `/${RT}.NoService/Nothing`, `${RT}.GetVersionRequest`, `${RT}.GetVersionResponse`, {}),
      { code: grpc.status.UNIMPLEMENTED, details: `unknown method /${RT}.NoService/Nothing` },
    );
  });

  test('a message over the size limit is RESOURCE_EXHAUSTED', async () => {
    await assert.rejects(
      unaryCall(gh.grpc.read, `/${RT}.VersionService/GetVersion`, `${RT}.CheckRequest`, `${RT}.GetVersionResponse`, {
        namespace: 'n'.repeat(70_000),
      }),
      { code: grpc.status.RESOURCE_EXHAUSTED },
    );
    // the connection stays usable
    assert.deepEqual(await healthCheck(gh.grpc.read), { status: 'SERVING' });
  });

  test('a compressed request is refused with UNIMPLEMENTED', async () => {
    await assert.rejects(
      unaryCall(
        gh.grpc.read,
        `/${RT}.VersionService/GetVersion`,
        `${RT}.GetVersionRequest`,
        `${RT}.GetVersionResponse`,
        {},
        { channelOptions: { 'grpc.default_compression_algorithm': 2 } },
      ),
      { code: grpc.status.UNIMPLEMENTED, details: 'grpc-encoding "gzip" is not supported' },
    );
  });

  test('a call whose grpc-timeout passes is answered DEADLINE_EXCEEDED', async () => {
    const session = http2.connect(gh.url.read);
    const stream = session.request({
      ':method': 'POST',
      ':path': `/${RT}.VersionService/GetVersion`,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '50m',
    });
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('response', resolve));
    stream.resume();
    session.close();
    assert.equal(headers['grpc-status'], String(grpc.status.DEADLINE_EXCEEDED));
    assert.equal(headers['grpc-message'], 'the deadline was exceeded');
  });

  test('a message flagged as compressed without a grpc-encoding is refused with INTERNAL', async () => {
    const session = http2.connect(gh.url.read);
    const stream = session.request({
      ':method': 'POST',
      ':path': `/${RT}.VersionService/GetVersion`,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.end(Buffer.from([1, 0, 0, 0, 0]));
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('response', resolve));
    stream.resume();
    session.close();
    assert.equal(headers['grpc-status'], String(grpc.status.INTERNAL));
    assert.equal(headers['grpc-message'], 'a compressed message was sent without a grpc-encoding');
  });

  test('a malformed message on a reflection stream ends it with INVALID_ARGUMENT in the trailers, never a bare reset', async () => {
    const frame = (payload: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, payload.length]), payload]);
    const listServices = frame(Buffer.from([0x3a, 0x01, 0x2a])); // list_services: "*"
    const malformed = frame(Buffer.from([0x0a, 0xff])); // a length-delimited field cut short
    const cases = [
      { name: 'malformed first, half-closed', body: malformed, halfClose: true },
      { name: 'malformed first, still open', body: malformed, halfClose: false },
      { name: 'after an answer, half-closed', body: Buffer.concat([listServices, malformed]), halfClose: true },
      { name: 'after an answer, still open', body: Buffer.concat([listServices, malformed]), halfClose: false },
    ];
    for (const { name, body, halfClose } of cases) {
      const session = http2.connect(gh.url.read);
      const stream = session.request({
        ':method': 'POST',
        ':path': '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      let status: { code?: string; message?: string } = {};
      let messages = 0;
      const read = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) status = { code: String(h['grpc-status']), message: String(h['grpc-message']) };
      };
      stream.on('response', read);
      stream.on('trailers', read);
      stream.on('data', () => messages++);
      stream.on('error', () => {});
      if (halfClose) stream.end(body);
      else stream.write(body);
      await new Promise((resolve) => stream.on('close', resolve));
      session.close();
      assert.deepEqual(
        { messages: messages > 0, ...status },
        {
          messages: body !== malformed,
          code: String(grpc.status.INVALID_ARGUMENT),
          message: 'could not decode the request as grpc.reflection.v1.ServerReflectionRequest',
        },
        name,
      );
    }
  });

  test('gRPC calls are counted per method', async () => {
    const res = await fetch(`${gh.url.metrics}/metrics/prometheus`);
    const text = await res.text();
    assert.match(text, new RegExp(`^gatehouse_grpc_requests_total\\{method="/${HEALTH}.Health/Check",code="0"\\} \\d+$`, 'm'));
    assert.match(text, /^gatehouse_grpc_requests_total\{method="unmatched",code="12"\} \d+$/m);
  });
});

test('grpc-timeout values', () => {
  assert.equal(grpcTimeoutMs('100m'), 100);
  assert.equal(grpcTimeoutMs('2S'), 2000);
  assert.equal(grpcTimeoutMs('1M'), 60_000);
  assert.equal(grpcTimeoutMs('1H'), 3_600_000);
  assert.equal(grpcTimeoutMs('5000u'), 5);
  assert.equal(grpcTimeoutMs('99999999H'), 2_147_483_647);
  assert.equal(grpcTimeoutMs('10'), undefined);
  assert.equal(grpcTimeoutMs('123456789S'), undefined);
  assert.equal(grpcTimeoutMs(undefined), undefined);
});
