import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { GrpcCode } from '../../src/grpc-code.js';
import { KETO_GRPC_METHODS } from '../../src/transport/keto-surface.js';
import { messageType } from '../../src/transport/grpc/schema.js';
import { versionMethod } from '../../src/transport/grpc/version.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { FUZZ_SEED, runs } from './support/knobs.js';
import { oplNamespacesConfig } from './support/model.js';
import { encodeMessage, messageArb, mutatedBytes } from './support/protobuf-messages.js';
import { ids, namespaces, relations } from './support/tuples.js';

/**
 * Random protobuf bytes, byte-mutated encodings and random well-formed messages to every
 * unary gRPC method of Keto's services: every answer a gRPC status (never INTERNAL or
 * UNKNOWN), a successful answer decodes as the method's response, the process stays alive.
 * Also: atomic transactions, long error messages, the message size limit, random call
 * metadata, and framing no gRPC library sends.
 */

const MESSAGE_LIMIT = 2 * 1024 * 1024;
const METHODS = [...KETO_GRPC_METHODS, versionMethod('')].map(({ path, requestType, responseType }) => ({ path, requestType, responseType }));
const VALID_CODES = new Set<number>(Object.values(GrpcCode));

interface Answer {
  code: number;
  details: string;
  response?: Buffer;
}

