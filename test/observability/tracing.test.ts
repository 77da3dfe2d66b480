import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { validateConfig } from '../../src/config/validate.js';
import { methodDefinition } from '../server/grpc-clients.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

/** `tracing.provider: otel` sends spans over OTLP/HTTP (JSON) to a receiver run by the test. */

const RT = 'ory.keto.relation_tuples.v1alpha2';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const sampled = (traceId: string, parentId: string) => `00-${traceId}-${parentId}-01`;

function grpcCheck(address: string, tuple: object, traceparent: string): Promise<{ allowed: boolean }> {
  const Client = grpc.makeGenericClientConstructor(
    { call: methodDefinition(`/${RT}.CheckService/Check`, `${RT}.CheckRequest`, `${RT}.CheckResponse`) },
    'Check',
  );
  const client = new Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', traceparent);
  return new Promise((resolve, reject) => {
    (client as unknown as { call: (r: object, m: grpc.Metadata, cb: (err: Error | null, res: { allowed: boolean }) => void) => void }).call(
      { tuple },
      metadata,
      (err, response) => {
        client.close();
        if (err) reject(err);
        else resolve(response);
      },
    );
  });
}

describe('tracing over OTLP/HTTP', () => {
  const receiver = new OtlpReceiver();
  let gh: GatehouseProcess;
  let spans: ReceivedSpan[];
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const childrenOf = (span: ReceivedSpan) => spans.filter((s) => s.parentSpanId === span.spanId);

  before(async () => {
    const address = await receiver.listen();
    gh = await startGatehouseProcess({
      config: {
        namespaces: [{ name: 'files' }],
        // Checks read the database, so their database spans show.
        index: { enabled: false },
        log: { level: 'warn' },
        tracing: { provider: 'otel', service_name: 'permissions', providers: { otlp: { server_url: address, insecure: true } } },
      },
    });
    const put = await fetch(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      headers: { traceparent: sampled('11111111111111111111111111111111', '2222222222222222') },
      body: JSON.stringify({ namespace: 'files', object: 'readme', relation: 'viewer', subject_id: 'alice' }),
    });
    assert.equal(put.status, 201);
    const check = await fetch(`${gh.url.read}/relation-tuples/check?namespace=files&object=readme&relation=viewer&subject_id=alice`, {
      headers: { traceparent: sampled(TRACE_ID, PARENT_ID) },
    });
    assert.deepEqual(await check.json(), { allowed: true });
    // Keto's sampler: parent-based, roots at sampling_ratio (0 when unset), so this one is not traced.
    const untraced = await fetch(`${gh.url.read}/relation-tuples/check?namespace=files&object=readme&relation=viewer&subject_id=bob`);
    assert.equal(untraced.status, 403);
    const denied = await grpcCheck(
      gh.grpc.read,
      { namespace: 'files', object: 'readme', relation: 'viewer', subject: { id: 'mallory' } },
      sampled('33333333333333333333333333333333', '4444444444444444'),
    );
    assert.equal(denied.allowed, false);
    // Shutdown sends the spans still batched.
    assert.equal(await gh.stop(), 0);
    spans = receiver.spans;
  });
  after(() => receiver.close());

  test('spans are exported as OTLP JSON with the configured service name', () => {
    assert.ok(receiver.contentTypes.every((t) => t === 'application/json'));
    assert.deepEqual([...new Set(spans.map((s) => s.service))], ['permissions']);
  });

  test('a REST check is one span, child of the incoming traceparent, with route, status and outcome', () => {
    const [check, ...more] = byName('GET /relation-tuples/check');
    assert.equal(more.length, 0, 'the request without a sampled traceparent is not traced');
    assert.equal(check!.traceId, TRACE_ID);
    assert.equal(check!.parentSpanId, PARENT_ID);
    assert.deepEqual(check!.attributes, {
      'http.request.method': 'GET',
      'http.route': '/relation-tuples/check',
      'http.response.status_code': 200,
      'url.path': '/relation-tuples/check',
      'gatehouse.check.allowed': true,
    });
    assert.equal(check!.status, 0);
  });

  test('the engine evaluation is a child span of the request, and the database statements children of it', () => {
    const [check] = byName('GET /relation-tuples/check');
    // The revision the answer is read at (its snaptoken) is read before the evaluation.
    assert.deepEqual(childrenOf(check!).map((s) => s.name).sort(), ['db.query', 'engine.check']);
    const engine = childrenOf(check!).filter((s) => s.name === 'engine.check');
    const queries = childrenOf(engine[0]!);
    assert.ok(queries.length >= 1);
    for (const query of queries) {
      assert.equal(query.name, 'db.query');
      assert.equal(query.traceId, TRACE_ID);
      assert.deepEqual(query.attributes, { 'db.system.name': 'sqlite', 'db.operation.name': 'SELECT' });
    }
  });

  test('a write is a span with its database transaction under it', () => {
    const [write] = byName('PUT /admin/relation-tuples');
    assert.equal(write!.parentSpanId, '2222222222222222');
    assert.equal(write!.attributes['http.response.status_code'], 201);
    const transactions = childrenOf(write!).filter((s) => s.name === 'db.transaction');
    assert.equal(transactions.length, 1);
    const statements = childrenOf(transactions[0]!);
    assert.ok(statements.some((s) => s.attributes['db.operation.name'] === 'INSERT'));
  });

  test('a gRPC call is one span named for its method, with its status code and outcome', () => {
    const [call] = byName(`${RT}.CheckService/Check`);
    assert.equal(call!.traceId, '33333333333333333333333333333333');
    assert.equal(call!.parentSpanId, '4444444444444444');
    assert.deepEqual(call!.attributes, {
      'rpc.system': 'grpc',
      'rpc.method': `/${RT}.CheckService/Check`,
      'rpc.grpc.status_code': 0,
      'gatehouse.check.allowed': false,
    });
    assert.deepEqual(childrenOf(call!).map((s) => s.name).sort(), ['db.query', 'engine.check']);
  });
});

describe('tracing configuration', () => {
  test('Jaeger and Zipkin providers are refused with what to configure instead', () => {
    for (const provider of ['jaeger', 'zipkin']) {
      const result = validateConfig({ dsn: 'memory', tracing: { provider } });
      assert.equal(result.ok, false);
      const [message, ...rest] = (result as { messages: string[] }).messages;
      assert.equal(rest.length, 0);
      assert.match(message!, new RegExp(`^tracing.provider: "${provider}" is not supported: gatehouse exports traces over OTLP/HTTP only`));
      assert.match(message!, /set tracing.provider to "otel"/);
    }
  });

  test('provider otel is accepted', () => {
    assert.equal(validateConfig({ dsn: 'memory', tracing: { provider: 'otel' } }).ok, true);
  });
});