describe('gRPC fuzzing', { concurrency: false }, () => {
  let gh: GatehouseProcess;
  let cleanup: () => void;
  /** One client per API port; each method is called on the port that serves it. */
  let clients: Record<'read' | 'write' | 'opl', grpc.Client>;

  before(async () => {
    const opl = oplNamespacesConfig();
    cleanup = opl.remove;
    gh = await startGatehouseProcess({
      config: { namespaces: opl.namespaces, limit: { max_request_body_size: MESSAGE_LIMIT }, log: { level: 'warn' } },
    });
    const client = (address: string) => new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
    clients = { read: client(gh.grpc.read), write: client(gh.grpc.write), opl: client(gh.grpc.opl) };
  });
  after(async () => {
    for (const client of Object.values(clients)) client.close();
    const code = await gh.stop();
    cleanup();
    assert.equal(code, 0);
  });

  const call = (path: string, bytes: Buffer): Promise<Answer> =>
    new Promise((resolve) => {
      clients[KETO_GRPC_METHODS.find((m) => m.path === path)?.api ?? 'read'].makeUnaryRequest<Buffer, Buffer>(
        path,
        (b) => b,
        (b) => b,
        bytes,
        (err, response) => resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '', response: response! }),
      );
    });

  const assertAlive = async () => {
    assert.equal(gh.child.exitCode, null, 'gatehouse exited');
    const alive = await fetch(`${gh.url.read}/health/alive`);
    assert.equal(alive.status, 200);
    const failures = gh.logs.filter((l) => (l as { msg?: string }).msg === 'request failed');
    assert.deepEqual(failures, [], 'unexpected errors were logged');
  };

  test('every Keto method: random bytes, mutated encodings and random messages get a proper status', async (t) => {
    const sent: Record<string, number> = {};
    const codes: Record<string, number> = {};
    let salt = 0;
    for (const method of METHODS) {
      const request = messageType(method.requestType);
      const response = messageType(method.responseType);
      const messages = messageArb(request);
      const valid = messages.map((m) => encodeMessage(request, m));
      const inputs = [
        ...fc.sample(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), { seed: FUZZ_SEED + ++salt, numRuns: runs(120) }),
        ...fc.sample(mutatedBytes(valid), { seed: FUZZ_SEED + ++salt, numRuns: runs(120) }),
        ...fc.sample(valid, { seed: FUZZ_SEED + ++salt, numRuns: runs(160) }),
      ];
      for (let i = 0; i < inputs.length; i += 8) {
        const batch = inputs.slice(i, i + 8);
        const answers = await Promise.all(batch.map((bytes) => call(method.path, bytes)));
        answers.forEach((answer, j) => {
          const input = batch[j]!.toString('base64');
          const what = `${method.path} (seed ${FUZZ_SEED}): ${answer.code} ${answer.details} for ${input.length > 400 ? `${input.slice(0, 400)}… (${batch[j]!.length} bytes)` : input}`;
          assert.ok(VALID_CODES.has(answer.code), what);
          assert.notEqual(answer.code, GrpcCode.INTERNAL, what);
          assert.notEqual(answer.code, GrpcCode.UNKNOWN, what);
          assert.notEqual(answer.code, GrpcCode.UNIMPLEMENTED, what);
          if (answer.code === GrpcCode.OK) assert.doesNotThrow(() => response.decode(answer.response!), what);
          codes[answer.code] = (codes[answer.code] ?? 0) + 1;
        });
      }
      sent[method.path] = inputs.length;
    }
    await assertAlive();
    t.diagnostic(`seed ${FUZZ_SEED}; calls per method ${JSON.stringify(sent)}; status codes seen ${JSON.stringify(codes)}`);
  });

  test('TransactRelationTuples with one invalid delta writes nothing', async (t) => {
    const type = messageType('ory.keto.relation_tuples.v1alpha2.TransactRelationTuplesRequest');
    const tuple = fc.record({
      namespace: namespaces,
      object: ids,
      relation: relations,
      subject: fc.oneof(fc.record({ id: ids }), fc.record({ set: fc.record({ namespace: namespaces, object: ids, relation: relations }) })),
    });
    const delta = fc.record({ action: fc.constantFrom('ACTION_INSERT', 'ACTION_DELETE'), relationTuple: tuple });
    const invalid = fc.oneof(
      tuple.map((rt) => ({ action: 'ACTION_INSERT', relationTuple: { ...rt, namespace: 'NoSuchNamespace' } })),
      tuple.map((rt) => ({ action: 'ACTION_INSERT', relationTuple: { ...rt, subject: { set: { namespace: 'Nope', object: 'o', relation: 'r' } } } })),
      tuple.map((rt) => ({ action: 'ACTION_DELETE', relationTuple: { namespace: rt.namespace, object: rt.object, relation: rt.relation } })),
    );
    const requests = fc.sample(
      fc.tuple(fc.array(delta, { minLength: 1, maxLength: 8 }), invalid, fc.nat()).map(([valid, bad, at]) => {
        const deltas: unknown[] = [...valid];
        deltas.splice(at % (valid.length + 1), 0, bad);
        return deltas;
      }),
      { seed: FUZZ_SEED, numRuns: runs(100) },
    );
    const count = async () => {
      let n = 0;
      let token = '';
      for (;;) {
        const res = await fetch(`${gh.url.read}/relation-tuples?page_size=500${token && `&page_token=${encodeURIComponent(token)}`}`);
        const page = (await res.json()) as { relation_tuples: unknown[]; next_page_token: string };
        n += page.relation_tuples.length;
        if (page.next_page_token === '') return n;
        token = page.next_page_token;
      }
    };
    for (const valid of fc.sample(fc.array(delta, { minLength: 1, maxLength: 8 }), { seed: FUZZ_SEED + 1, numRuns: 20 })) {
      const answer = await call('/ory.keto.relation_tuples.v1alpha2.WriteService/TransactRelationTuples', encodeMessage(type, { relationTupleDeltas: valid }));
      assert.equal(answer.code, GrpcCode.OK, answer.details);
    }
    const before = await count();
    assert.ok(before > 0);
    for (const relationTupleDeltas of requests) {
      const answer = await call('/ory.keto.relation_tuples.v1alpha2.WriteService/TransactRelationTuples', encodeMessage(type, { relationTupleDeltas }));
      const what = `${JSON.stringify(relationTupleDeltas)} (seed ${FUZZ_SEED}): ${answer.code} ${answer.details}`;
      assert.ok(answer.code === GrpcCode.INVALID_ARGUMENT || answer.code === GrpcCode.NOT_FOUND, what);
      assert.equal(await count(), before, what);
    }
    t.diagnostic(`${requests.length} transactions with one invalid delta refused, ${before} tuples stored before and after`);
  });

  test('an error quoting a 60 KB request keeps its status: the message is cut, the call is not reset', async () => {
    const type = messageType('ory.keto.relation_tuples.v1alpha2.ListRelationTuplesRequest');
    const answer = await call('/ory.keto.relation_tuples.v1alpha2.ReadService/ListRelationTuples', encodeMessage(type, { relationQuery: { namespace: 'ꕚ'.repeat(20_000) } }));
    assert.equal(answer.code, GrpcCode.NOT_FOUND, answer.details);
    assert.ok(answer.details.length <= 4096 && answer.details.endsWith('...'), answer.details.slice(0, 100));
    const garbage = await call('/ory.keto.relation_tuples.v1alpha2.CheckService/Check', Buffer.from([0x0a, 0xff]));
    assert.equal(garbage.code, GrpcCode.INVALID_ARGUMENT, garbage.details);
  });

  test(`a message over the limit (${MESSAGE_LIMIT} bytes) is RESOURCE_EXHAUSTED`, async () => {
    const big = messageType('ory.keto.opl.v1alpha1.CheckRequest');
    const bytes = encodeMessage(big, { content: Buffer.alloc(5 * 1024 * 1024, 0x61) });
    for (const path of ['/ory.keto.opl.v1alpha1.SyntaxService/Check', '/ory.keto.relation_tuples.v1alpha2.CheckService/Check']) {
      const answer = await call(path, bytes);
      assert.equal(answer.code, GrpcCode.RESOURCE_EXHAUSTED, `${path}: ${answer.code} ${answer.details}`);
    }
    await assertAlive();
  });

  /** One call over a raw HTTP/2 stream: any headers, any body; resolves with the grpc-status and grpc-message sent. */
  const rawCall = (session: http2.ClientHttp2Session, path: string, headers: Record<string, string>, body: Buffer) =>
    new Promise<{ code: number; message: string }>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
      let code: string | undefined;
      let message = '';
      const read = (h: http2.IncomingHttpHeaders) => {
        if (code !== undefined || h['grpc-status'] === undefined) return;
        code = String(h['grpc-status']);
        message = String(h['grpc-message'] ?? '');
      };
      stream.on('response', read);
      stream.on('trailers', read);
      stream.on('data', () => {});
      stream.on('close', () =>
        code === undefined ? reject(new Error(`no grpc-status for ${JSON.stringify(headers)} ${body.toString('hex')}`)) : resolve({ code: Number(code), message }),
      );
      stream.on('error', reject);
      stream.end(body);
    });

  const frame = (payload: Buffer, compressed = 0) => {
    const head = Buffer.alloc(5);
    head[0] = compressed;
    head.writeUInt32BE(payload.length, 1);
    return Buffer.concat([head, payload]);
  };

  // Protocol violations, not bad requests: answered INTERNAL as gRPC's own servers do, which this accepts.
  test('framing the clients never send (no message, two, a cut frame, a compressed flag) gets a status, not a crash', async () => {
    const empty = Buffer.alloc(0);
    const bodies = [empty, Buffer.concat([frame(empty), frame(empty)]), frame(Buffer.alloc(10)).subarray(0, 8), frame(empty, 1), Buffer.from([0, 0xff, 0xff, 0xff, 0xff])];
    const session = http2.connect(gh.url.read);
    try {
      for (const body of bodies) {
        const { code } = await rawCall(session, '/ory.keto.relation_tuples.v1alpha2.CheckService/Check', {}, body);
        assert.ok(VALID_CODES.has(code), `${body.toString('hex')}: ${code}`);
        assert.notEqual(code, GrpcCode.OK, body.toString('hex'));
      }
    } finally {
      session.close();
    }
    await assertAlive();
  });

  test('random call metadata (grpc-timeout, grpc-encoding, x-request-id, content-type) gets a proper status', async (t) => {
    const ascii = fc.string({ maxLength: 40 });
    const headers = fc.record(
      {
        'grpc-timeout': fc.oneof(ascii, fc.constantFrom('1n', '1u', '0m', '99999999H', '100m', '5S', '-1S', '1', 'S')),
        'grpc-encoding': fc.oneof(ascii, fc.constantFrom('identity', 'gzip', 'deflate', '')),
        'grpc-accept-encoding': ascii,
        'x-request-id': ascii,
        'content-type': fc.constantFrom('application/grpc', 'application/grpc+proto', 'application/grpc+json', 'application/grpc+'),
      },
      { requiredKeys: [] },
    );
    const message = messageType('ory.keto.relation_tuples.v1alpha2.CheckRequest');
    const body = frame(encodeMessage(message, { tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject: { id: 'alice' } } }));
    const samples = fc.sample(headers, { seed: FUZZ_SEED, numRuns: runs(300) });
    const seen: Record<string, number> = {};
    const session = http2.connect(gh.url.read);
    try {
      for (const h of samples) {
        const clean = Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\x20-\x7e]*$/.test(v as string))) as Record<string, string>;
        const { code: status, message: said } = await rawCall(session, '/ory.keto.relation_tuples.v1alpha2.CheckService/Check', clean, body);
        const what = `${JSON.stringify(clean)} (seed ${FUZZ_SEED}): ${status} ${said}`;
        assert.ok(VALID_CODES.has(status), what);
        assert.notEqual(status, GrpcCode.INTERNAL, what);
        assert.notEqual(status, GrpcCode.UNKNOWN, what);
        seen[status] = (seen[status] ?? 0) + 1;
      }
    } finally {
      session.close();
    }
    await assertAlive();
    t.diagnostic(`${samples.length} calls; status codes seen ${JSON.stringify(seen)}`);
  });
});
